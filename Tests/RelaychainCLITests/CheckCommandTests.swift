import Foundation
import TestSupport
import Testing

/// Runs the built `relaychain` the way an administrator or CI would, from the fixture folder so
/// that reported paths are short.
@Suite struct CheckCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let invalid = root.appendingPathComponent("Tests/RelaychainCoreTests/Fixtures/invalid")
    static let golden = root.appendingPathComponent("Tests/RelaychainCLITests/Golden")

    func relaychain(_ arguments: [String], input: Data? = nil, in directory: URL = Self.invalid) throws -> ProcessResult
    {
        try runProcess(
            try BuiltProduct.path("relaychain"), arguments, input: input, environment: ["PATH": "/usr/bin:/bin"],
            directory: directory)
    }

    @Test func cleanExamplePrintsNothingAndExitsZero() throws {
        let result = try relaychain(
            ["check", "examples/netbsd-pkgsrc-dovecot1.yaml", "examples/custom-wrapper.yaml"], in: Self.root)
        #expect(result.status == 0)
        #expect(result.output == "")
        #expect(result.errors == "")
    }

    @Test func textDiagnosticsShowSourceLineCaretNotesAndFix() throws {
        let result = try relaychain(["check", "07-unknown-keys.yaml", "13-undefined-references.yaml"])
        #expect(result.status == 1)
        #expect(result.output == "")
        expectGolden(result.errors, "check-text.txt")
    }

    @Test func jsonGoesToStandardOutput() throws {
        let result = try relaychain(["check", "--format", "json", "23-unsafe-carry.yaml", "34-unused-window.yaml"])
        #expect(result.status == 1)
        #expect(result.errors == "")
        expectGolden(result.output, "check-json.txt")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 8)
        #expect(parsed?.last?["severity"] as? String == "warning")
    }

    @Test func githubAnnotationsEscapeTheirFields() throws {
        let result = try relaychain([
            "check", "--format", "github", "11-unknown-wrappers.yaml", "32-window-lengths.yaml",
        ])
        #expect(result.status == 1)
        expectGolden(result.output, "check-github.txt")
    }

    @Test func warningsAloneExitZeroUnlessTreatedAsErrors() throws {
        let lenient = try relaychain(["check", "34-unused-window.yaml"])
        #expect(lenient.status == 0)
        #expect(
            lenient.errors.hasPrefix(
                "34-unused-window.yaml:4:3: warning[RC203]: window 'spare' is not granted or checked by any service\n"))
        #expect(lenient.errors.hasSuffix("0 errors, 1 warning in 1 file\n"))
        let strict = try relaychain(["check", "--warnings-as-errors", "34-unused-window.yaml"])
        #expect(strict.status == 1)
        #expect(strict.errors == lenient.errors)
    }

    @Test func unreadableFileExitsTwoAfterCheckingTheOthers() throws {
        let result = try relaychain(["check", "no-such-spec.yaml", "34-unused-window.yaml"])
        #expect(result.status == 2)
        #expect(
            result.errors.hasPrefix(
                "relaychain: cannot read 'no-such-spec.yaml': No such file or directory\n34-unused-window.yaml:4:3: "
                    + "warning[RC203]"
            ))
        let directory = try relaychain(["check", "."])
        #expect(directory.status == 2)
        #expect(directory.errors == "relaychain: cannot read '.': not a regular file\n")
    }

    @Test(arguments: [
        ["check"], ["check", "--format", "xml", "a.yaml"], ["check", "--bogus", "a.yaml"], ["frobnicate"],
    ])
    func usageErrorsExitTwo(_ arguments: [String]) throws {
        let result = try relaychain(arguments)
        #expect(result.status == 2)
        #expect(result.output == "")
        #expect(result.errors.contains("Error: "))
        #expect(result.errors.hasSuffix("Run 'relaychain help' for usage.\n"))
    }

    @Test func standardInputIsReadForDash() throws {
        let spec = try Data(contentsOf: Self.invalid.appendingPathComponent("16-spec-version.yaml"))
        let result = try relaychain(["check", "-"], input: spec)
        #expect(result.status == 1)
        #expect(
            result.errors.hasPrefix(
                "-:1:13: error[RC110]: unsupported spec language version 2; this relaychain reads version "
                    + "1\nrelaychain: 2\n            ^\n"
            ))
    }

    @Test func colourOnlyWhenAsked() throws {
        let plain = try relaychain(["check", "16-spec-version.yaml"])
        #expect(!plain.errors.contains("\u{1B}["))
        let colored = try relaychain(["check", "--color", "always", "16-spec-version.yaml"])
        #expect(colored.errors.contains("\u{1B}[1;31merror[RC110]\u{1B}[0m"))
    }

    @Test func schemaCommandPrintsTheCheckedInSchema() throws {
        let result = try relaychain(["schema"])
        #expect(result.status == 0)
        let checkedIn = try String(
            contentsOf: Self.root.appendingPathComponent("schema/relaychain.schema.json"), encoding: .utf8)
        #expect(result.output == checkedIn)
    }

    @Test func helpShowsExamplesAndVersionIsPrinted() throws {
        for command in [["--help"], ["check", "--help"], ["schema", "--help"]] {
            let help = try relaychain(command)
            #expect(help.status == 0)
            #expect(help.output.contains("Example"), "\(command)")
        }
        let version = try relaychain(["--version"])
        #expect(version.status == 0)
        #expect(version.output.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+\n$"#, options: .regularExpression) != nil)
    }

    private func expectGolden(
        _ actual: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RELAYCHAIN_RECORD"] == "1" {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            Issue.record(
                "recorded \(name); review it and run again without RELAYCHAIN_RECORD", sourceLocation: sourceLocation)
            return
        }
        let expected =
            (try? String(contentsOf: url, encoding: .utf8))
            ?? "<missing \(name): record with RELAYCHAIN_RECORD=1 swift test>"
        #expect(
            actual == expected, "\(name) differs (re-record with RELAYCHAIN_RECORD=1 swift test and review the diff)",
            sourceLocation: sourceLocation)
    }
}
