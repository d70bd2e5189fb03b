import Yams

/// Reads typed values out of composed YAML nodes, collecting a diagnostic for every problem
/// instead of stopping at the first.
final class NodeReader {
    private(set) var diagnostics: [Diagnostic] = []

    func report(_ diagnostic: Diagnostic) {
        diagnostics.appendWithinLimit(diagnostic)
    }

    // MARK: Mappings

    /// The known keys of a mapping with their positions. Unknown keys are reported with a
    /// suggestion; `misplaced` names keys that exist elsewhere in the language, with why not here.
    func fields<Key: RawRepresentable & CaseIterable>(
        of node: YAMLNode, _ what: String, allowed: [Key] = Array(Key.allCases),
        misplaced: (Key) -> Diagnostic? = { _ in nil }
    ) -> Fields<Key>? where Key.RawValue == String {
        guard case .mapping(let mapping) = node else {
            report(.error(.wrongType, "\(what) must be a mapping, found \(Self.describe(node))", at: node.location))
            return nil
        }
        var fields = Fields<Key>(location: node.location)
        for (keyNode, value) in mapping {
            guard let name = keyName(keyNode, in: what) else { continue }
            if let key = Key(rawValue: name) {
                if allowed.contains(where: { $0.rawValue == key.rawValue }) {
                    fields.values[name] = (keyNode.location, value)
                } else if let diagnostic = misplaced(key) {
                    report(diagnostic.located(at: keyNode.location))
                }
                continue
            }
            let suggestion = Suggestion.closest(to: name, among: allowed.map(\.rawValue))
            if let suggestion { fields.suggested.insert(suggestion) }
            report(
                .error(
                    .unknownKey, "unknown key '\(name)' in \(what)", at: keyNode.location,
                    notes: suggestion == nil
                        ? [DiagnosticNote("\(what) takes: \(allowed.map(\.rawValue).joined(separator: ", "))")] : [],
                    fix: suggestion.map { "did you mean '\($0)'?" }))
        }
        return fields
    }

    /// The entries of a mapping whose keys are user-chosen names (services, windows, wrappers).
    func namedEntries(of node: YAMLNode, _ what: String) -> [(name: Written<String>, value: YAMLNode)]? {
        guard case .mapping(let mapping) = node else {
            report(
                .error(
                    .wrongType, "\(what) must be a mapping of names, found \(Self.describe(node))", at: node.location))
            return nil
        }
        return mapping.compactMap { keyNode, value in
            keyName(keyNode, in: what).map { (Written($0, at: keyNode.location), value) }
        }
    }

    private func keyName(_ keyNode: YAMLNode, in what: String) -> String? {
        guard case .scalar(let scalar) = keyNode else {
            report(
                .error(
                    .wrongType, "keys in \(what) must be plain names, found \(Self.describe(keyNode))",
                    at: keyNode.location))
            return nil
        }
        if scalar.style == .plain, keyNode.tagName == .merge {
            report(
                .error(
                    .mergeKey, "merge keys (<<) are not supported", at: keyNode.location,
                    fix: "write the keys out in full"))
            return nil
        }
        return scalar.string
    }

    // MARK: Scalars

