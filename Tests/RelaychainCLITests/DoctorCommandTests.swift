import Foundation
import TestSupport
import Testing

/// doctor on a host that has not been set up: exit 1, every failed item with its fix, and no live
/// self-test until the rest holds. (e2e/run runs doctor on a real setup, passing and failing.)
struct DoctorCommandTests {
    @Test func aHostThatWasNotSetUpFailsWithFixes() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-doctor-\(UUID().uuidString)"
        ).path
        let spec = BuildCommandTests.root.appendingPathComponent("examples/debian-dovecot23-daemontools.yaml").path
        let result = try runProcess(
            try BuiltProduct.path("relaychain"), ["doctor", spec, "--output", output, "--format", "json"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 1, "\(result.errors)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(json["holds"] as? Bool == false)
        let items = try #require(json["items"] as? [[String: Any]])
        func item(_ what: String) -> [String: Any]? { items.first { $0["item"] as? String == what } }
        let fresh = try #require(item("\(output) holds what build emits"))
        #expect(fresh["holds"] as? Bool == false)
        #expect(fresh["fix"] as? String == "relaychain build \(spec) --output \(output)")
        let link = try #require(item("/etc/service/smtp links to \(output)/service/smtp"))
        #expect(link["fix"] as? String == "run \(output)/setup (as root)")
        let selfTest = try #require(items.last)
        #expect(selfTest["item"] as? String == "live self-test" && selfTest["holds"] as? Bool == false)
        #expect(selfTest["detail"] as? String == "not run: the items above must hold first")
        for entry in items where entry["holds"] as? Bool == true { #expect(entry["fix"] is NSNull) }
        #expect(!FileManager.default.fileExists(atPath: output), "doctor wrote into the output directory")
    }
}
