import Foundation
import TestSupport
import Testing

/// --format and --color are one option group: the same words on every command, each command
/// refusing a format it has no use for before doing anything.
struct OutputOptionsTests {
    func relaychain(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(
            try BuiltProduct.path("relaychain"), arguments, environment: ["PATH": "/usr/bin:/bin"],
            directory: CheckCommandTests.root)
    }

    static let spec = "examples/debian-dovecot23-daemontools.yaml"

    @Test(arguments: [
        (["build", spec, "--format", "json"], "Error: build prints text or github, not json"),
        (["doctor", spec, "--format", "github"], "Error: doctor prints text or json, not github"),
        (
            ["explain", spec, "--service", "smtp", "--client", "192.0.2.7", "--not-logged-in", "--format", "github"],
            "Error: explain prints text or json, not github"
        ),
    ])
    func aFormatACommandHasNoUseForIsAUsageError(_ arguments: [String], _ message: String) throws {
        let result = try relaychain(arguments)
        #expect(result.status == 2)
        #expect(result.errors.hasPrefix(message + "\n"), "\(result.errors)")
        #expect(result.output.isEmpty)
    }

    @Test func buildReportsDiagnosticsAsWorkflowAnnotations() throws {
        let spec = try String(contentsOf: CheckCommandTests.root.appendingPathComponent(Self.spec), encoding: .utf8)
            .replacing("rblsmtpd -r zen.spamhaus.org", with: "rblsmtpd zen.spamhaus.org")
        #expect(spec.contains("rblsmtpd zen.spamhaus.org"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("relaychain-gh-\(getpid()).yaml")
        try spec.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try relaychain(["build", file.path, "--format", "github", "--stdout"])
        #expect(result.status == 1)
        #expect(result.output.hasPrefix("::error file=\(file.path),line=34,col=18,title=RC135::"), "\(result.output)")
    }

    @Test func colourIsTheSameChoiceEverywhere() throws {
        let explain = ["explain", Self.spec, "--service", "smtp", "--client", "192.0.2.7", "--not-logged-in"]
        let plain = try relaychain(explain)
        #expect(plain.output.contains("verdict: refused by rblsmtpd\n"))
        let coloured = try relaychain(explain + ["--color", "always"])
        #expect(coloured.output.contains("verdict: \u{1B}[1;31mrefused by rblsmtpd\u{1B}[0m\n"))
        let doctor = try relaychain(["doctor", Self.spec, "--output", "/nonexistent/relaychain", "--color", "always"])
        #expect(doctor.status == 1)
        #expect(doctor.output.contains("\u{1B}[1;31mFAIL\u{1B}[0m /nonexistent/relaychain holds what build emits"))
        let never = try relaychain(["doctor", Self.spec, "--output", "/nonexistent/relaychain", "--color", "never"])
        #expect(never.output.contains("FAIL /nonexistent/relaychain holds what build emits"))
    }
}
