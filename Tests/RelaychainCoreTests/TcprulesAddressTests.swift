import Foundation
import TestSupport
import Testing

@testable import RelaychainCore

/// Lint's reading of rule addresses agrees with the real tcprules and tcprulescheck: every
/// address lint accepts compiles, and matches exactly the clients tcprulescheck says it does;
/// every address lint refuses is one tcprules refuses or one that matches no client.
struct TcprulesAddressTests {
    static let patterns = [
        "127.", "192.0.2.", "192.0.2.7", "192.0.2.37-53", "202-203.", "10.1-3.", "198.51.100.0-9", "10.",
        "192.0.2.9-3", "300.1.", "10.0.0.0/8", "1-2-3.", "192.0.2", "::1", "2001:db8:", "=mail.example.org",
        "=.example.org", "=", "joe@192.0.2.5", "192.0.2.1-", "2001:db8:1", "2001:db8:1:", "2001:0db8:", "2001:DB8:",
        "2001:db8::", "2001:db8::5", "2001:db8:1::5", "fe80::1",
    ]
    static let clients = [
        "127.0.0.1", "192.0.2.7", "192.0.2.36", "192.0.2.37", "192.0.2.45", "192.0.2.53", "192.0.2.54", "202.1.2.3",
        "203.0.113.9", "204.0.0.1", "10.2.3.4", "10.4.0.1", "198.51.100.5", "198.51.100.10", "::1", "2001:db8::5",
        "2001:db8:1::5", "2001:db8:1f::5",
    ]

    /// The first rule tcprulescheck applies to each client, or nil when tcprules refuses the line.
    static func tcprulesAnswers(_ pattern: String) throws -> [String]? {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-tcpaddr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let source = "\(pattern):allow,HIT=\"1\"\n:allow\n"
        let compiled = try runProcess(
            TcprulesTests.tcprules, ["tcp.cdb", "tcp.tmp"], input: Data(source.utf8), environment: [:],
            directory: scratch)
        guard compiled.status == 0 else { return nil }
        return try clients.map { client in
            try runProcess(
                TcprulesTests.tcprulescheck, [scratch.appendingPathComponent("tcp.cdb").path],
                environment: ["TCPREMOTEIP": client]
            ).output
        }
    }

    @Test(arguments: patterns)
    func lintAgreesWithTcprules(_ pattern: String) throws {
        let answers = try Self.tcprulesAnswers(pattern)
        let hits = answers?.map { $0.contains("HIT=1") }
        if RelayNetwork.ruleProblem(with: pattern) == nil {
            let compiled = try #require(hits, "lint accepts '\(pattern)', tcprules refuses it")
            // Host names and info@ need a reverse lookup or ident, which tcprulescheck is not given here.
            let expected = Self.clients.map {
                pattern.contains("=") || pattern.contains("@") ? false : RelayNetworkMatch.matches($0, pattern)
            }
            #expect(compiled == expected, "'\(pattern)': tcprulescheck and lint disagree on who matches")
        } else {
            #expect(hits.map { !$0.contains(true) } ?? true, "lint refuses '\(pattern)', which tcprules compiles")
        }
    }
}
