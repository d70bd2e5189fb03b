import Foundation
import RelaychainCore
import Testing

/// Fixture specs live in the source tree beside the tests, so that recording can rewrite them.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func specs(in folder: String) -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func url(_ folder: String, _ name: String) -> URL {
        directory.appendingPathComponent(folder).appendingPathComponent(name)
    }

    static func check(_ folder: String, _ name: String) throws -> Relaychain.CheckResult {
        let bytes = try Data(contentsOf: url(folder, name))
        return Relaychain.check(path: name, bytes: Array(bytes))
    }

    static func source(_ folder: String, _ name: String) throws -> SourceFile {
        SourceFile(path: name, text: try String(contentsOf: url(folder, name), encoding: .utf8))
    }

    /// One line per diagnostic, `line:col: severity[code]: message`, then indented notes and fix.
    static func describe(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map { diagnostic in
            var text =
                "\(diagnostic.location): \(diagnostic.severity.rawValue)[\(diagnostic.code.rawValue)]: "
                + "\(diagnostic.message)\n"
            for note in diagnostic.notes {
                text += "    note\(note.location.map { " \($0)" } ?? ""): \(note.message)\n"
            }
            if let fix = diagnostic.fix { text += "    fix: \(fix)\n" }
            return text
        }.joined()
    }
}

/// Golden comparison: on mismatch shows both texts; with RELAYCHAIN_RECORD=1 rewrites the golden
/// file and still fails, so that a recording run can never pass CI.
func expectMatchesGolden(_ actual: String, golden url: URL, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let expected = try? String(contentsOf: url, encoding: .utf8)
    if ProcessInfo.processInfo.environment["RELAYCHAIN_RECORD"] == "1" {
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        Issue.record(
            "recorded \(url.lastPathComponent); review it and run again without RELAYCHAIN_RECORD",
            sourceLocation: sourceLocation)
        return
    }
    guard let expected else {
        Issue.record(
            "missing golden file \(url.path); create it with RELAYCHAIN_RECORD=1 swift test",
            sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        Issue.record(
            """
            \(url.lastPathComponent) differs (re-record with RELAYCHAIN_RECORD=1 swift test, then review the diff)
            --- expected
            \(expected)
            --- actual
            \(actual)
            """, sourceLocation: sourceLocation)
    }
}

extension SourceFile {
    /// The rest of the line from a location (columns in Unicode scalars, as libyaml counts).
    func text(at location: RelaychainCore.SourceLocation) -> String {
        guard let line = line(location.line) else { return "" }
        return String(String.UnicodeScalarView(line.unicodeScalars.dropFirst(location.column - 1)))
    }
}
