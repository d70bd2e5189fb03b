import Yams

/// Composes a spec's YAML into a node tree, turning every libyaml problem into a diagnostic.
///
/// Yams stops at the first duplicate key and reports its *first* occurrence. To report each
/// later occurrence and still validate the rest, the first occurrence is masked with private-use
/// characters of the same scalar count (so no mark moves) and the text composed again; the masked
/// names are restored afterwards and the later duplicates dropped.
struct YAMLDocument {
    var root: Node?
    var diagnostics: [Diagnostic] = []

    private static let maskBase: UInt32 = 0xE000
    private static let maxRounds = 200

    init(_ source: SourceFile) {
        var text = source.text
        var masked: [SourceLocation: String] = [:]
        for round in 0..<Self.maxRounds {
            do {
                root = try Yams.compose(yaml: text, Resolver.basic)
                break
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                let location = SourceLocation(line: context.mark.line, column: context.mark.column)
                guard let key = duplicates.first,
                    let maskedText = Self.mask(key: key, at: location, in: text, round: round)
                else {
                    diagnostics.append(.error(.duplicateKey, "duplicate key '\(duplicates.first ?? "?")'", at: location))
                    return
                }
                text = maskedText
                masked[location] = key
            } catch let error as YamlError {
                diagnostics.append(Self.diagnostic(for: error))
                return
            } catch {
                diagnostics.append(.error(.yamlSyntax, "invalid YAML: \(error)", at: SourceLocation(line: 1, column: 1)))
                return
            }
        }
        guard let composed = root else {
            diagnostics.append(.error(.emptyDocument, "the spec is empty", at: SourceLocation(line: 1, column: 1), fix: "start it with 'relaychain: 1'"))
            return
        }
        if case .scalar(let scalar) = composed, scalar.string.isEmpty || composed.tagName == .null {
            diagnostics.append(.error(.emptyDocument, "the spec is empty", at: composed.location, fix: "start it with 'relaychain: 1'"))
            root = nil
            return
        }
        if !masked.isEmpty {
            root = restore(composed, masked: masked)
        }
    }

    /// Puts masked key names back and drops every later occurrence of a key, reporting each.
    private mutating func restore(_ node: Node, masked: [SourceLocation: String]) -> Node {
        switch node {
        case .mapping(let mapping):
            var firstSeen: [String: SourceLocation] = [:]
            var kept: [(Node, Node)] = []
            for (key, value) in mapping {
                var key = key
                if case .scalar(var scalar) = key, let original = masked[key.location] {
                    scalar.string = original
                    key = .scalar(scalar)
                }
                if let name = key.scalar?.string {
                    if let first = firstSeen[name] {
                        diagnostics.append(.error(
                            .duplicateKey, "duplicate key '\(name)'", at: key.location,
                            notes: [DiagnosticNote("first defined here", at: first)]))
                        continue
                    }
                    firstSeen[name] = key.location
                }
                kept.append((key, restore(value, masked: masked)))
            }
            return .mapping(Node.Mapping(kept, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map { restore($0, masked: masked) }, sequence.tag, sequence.style, sequence.mark))
        default:
            return node
        }
    }

    /// Replaces the key written at `location` (plain or quoted) by private-use scalars; nil when the
    /// text there is not that key.
    private static func mask(key: String, at location: SourceLocation, in text: String, round: Int) -> String? {
        guard let maskScalar = Unicode.Scalar(maskBase + UInt32(round)) else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array(String($0).unicodeScalars) }
        guard location.line >= 1, location.line <= lines.count else { return nil }
        var line = lines[location.line - 1]
        var start = location.column - 1
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty, start >= 0, start < line.count else { return nil }
        if line[start] == "\"" || line[start] == "'" { start += 1 }
        guard start + keyScalars.count <= line.count, Array(line[start..<start + keyScalars.count]) == keyScalars else { return nil }
        for index in start..<start + keyScalars.count { line[index] = maskScalar }
        lines[location.line - 1] = line
        return lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
    }

    private static func diagnostic(for error: YamlError) -> Diagnostic {
        func location(_ mark: Mark) -> SourceLocation { SourceLocation(line: mark.line, column: mark.column) }
        func describe(_ context: YamlError.Context?, _ problem: String) -> String {
            guard let context, !context.text.isEmpty else { return "invalid YAML: \(problem)" }
            return "invalid YAML: \(problem) (\(context.text))"
        }
        switch error {
        case let .composer(context, _, mark, _) where context?.text == "expected a single document in the stream":
            return .error(.multipleDocuments, "a spec is one YAML document; a second one starts here", at: location(mark), fix: "remove the '---' line and everything after it, or split it into its own file")
        case let .scanner(context, problem, mark, yaml), let .parser(context, problem, mark, yaml), let .composer(context, problem, mark, yaml):
            var notes: [DiagnosticNote] = []
            if let context, context.mark.line != mark.line || context.mark.column != mark.column {
                notes.append(DiagnosticNote(context.text.replacing("while parsing", with: "in"), at: location(context.mark)))
            }
            let tabIndented = SourceFile(path: "", text: yaml).line(mark.line)?.unicodeScalars.dropFirst(mark.column - 1).first == "\t"
            return .error(
                .yamlSyntax, describe(context, problem), at: location(mark), notes: notes,
                fix: tabIndented ? "indent with spaces: YAML does not allow tabs there" : nil)
        case let .reader(problem, _, _, _):
            return .error(.yamlSyntax, "invalid YAML: \(problem)", at: SourceLocation(line: 1, column: 1))
        case let .duplicatedKeysInMapping(duplicates, context):
            return .error(.duplicateKey, "duplicate key '\(duplicates.first ?? "?")'", at: location(context.mark))
        default:
            return .error(.yamlSyntax, "invalid YAML: \(error)", at: SourceLocation(line: 1, column: 1))
        }
    }
}

extension Node {
    /// Where the node was written; composed nodes always carry a mark.
    var location: SourceLocation {
        mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? SourceLocation(line: 1, column: 1)
    }
}

extension Node {
    /// The YAML 1.1 type of the node: `.bool` for a plain `yes`, `.str` once quoted.
    ///
    /// Documents are composed with the regex-free basic resolver (Yams would otherwise resolve
    /// every key's tag to hash it for its duplicate check); plain scalars are resolved here with
    /// the default rules, and only when their first character could begin a non-string.
    var tagName: Tag.Name {
        guard case .scalar(let scalar) = self, scalar.style == .plain else { return Tag.Name(rawValue: tag.rawValue) }
        guard let first = scalar.string.unicodeScalars.first else { return .null }
        guard Self.nonStringStarts.contains(first) else { return .str }
        // A fresh node: Yams resolves a Tag in place, so this node's own tag may already be
        // fixed to `str` by the basic resolver.
        return Resolver.default.resolveTag(of: Node(scalar.string))
    }

    /// First characters of bool, int, float, null, timestamp, merge and value scalars.
    private static let nonStringStarts = Set("0123456789+-.~<=yYnNtTfFoO".unicodeScalars)
}
