import Foundation
import RelaychainCore

/// doctor's live self-test: a grant for a TEST-NET address, written as the login side writes it,
/// must be seen by each SMTP chain of the window. Its items are listed on every run: skipped, and
/// why, when what they need failed.
extension HostDoctor {
    /// The live self-test's items, by what they check; `address` nil before one is chosen.
    func grantItem(_ test: Deployment.SelfTest, address: String? = nil) -> (id: String, what: String) {
        (
            "self-test-grant:\(test.grant.service)",
            "a login on service '\(test.grant.service)' from \(address ?? "a TEST-NET address") records a grant in "
                + test.store
        )
    }

    func relayItem(_ check: Deployment.ProbeCommand, address: String? = nil) -> (id: String, what: String) {
        (
            "self-test-relay:\(check.service)",
            "service '\(check.service)' relays for \(address ?? "that client") after that login"
        )
    }

    mutating func skip(_ item: (id: String, what: String), _ why: String) {
        items.append(
            Item(
                id: item.id, what: item.what, holds: false, detail: "skipped: \(why)",
                fix: .run(Self.doctorCommand(specPath, output: output), "fix the items above, then run doctor again"),
                skipped: true))
    }

    mutating func selfTest() {
        for test in deployment.selfTests {
            let address = "192.0.2.\(Int.random(in: 1...254))"
            let grantFile = "\(test.store)/\(address)"
            let granted = run(test.grant, address: address)
            // A Redis grant has no file: the SMTP side seeing it below is the test (its key expires).
            let written = test.inRedis ? granted.status == 0 : FileManager.default.fileExists(atPath: grantFile)
            let grant = grantItem(test, address: address)
            add(
                grant.id, grant.what, granted.status == 0 && written,
                "exit \(granted.status); \(granted.errors.trimmed)",
                fix: .advice("run the login side by hand with IP=\(address) and read its log line"))
            guard written else {
                for check in test.checks { skip(relayItem(check), "no grant was recorded") }
                continue
            }
            for check in test.checks {
                let seen = run(check, address: address)
                let relays = seen.output.split(separator: "\n").contains { $0 == "RELAYCLIENT=\(test.relayClient)" }
                let relay = relayItem(check, address: address)
                add(
                    relay.id, relay.what, seen.status == 0 && relays,
                    "exit \(seen.status), RELAYCLIENT \(relays ? "set" : "not set"); \(seen.errors.trimmed)",
                    fix: .run(
                        ExplainCommand.invocation(spec: specPath, service: check.service, client: address),
                        "see what the chain does"))
            }
            if !test.inRedis { unlink(grantFile) }
        }
    }

    func run(_ command: Deployment.ProbeCommand, address: String) -> HostCommand.Result {
        func fill(_ words: [String]) -> [String] {
            words.map { $0.replacing(Deployment.addressPlaceholder, with: address) }
        }
        var argv = fill(command.asRoot)
        if let user = command.user {
            argv +=
                [me, "probe-as", user] + (command.group.map { ["--group", $0] } ?? []) + ["--"] + fill(command.asUser)
        }
        return HostCommand.run(argv, environment: fill(command.environment), timeout: 15)
    }
}
