import Foundation
import RelaychainCore
import Testing

/// docs/diagnostics.md is written from the diagnostic codes and, for each, the first test fixture
/// whose golden output shows it: what the compiler really says, with the line that caused it.
/// A new code without a fixture, a changed summary or a changed message makes it stale.
struct DiagnosticsReferenceTests {
    static let folders = ["invalid", "unbuildable", "analysis"]
    static let refresh = "RELAYCHAIN_RECORD=1 swift test --filter DiagnosticsReferenceTests"

    struct Example {
        var fixture: String
        var sourceLine: (number: Int, text: String)?
        var output: String
        var severity: String
    }

    /// The first golden block (a diagnostic and its indented notes and fix) with this code.
    static func example(of code: DiagnosticCode) throws -> Example? {
        for folder in folders {
            for spec in Fixtures.specs(in: folder) {
                let golden = Fixtures.url(folder, String(spec.dropLast(5)) + ".expected")
                guard let text = try? String(contentsOf: golden, encoding: .utf8) else { continue }
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                guard let start = lines.firstIndex(where: { $0.contains("[\(code.rawValue)]: ") }) else { continue }
                var block = [lines[start]]
                for line in lines[(start + 1)...] {
                    guard line.hasPrefix("    ") else { break }
                    block.append(line)
                }
                let severity = String(lines[start].split(separator: " ").dropFirst().first?.prefix { $0 != "[" } ?? "")
                // Bytes as they are: one fixture is not UTF-8 on purpose (RC006).
                let source = String(decoding: try Data(contentsOf: Fixtures.url(folder, spec)), as: UTF8.self)
                    .split(separator: "\n", omittingEmptySubsequences: false)
                let number = lines[start].split(separator: ":").first.flatMap { Int($0) }
                let sourceLine = number.flatMap { $0 >= 1 && $0 <= source.count ? ($0, String(source[$0 - 1])) : nil }
                return Example(
                    fixture: "Tests/RelaychainCoreTests/Fixtures/\(folder)/\(spec)", sourceLine: sourceLine,
                    output: block.joined(separator: "\n"), severity: severity)
            }
        }
        return nil
    }

    static func reference() throws -> (text: String, missing: [String]) {
        var text = """
            # Diagnostics

            Every code `relaychain check` and `build` can report, what it means, and an example of it:
            the spec line that causes it and what relaychain says, notes and fix included. Written by
            `\(refresh)` from `Sources/RelaychainCore/Diagnostics/DiagnosticCode.swift` and the test
            fixtures; do not edit.

            A code never changes meaning; a retired code is not reused. RC0xx: the YAML itself. RC1xx: the
            spec's shape and values. RC2xx: references between its parts. RC3xx: what a target (qmail-run,
            systemd, Dovecot) cannot express. RC4xx: the chain analysis, which `check --no-analysis` skips.
            Errors stop `build`; warnings do not, unless `check --warnings-as-errors`; notes only inform.

            | Code | Meaning |
            |------|---------|

            """
        for code in DiagnosticCode.allCases {
            text += "| [\(code.rawValue)](#\(code.rawValue.lowercased())) | \(code.summary) |\n"
        }
        var missing: [String] = []
        for code in DiagnosticCode.allCases {
            text += "\n## \(code.rawValue)\n\n\(Self.sentence(code.summary))\n"
            guard let example = try example(of: code) else {
                missing.append(code.rawValue)
                continue
            }
            let article = example.severity == "error" ? "An" : "A"
            text += "\n\(article) \(example.severity). From `\(example.fixture)`"
            if let line = example.sourceLine {
                text += ", line \(line.number):\n\n```yaml\n\(line.text)\n```\n"
            } else {
                text += ":\n"
            }
            text += "\n```text\n\(example.output)\n```\n"
        }
        return (text, missing)
    }

    static func sentence(_ summary: String) -> String {
        (summary.first.map { $0.uppercased() + summary.dropFirst() } ?? summary) + "."
    }

    @Test func everyCodeHasAnExampleAndTheReferenceIsFresh() throws {
        let (text, missing) = try Self.reference()
        #expect(missing == [], "codes no fixture shows: add a fixture for each")
        let url = Fixtures.repositoryRoot.appendingPathComponent("docs/diagnostics.md")
        if ProcessInfo.processInfo.environment["RELAYCHAIN_RECORD"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("recorded docs/diagnostics.md; review it and run again without RELAYCHAIN_RECORD")
            return
        }
        let checkedIn = try? String(contentsOf: url, encoding: .utf8)
        #expect(checkedIn == text, "docs/diagnostics.md is stale: \(Self.refresh)")
    }
}
