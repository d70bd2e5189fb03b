import CYaml
import Yams

/// Composes YAML text into nodes in one pass over libyaml's events, within `SpecLimits`.
///
/// Yams' own composer stops at the first duplicate key and expands aliases without bound. This
/// one reports every later occurrence of a key (keeping the first, as the loader expects), and
/// counts each alias as the whole subtree it stands for, so a document whose expansion would
/// exceed the node limit is refused at the alias instead of being walked.
struct YAMLComposer {
    private(set) var diagnostics: [Diagnostic] = []
    private var parser = yaml_parser_t()
    private var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    /// Nodes composed so far, each alias counted as the size of what it repeats.
    private var weight = 0
    private let source: SourceFile

    /// A problem that ends composition; its diagnostic is already recorded.
    private struct Stop: Error {}

    /// The root node of the single document in `source`, or nil with diagnostics.
    static func compose(_ source: SourceFile) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        var composer = YAMLComposer(source: source)
        var utf8 = Array(source.text.utf8)
        let root = utf8.withUnsafeMutableBufferPointer { buffer in composer.run(buffer) }
        return (root, composer.diagnostics)
    }

    private init(source: SourceFile) { self.source = source }

    private mutating func run(_ input: UnsafeMutableBufferPointer<UInt8>) -> YAMLNode? {
        yaml_parser_initialize(&parser)
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, input.baseAddress, input.count)
        do {
            try skip()  // stream start
            var event = try next()
            guard event.type == YAML_DOCUMENT_START_EVENT else {  // an empty stream
                yaml_event_delete(&event)
                return nil
            }
            yaml_event_delete(&event)
            event = try next()
            let root = try node(from: &event, depth: 1)
            try skip()  // document end
            var after = try next()
            defer { yaml_event_delete(&after) }
            if after.type == YAML_DOCUMENT_START_EVENT {
                diagnostics.append(
                    .error(
                        .multipleDocuments, "a spec is one YAML document; a second one starts here", at: after.start,
                        fix: "remove the '---' line and everything after it, or split it into its own file"))
                return nil
            }
            return root
        } catch {
            return nil
        }
    }

    private mutating func skip() throws {
        var event = try next()
        yaml_event_delete(&event)
    }

    /// The next event; the caller owns it and deletes it (node(from:) does, for node events).
    private mutating func next() throws -> yaml_event_t {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else {
            diagnostics.append(syntaxDiagnostic())
            throw Stop()
        }
        return event
    }

    private mutating func node(from event: inout yaml_event_t, depth: Int) throws -> YAMLNode {
        defer { yaml_event_delete(&event) }
        // An empty value at the very end (`? key` and no line break after it) starts on libyaml's
        // own last line, past the text.
        let mark = endOfTextIfPast(event.start)
        guard depth <= SpecLimits.maxDepth else {
            diagnostics.append(
                .error(
                    .limitExceeded, "the spec nests deeper than \(SpecLimits.maxDepth) levels", at: mark))
            throw Stop()
        }
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                diagnostics.append(.error(.yamlSyntax, "invalid YAML: found undefined alias '\(name)'", at: mark))
                throw Stop()
            }
            try count(anchored.weight, at: mark)
            return anchored.node
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            guard scalar.length <= SpecLimits.maxScalarBytes else {
                diagnostics.append(
                    .error(
                        .limitExceeded, "a value of \(scalar.length) bytes; the limit is \(SpecLimits.maxScalarBytes)",
                        at: mark))
                throw Stop()
            }
            try count(1, at: mark)
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let tag = scalar.quoted_implicit == 1 ? nil : Self.string(scalar.tag)
            let node = YAMLNode.scalar(
                .init(string: value, style: Self.style(scalar.style), explicitTag: tag, location: mark))
            if let anchor = Self.string(scalar.anchor) { anchors[anchor] = (node, 1) }
            return node
        case YAML_SEQUENCE_START_EVENT:
            let anchor = Self.string(event.data.sequence_start.anchor)
            let before = weight
            try count(1, at: mark)
            var items: [YAMLNode] = []
            var child = try next()
            while child.type != YAML_SEQUENCE_END_EVENT {
                items.append(try node(from: &child, depth: depth + 1))
                child = try next()
            }
            yaml_event_delete(&child)
            let node = YAMLNode.sequence(items, at: mark)
            if let anchor { anchors[anchor] = (node, weight - before) }
            return node
        case YAML_MAPPING_START_EVENT:
            let anchor = Self.string(event.data.mapping_start.anchor)
            let before = weight
            try count(1, at: mark)
            var pairs: [(YAMLNode, YAMLNode)] = []
            var firstSeen: [String: SourceLocation] = [:]
            var child = try next()
            while child.type != YAML_MAPPING_END_EVENT {
                let key = try node(from: &child, depth: depth + 1)
                child = try next()
                let value = try node(from: &child, depth: depth + 1)
                child = try next()
                if case .scalar(let scalar) = key {
                    if let first = firstSeen[scalar.string] {
                        // The first occurrence is kept; each later one is reported and dropped.
                        diagnostics.appendWithinLimit(
                            .error(
                                .duplicateKey, "duplicate key '\(scalar.string)'", at: key.location,
                                notes: [DiagnosticNote("first defined here", at: first)]))
                        continue
                    }
                    firstSeen[scalar.string] = key.location
                }
                pairs.append((key, value))
            }
            yaml_event_delete(&child)
            let node = YAMLNode.mapping(.init(pairs: pairs, location: mark))
            if let anchor { anchors[anchor] = (node, weight - before) }
            return node
        default:
            diagnostics.append(.error(.yamlSyntax, "invalid YAML: unexpected event", at: mark))
            throw Stop()
        }
    }

    private mutating func count(_ nodes: Int, at mark: SourceLocation) throws {
        weight += nodes
        guard weight <= SpecLimits.maxNodes else {
            diagnostics.append(
                .error(
                    .limitExceeded, "the spec has more than \(SpecLimits.maxNodes) nodes once its aliases are expanded",
                    at: mark, fix: "write the repeated parts out, or split the spec"))
            throw Stop()
        }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// libyaml's error as Yams would describe it, turned into our diagnostic.
    private func syntaxDiagnostic() -> Diagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        let problemAt = endOfTextIfPast(
            SourceLocation(line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1))
        let contextAt = SourceLocation(line: parser.context_mark.line + 1, column: parser.context_mark.column + 1)
        let context = parser.context.map { String(cString: $0) }
        switch parser.error {
        case YAML_READER_ERROR:
            return .error(.yamlSyntax, "invalid YAML: \(problem)", at: source.location(ofByte: parser.problem_offset))
        case YAML_MEMORY_ERROR:
            return .error(
                .limitExceeded, "out of memory while reading the YAML", at: SourceLocation(line: 1, column: 1))
        default:  // scanner and parser errors
            var notes: [DiagnosticNote] = []
            if let context, contextAt != problemAt {
                notes.append(DiagnosticNote(context.replacing("while parsing", with: "in"), at: contextAt))
            }
            let tabIndented =
                source.line(problemAt.line)?.unicodeScalars
                .dropFirst(problemAt.column - 1).first == "\t"
            let message = context.map { "invalid YAML: \(problem) (\($0))" } ?? "invalid YAML: \(problem)"
            return .error(
                .yamlSyntax, message, at: problemAt, notes: notes,
                fix: tabIndented ? "indent with spaces: YAML does not allow tabs there" : nil)
        }
    }

    /// libyaml ends a text without a final line break with one of its own, and reports problems and
    /// empty nodes at the end of the stream on that line, past the text; they are shown at the end
    /// of the last line.
    private func endOfTextIfPast(_ location: SourceLocation) -> SourceLocation {
        guard location.line > source.lineCount, let last = source.line(source.lineCount) else { return location }
        return SourceLocation(line: source.lineCount, column: last.unicodeScalars.count + 1)
    }
}

extension yaml_event_t {
    var start: SourceLocation {
        SourceLocation(line: start_mark.line + 1, column: start_mark.column + 1)
    }
}
