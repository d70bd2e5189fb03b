import Foundation
import TestSupport
import Testing

@Suite struct ExplainCommandTests {
    func relaychain(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(
            try BuiltProduct.path("relaychain"), arguments, environment: ["PATH": "/usr/bin:/bin"],
            directory: CheckCommandTests.root)
    }

    func golden(_ actual: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let url = CheckCommandTests.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RELAYCHAIN_RECORD"] == "1" {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            Issue.record(
                "recorded \(name); review it and run again without RELAYCHAIN_RECORD", sourceLocation: sourceLocation)
            return
        }
        #expect(
            actual == ((try? String(contentsOf: url, encoding: .utf8)) ?? "<missing \(name)>"),
            "\(name) differs (re-record with RELAYCHAIN_RECORD=1)", sourceLocation: sourceLocation)
    }

    @Test func loggedInClientRelaysAndEveryFilterStepsAside() throws {
        let result = try relaychain([
            "explain", "examples/netbsd-pkgsrc-dovecot1.yaml", "--service", "smtp", "--client", "192.0.2.7",
            "--logged-in", "5m-ago",
        ])
        #expect(result.status == 0)
        golden(result.output, "explain-logged-in.txt")
    }

    /// In a cluster each host reads the store its own way: through spiped's socket, or its copy
    /// of a replicated Redis; and there is no relay-ctrl-chdir for Redis.
    @Test(arguments: [("cluster", "explain-cluster-spiped.txt"), ("cluster-replicated", "explain-cluster-replica.txt")])
    func aClusterHostReadsWhereItsChainReads(_ spec: String, _ name: String) throws {
        let result = try relaychain([
            "explain", "Tests/RelaychainCoreTests/Fixtures/emit/\(spec).yaml", "--service", "smtp1", "--client",
            "192.0.2.7", "--logged-in", "5m-ago",
        ])
        #expect(result.status == 0)
        #expect(!result.output.contains("relay-ctrl-chdir"))
        golden(result.output, name)
    }

    @Test func strangerIsRefused() throws {
        let result = try relaychain([
            "explain", "examples/netbsd-pkgsrc-dovecot1.yaml", "--service", "smtp", "--client", "192.0.2.7",
            "--not-logged-in",
        ])
        #expect(result.status == 0)
        golden(result.output, "explain-stranger.txt")
    }

    @Test func expiredIPv6ClientIsRefusedInJSON() throws {
        let result = try relaychain([
            "explain", "examples/debian-dovecot23-daemontools.yaml", "--service", "smtp", "--client", "2001:DB8::7",
            "--logged-in", "20m-ago", "--format", "json",
        ])
        #expect(result.status == 0)
        golden(result.output, "explain-expired.json")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(parsed?["client"] as? String == "2001:db8::7")
        #expect(parsed?["relays"] as? Bool == false)
        #expect(parsed?["verdict"] as? String == "refused by rblsmtpd")
    }

    @Test func relayNetworkMemberRelaysWithoutLogin() throws {
        let result = try relaychain([
            "explain", "examples/debian-dovecot23-daemontools.yaml", "--service", "submission", "--client", "127.0.0.1",
            "--not-logged-in", "--format", "json",
        ])
        let parsed = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(parsed?["relays"] as? Bool == true)
    }

    /// Each step as data: what the program decides for this client and the code of why.
    @Test func stepsAreDataWithADecisionAndAReason() throws {
        let result = try relaychain([
            "explain", "examples/debian-dovecot23-daemontools.yaml", "--service", "smtp", "--client", "192.0.2.7",
            "--logged-in", "5m-ago", "--format", "json",
        ])
        let parsed = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let steps = try #require(parsed?["steps"] as? [[String: Any]])
        let decided = steps.map { "\($0["program"] ?? "") \($0["decision"] ?? "") \($0["reason"] ?? "")" }
        #expect(
            decided == [
                "env runs-next environment-set", "tcpserver runs-next no-rule",
                "relay-ctrl-check runs-next fresh-grant", "ifrelayclient runs-next relayclient-set",
                "softlimit runs-next refuses-nobody", "rblsmtpd steps-aside bypass-set",
                "qmail-smtpd relays relayclient-set",
            ])
    }

    @Test(arguments: [
        (
            ["--service", "pop3", "--client", "192.0.2.7", "--not-logged-in"],
            "relaychain: no qmail-smtpd service named 'pop3' (the spec has: smtp)\n"
        ),
        (
            ["--service", "smtp", "--client", "../x", "--not-logged-in"],
            "relaychain: '../x' is not an IPv4 or IPv6 address\n"
        ),
    ])
    func badServiceOrClientIsAUsageError(_ arguments: [String], _ message: String) throws {
        let result = try relaychain(["explain", "examples/netbsd-pkgsrc-dovecot1.yaml"] + arguments)
        #expect(result.status == 2)
        #expect(result.errors == message)
    }

    @Test(arguments: [["--logged-in", "soon"], ["--logged-in", "5m-ago", "--not-logged-in"], []])
    func clientClassMustBeSaidOnce(_ arguments: [String]) throws {
        let result = try relaychain(
            ["explain", "examples/netbsd-pkgsrc-dovecot1.yaml", "--service", "smtp", "--client", "192.0.2.7"]
                + arguments)
        #expect(result.status == 2)
    }
}
