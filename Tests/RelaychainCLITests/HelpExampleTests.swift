import Foundation
import TestSupport
import Testing

@testable import relaychain

/// What relaychain prints for the administrator to run must run: doctor's fix for a chain that
/// does not relay, and every example file each command's help names.
struct HelpExampleTests {
    @Test func doctorsExplainFixIsACommandThatRuns() throws {
        let line = ExplainCommand.invocation(
            spec: "examples/debian-dovecot23-daemontools.yaml", service: "smtp", client: "192.0.2.7")
        let words = line.split(separator: " ").map(String.init)
        #expect(words.first == "relaychain")
        let result = try runProcess(
            try BuiltProduct.path("relaychain"), Array(words.dropFirst()), environment: ["PATH": "/usr/bin:/bin"],
            directory: CheckCommandTests.root)
        #expect(result.status == 0, "\(line): \(result.errors)")
        #expect(result.output.contains("192.0.2.7"), "\(result.output)")
    }

    @Test func everyExampleFileAHelpNamesExists() throws {
        let helps = [
            CheckCommand.configuration.discussion, BuildCommand.configuration.discussion,
            ExplainCommand.configuration.discussion, DoctorCommand.configuration.discussion,
            ImportCommand.configuration.discussion,
        ]
        var named: [String] = []
        for help in helps {
            for word in help.split(whereSeparator: { $0 == " " || $0 == "\n" })
            where word.hasPrefix("examples/") && word.hasSuffix(".yaml") {
                named.append(String(word))
            }
        }
        #expect(!named.isEmpty)
        let examples = try FileManager.default.contentsOfDirectory(
            atPath: CheckCommandTests.root.appendingPathComponent("examples").path)
        // A glob (examples/*.yaml) must match something; a name must exist.
        let missing = named.filter { name in
            let file = String(name.dropFirst("examples/".count))
            return file == "*.yaml" ? !examples.contains { $0.hasSuffix(".yaml") } : !examples.contains(file)
        }
        #expect(missing == [], "help names example files that do not exist")
    }
}
