import Foundation
import RelaychainCore
import TestSupport
import Testing

/// The emitted tcp.rules, compiled by the real tcprules and read back by the real tcprulescheck
/// (ucspi-tcp-ipv6): each client gets exactly the decision and variables the spec says.
struct TcprulesTests {
    static let tcprules = "/usr/bin/tcprules"
    static let tcprulescheck = "/usr/bin/tcprulescheck"

    /// What tcprulescheck says about one client of rules compiled from `source`.
    static func check(_ source: String, clients: [String]) throws -> [String] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-tcprules-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let compiled = try runProcess(
            tcprules, ["tcp.cdb", "tcp.tmp"], input: Data(source.utf8), environment: [:], directory: scratch)
        #expect(compiled.status == 0, "tcprules: \(compiled.errors)")
        return try clients.map { client in
            let result = try runProcess(
                tcprulescheck, [scratch.appendingPathComponent("tcp.cdb").path], environment: ["TCPREMOTEIP": client])
            return result.output
        }
    }

    @Test func rulesReachTcpserverAsWritten() throws {
        let result = try BuildTests.build(Fixtures.url("emit", "rules-and-knobs.yaml"))
        let rules = try #require(result.files.first { $0.path == "tcprules/smtp.rules" })
        let answers = try Self.check(rules.contents, clients: ["127.0.0.1", "192.0.2.66", "10.1.2.3", "198.51.100.1"])
        #expect(
            answers == [
                "rule 127.:\nset environment variable RELAYCLIENT=\nallow connection\n",
                "rule 192.0.2.66:\ndeny connection\n",
                "rule 10.:\nset environment variable RBLSMTPD=\nset environment variable GREETDELAY=0\nallow "
                    + "connection\n",
                "rule :\nset environment variable RBLSMTPD=-Sorry, \"no\" mail from you\n"
                    + "set environment variable QMAILQUEUE=/usr/pkg/bin/qmail-qfilter-queue\nallow connection\n",
            ])
    }

    /// 300 values full of what tcprules could misread (commas, colons, quotes of one kind, `$`,
    /// backslashes, spaces, non-ASCII) arrive byte for byte; a value with both quotes is refused.
    @Test func hostileValuesArriveByteForByte() throws {
        var random = SplitMix64(state: 0x7C9_5EED)
        let pieces = [
            ",", ":", " ", "  ", "$HOME", "\\", "\\\\", "=", "-", "é", "ß", "#", "a", "Z", "0", "*", "\"", "'", "allow",
        ]
        var specs: [(value: String, rules: String)] = []
        while specs.count < 300 {
            var value = (0..<(1 + random.below(6))).map { _ in random.pick(pieces) }.joined()
            if value.contains("\"") && value.contains("'") { value = value.replacing("'", with: "") }
            let text = """
                relaychain: 1
                windows: {w: {store: /s}}
                services:
                  m: {server: dovecot, version: "2.3", protocols: [imap], grants: w}
                  s:
                    server: qmail-smtpd
                    run-by: daemontools
                    checks: w
                    rules: [{from: "192.0.2.", set: {GREETING: \(Self.yamlQuoted(value))}}]

                """
            let built = Relaychain.build(path: "p.yaml", bytes: Array(text.utf8), specName: "p.yaml")
            let rules = try #require(built.files.first { $0.path == "service/s/tcp.rules" }, "\(built.diagnostics)")
            specs.append((value, rules.contents))
        }
        for (value, rules) in specs {
            let answer = try Self.check(rules, clients: ["192.0.2.9"])[0]
            #expect(
                answer == "rule 192.0.2.:\nset environment variable GREETING=\(value)\nallow connection\n",
                "value \(value)")
        }
        let both = Relaychain.check(
            SourceFile(
                path: "p.yaml",
                text: """
                    relaychain: 1
                    windows: {w: {store: /s}}
                    services:
                      m: {server: dovecot, version: "2.3", protocols: [imap], grants: w}
                      s: {server: qmail-smtpd, run-by: daemontools, checks: w, rules: [{from: "", set: {G: "a'b\\"c"}}]}

                    """))
        #expect(both.diagnostics.map(\.code) == [.targetCannotCarry])
    }

    static func yamlQuoted(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }
}
