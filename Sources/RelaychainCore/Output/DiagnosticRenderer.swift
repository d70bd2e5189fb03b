/// Turns diagnostics into text for people, JSON for tools, or GitHub workflow annotations.
public enum DiagnosticFormat: String, CaseIterable, Sendable {
    case text
    case json
    case github
}

public struct DiagnosticRenderer: Sendable {
    public var colored: Bool

    public init(colored: Bool = false) {
        self.colored = colored
    }

    /// `path:line:col: error[RC104]: message`, the source line, a caret, then notes and the fix.
    public func text(_ diagnostic: Diagnostic, in source: SourceFile?, path: String) -> String {
        let severity = paint(
            "\(diagnostic.severity.rawValue)[\(diagnostic.code.rawValue)]", color(for: diagnostic.severity))
        var out = paint("\(path):\(diagnostic.location):", bold) + " \(severity): \(diagnostic.message)\n"
        if let line = source?.line(diagnostic.location.line), !line.isEmpty {
            let caretIndent = String(
                line.unicodeScalars.prefix(diagnostic.location.column - 1).map { $0 == "\t" ? "\t" : " " }.map(
                    Character.init))
            out += "\(line)\n\(caretIndent)\(paint("^", green))\n"
        }
        for note in diagnostic.notes {
            let place = note.location.map { "\(path):\($0): " } ?? ""
            out += "\(place)\(paint("note", cyan)): \(note.message)\n"
        }
        if let fix = diagnostic.fix {
            out += "\(paint("fix", green)): \(fix)\n"
        }
        return out
    }

    /// One object per diagnostic, with the file path.
    public static func json(_ diagnostic: Diagnostic, path: String) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("file", .string(path)),
            ("line", .int(diagnostic.location.line)),
            ("column", .int(diagnostic.location.column)),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("code", .string(diagnostic.code.rawValue)),
            ("message", .string(diagnostic.message)),
        ]
        if !diagnostic.notes.isEmpty {
            members.append(
                (
                    "notes",
                    .array(
                        diagnostic.notes.map { note in
                            var fields: [(String, JSONValue)] = [("message", .string(note.message))]
                            if let location = note.location {
                                fields += [("line", .int(location.line)), ("column", .int(location.column))]
                            }
                            return .object(fields)
                        })
                ))
        }
        if let fix = diagnostic.fix { members.append(("fix", .string(fix))) }
        return .object(members)
    }

    /// `::error file=…,line=…,col=…,title=RC104::message`, escaped as the workflow runner expects.
    public static func github(_ diagnostic: Diagnostic, path: String) -> String {
        let command =
            switch diagnostic.severity {
            case .error: "error"
            case .warning: "warning"
            case .note: "notice"
            }
        var message = diagnostic.message
        for note in diagnostic.notes { message += "\nnote: \(note.message)" }
        if let fix = diagnostic.fix { message += "\nfix: \(fix)" }
        let properties =
            "file=\(escapeProperty(path)),line=\(diagnostic.location.line),col=\(diagnostic.location.column),"
            + "title=\(diagnostic.code.rawValue)"
        return "::\(command) \(properties)::\(escapeData(message))"
    }

    public static func summary(errors: Int, warnings: Int, files: Int) -> String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(count(errors, "error")), \(count(warnings, "warning")) in \(count(files, "file"))"
    }

    private static func escapeData(_ text: String) -> String {
        text.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }

    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacing(":", with: "%3A").replacing(",", with: "%2C")
    }

    // MARK: Colour (ANSI, only when asked: the CLI decides by isatty)

    private let bold = "1", green = "32", cyan = "36"

    private func color(for severity: Severity) -> String {
        switch severity {
        case .error: "1;31"
        case .warning: "1;33"
        case .note: "1;36"
        }
    }

    /// `text` in an SGR colour when colour is on.
    public func paint(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