    /// Text. Plain YAML booleans and nulls are refused (`yes` is not "yes"); numbers are taken
    /// as written only where `numbersAllowed`, so that "1.10" can never become 1.1.
    func string(_ node: YAMLNode, _ key: String, numbersAllowed: Bool = false) -> Located<String>? {
        guard case .scalar(let scalar) = node else {
            report(.error(.wrongType, "'\(key)' must be a string, found \(Self.describe(node))", at: node.location))
            return nil
        }
        if scalar.style == .plain {
            switch node.tagName {
            case .bool:
                report(
                    .error(
                        .booleanNotString, "'\(key)' must be a string; YAML reads \(scalar.string) as a boolean",
                        at: node.location,
                        fix: "write \"\(scalar.string)\" in quotes"))
                return nil
            case .null:
                report(.error(.wrongType, "'\(key)' must be a string, found nothing", at: node.location))
                return nil
            case .int where !numbersAllowed, .float where !numbersAllowed:
                // `Int(exactly:)`: a number past Int's range (9223372036854775807 as a Double) must not trap.
                let reading =
                    Double(scalar.string).map { value in
                        node.tagName == .int ? Int(exactly: value).map(String.init) ?? scalar.string : String(value)
                    } ?? scalar.string
                let detail = reading == scalar.string ? "as a number" : "as the number \(reading)"
                report(
                    .error(
                        .numberNotString, "'\(key)' must be a string; YAML reads \(scalar.string) \(detail)",
                        at: node.location,
                        fix: "write \"\(scalar.string)\" in quotes"))
                return nil
            default:
                break
            }
        }
        if let control = scalar.string.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            report(
                .error(
                    .controlCharacter, "'\(key)' contains \(Self.describe(control)); no target can carry it",
                    at: node.location))
            return nil
        }
        return Located(scalar.string, at: node.location)
    }

    /// An absolute path.
    func path(_ node: YAMLNode, _ key: String) -> Located<String>? {
        guard let text = string(node, key) else { return nil }
        guard text.value.hasPrefix("/") else {
            report(
                .error(
                    .relativePath, "'\(key)' must be an absolute path, found '\(text.value)'", at: node.location,
                    notes: [
                        DiagnosticNote(
                            "chains run with an emptied environment and no PATH, so every program and directory is "
                                + "named in full"
                        )
                    ]))
            return nil
        }
        return text
    }

    func bool(_ node: YAMLNode, _ key: String) -> Located<Bool>? {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            switch scalar.string {
            case "true": return Located(true, at: node.location)
            case "false": return Located(false, at: node.location)
            default: break
            }
            if node.tagName == .bool {
                let meant = ["yes", "on", "y"].contains(scalar.string.lowercased()) ? "true" : "false"
                report(
                    .error(
                        .wrongType, "'\(key)' must be true or false, found \(scalar.string)", at: node.location,
                        fix: "write \(meant)"))
                return nil
            }
        }
        report(.error(.wrongType, "'\(key)' must be true or false, found \(Self.describe(node))", at: node.location))
        return nil
    }

    func int(_ node: YAMLNode, _ key: String) -> Located<Int>? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, node.tagName == .int,
            scalar.string.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(scalar.string)
        else {
            report(
                .error(.wrongType, "'\(key)' must be a whole number, found \(Self.describe(node))", at: node.location))
            return nil
        }
        return Located(value, at: node.location)
    }

    func list(_ node: YAMLNode, _ key: String) -> [YAMLNode]? {
        guard case .sequence(let sequence, _) = node else {
            report(.error(.wrongType, "'\(key)' must be a list, found \(Self.describe(node))", at: node.location))
            return nil
        }
        return sequence
    }

    /// One of a fixed set of words, with a suggestion when it is close to one.
    func choice<Value: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ key: String, as: Value.Type) -> Located<
        Value
    >? where Value.RawValue == String {
        guard let text = string(node, key) else { return nil }
        if let value = Value(rawValue: text.value) { return Located(value, at: text.location) }
        let options = Value.allCases.map(\.rawValue)
        let suggestion = Suggestion.closest(to: text.value, among: options)
        report(
            .error(
                .unknownValue, "unknown \(key) '\(text.value)'", at: node.location,
                notes: [DiagnosticNote("expected one of: \(options.joined(separator: ", "))")],
                fix: suggestion.map { "did you mean '\($0)'?" }))
        return nil
    }

    // MARK: Descriptions

    static func describe(_ node: YAMLNode) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            guard scalar.style == .plain else { return "the string '\(scalar.string)'" }
            switch node.tagName {
            case .bool: return "the boolean \(scalar.string)"
            case .int, .float: return "the number \(scalar.string)"
            case .null: return "nothing"
            default: return "the string '\(scalar.string)'"
            }
        }
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": "a newline"
        case "\r": "a carriage return"
        case "\t": "a tab"
        case "\0": "a NUL byte"
        default: "the control character U+\(String(scalar.value, radix: 16, uppercase: true))"
        }
    }
}

/// The known keys found in one mapping, with where each key was written.
struct Fields<Key: RawRepresentable> where Key.RawValue == String {
    var location: SourceLocation
    var values: [String: (key: SourceLocation, value: YAMLNode)] = [:]
    /// Keys offered as "did you mean" for a misspelling; not also reported as missing.
    var suggested: Set<String> = []

    subscript(_ key: Key) -> YAMLNode? { values[key.rawValue]?.value }

    func keyLocation(_ key: Key) -> SourceLocation? { values[key.rawValue]?.key }
}

extension Diagnostic {
    func located(at location: SourceLocation) -> Diagnostic {
        var copy = self
        copy.location = location
        return copy
    }
}
