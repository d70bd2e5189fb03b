import Foundation
import TestSupport
import Testing

/// `relaychain grants` and `revoke` on a directory store written by the real relay-ctrl-allow:
/// they list exactly what relay-ctrl-check honours, and a revoked client no longer relays.
@Suite(.enabled(if: getuid() == 0, "the store walk wants root's directories; scripts/test runs as root"))
final class GrantsCommandTests {
    let scratch: URL
    var store: String { scratch.appendingPathComponent("allow").path }
    var spec: String { scratch.appendingPathComponent("spec.yaml").path }

    init() throws {
        scratch = URL(fileURLWithPath: "/tmp/relaychain-grants-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try Data(
            """
            relaychain: 1
            windows:
              relay: { store: \(store), length: 15m }
            services:
              mail: { server: dovecot, version: "2.3", protocols: [imap], grants: relay }
              smtp: { server: qmail-smtpd, run-by: daemontools, checks: relay }

            """.utf8
        ).write(to: URL(fileURLWithPath: spec))
    }

    deinit {
        try? FileManager.default.removeItem(at: scratch)
    }

    func relaychain(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(try BuiltProduct.path("relaychain"), arguments, environment: ["PATH": "/usr/bin:/bin"])
    }

    /// A grant as the login side writes it, dated `age` seconds ago.
    func grant(_ address: String, user: String? = nil, age: Int) throws {
        var environment = ["TCPREMOTEIP": address, "RELAY_CTRL_DIR": store]
        if let user { environment["USER"] = user }
        let allowed = try runProcess(try BuiltProduct.path("relay-ctrl-allow"), ["/bin/true"], environment: environment)
        #expect(allowed.status == 0, "\(allowed.errors)")
        try date(address, age: age)
    }

    func date(_ name: String, age: Int) throws {
        let when = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - Double(age)).rounded(.down))
        try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: "\(store)/\(name)")
    }

    /// relay-ctrl-check's verdict for a client, as the SMTP side runs it.
    func relays(_ address: String) throws -> Bool {
        let checked = try runProcess(
            try BuiltProduct.path("relay-ctrl-check"), ["/usr/bin/printenv", "RELAYCLIENT"],
            environment: ["TCPREMOTEIP": address, "RELAY_CTRL_DIR": store, "RELAY_CTRL_EXPIRY": "900"])
        return checked.status == 0
    }

    @Test func listsWhatTheCheckHonoursAndNothingElse() throws {
        try grant("192.0.2.7", user: "alice", age: 60)
        try grant("2001:db8::5", age: 120)
        try grant("192.0.2.99", age: 1000)  // past the window
        try grant("198.51.100.4", age: -3600)  // an hour ahead
        try FileManager.default.createSymbolicLink(atPath: "\(store)/192.0.2.8", withDestinationPath: "/etc/passwd")
        try Data().write(to: URL(fileURLWithPath: "\(store)/192.000.2.9"))  // not how the tools name it
        for address in ["192.0.2.7", "2001:db8::5", "192.0.2.99", "198.51.100.4", "192.0.2.8", "192.000.2.9"] {
            let listed = ["192.0.2.7", "2001:db8::5"].contains(address)
            #expect(try relays(address) == listed, "\(address): the check and grants must agree")
        }
        let store = self.store
        let granted = { (name: String) in
            Int(
                (try FileManager.default.attributesOfItem(atPath: "\(store)/\(name)")[.modificationDate] as! Date)
                    .timeIntervalSince1970)
        }
        let (alice, other) = (try granted("192.0.2.7"), try granted("2001:db8::5"))
        let json = try relaychain(["grants", spec, "--format", "json"])
        #expect(json.status == 0, "\(json.errors)")
        #expect(
            json.output == """
                [
                  {
                    "window": "relay",
                    "address": "2001:db8::5",
                    "granted": \(other),
                    "ends": \(other + 900),
                    "login": {}
                  },
                  {
                    "window": "relay",
                    "address": "192.0.2.7",
                    "granted": \(alice),
                    "ends": \(alice + 900),
                    "login": {
                      "USER": "alice"
                    }
                  }
                ]

                """)
        let text = try relaychain(["grants", spec])
        let lines = text.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "window relay (\(store), 900s): 2 live", "\(text.output)")
        #expect(lines.count == 3)
        #expect(lines.last?.hasPrefix("  192.0.2.7  granted ") == true && lines.last?.hasSuffix("  USER=alice") == true)
        let metrics = try relaychain(["grants", spec, "--format", "prometheus"])
        #expect(metrics.output.contains("\nrelaychain_live_grants{window=\"relay\"} 2\n"))
        let age = metrics.output.split(separator: "\n").last.flatMap { Int($0.split(separator: " ").last ?? "") }
        #expect(age.map { (120...125).contains($0) } == true, "\(metrics.output)")
    }

    @Test func aRevokedClientNoLongerRelays() throws {
        try grant("192.0.2.7", user: "alice", age: 10)
        try grant("192.0.2.10", age: 10)
        #expect(try relays("192.0.2.7"))
        let revoked = try relaychain(["revoke", spec, "::ffff:192.0.2.7"])
        #expect(revoked.status == 0, "\(revoked.errors)")
        #expect(revoked.output == "relaychain: window relay: ended the grant of 192.0.2.7\n")
        #expect(try !relays("192.0.2.7"))
        #expect(try relays("192.0.2.10"), "only that client's grant ends")
        let again = try relaychain(["revoke", spec, "192.0.2.7"])
        #expect(again.status == 1)
        #expect(again.output == "relaychain: window relay: no grant for 192.0.2.7\n")
        let bad = try relaychain(["revoke", spec, "../../etc/passwd"])
        #expect(bad.status == 2)
        #expect(bad.errors == "relaychain: '../../etc/passwd' is not an IPv4 or IPv6 address\n")
        let unknown = try relaychain(["grants", spec, "--window", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.errors == "relaychain: \(spec) has no window 'nope' (its windows: relay)\n")
    }

    /// In Redis: the ACL lines build emits, loaded into a real redis-server, let the auditor list
    /// and read the grants and nothing else; grants lists what the check honours; revoke writes as
    /// the window's writer, so the check refuses the client at once and Redis forgets the key.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: RedisServer.binary)))
    func redisWindowsAreListedByTheirAuditorAndRevokedByTheirWriter() throws {
        let socket = scratch.appendingPathComponent("redis.sock").path
        let passwords = scratch.appendingPathComponent("passwords").path
        let spec = scratch.appendingPathComponent("redis.yaml").path
        try Data(
            """
            relaychain: 1
            windows:
              relay:
                redis:
                  { socket: \(socket), writer: writer, reader: reader, auditor: auditor, password-dir: \(passwords) }
            services:
              mail: { server: dovecot, version: "2.3", protocols: [imap], grants: relay }
              smtp: { server: qmail-smtpd, run-by: daemontools, checks: relay }

            """.utf8
        ).write(to: URL(fileURLWithPath: spec))
        let output = scratch.appendingPathComponent("out").path
        let built = try relaychain(["build", spec, "--output", output])
        #expect(built.status == 0, "\(built.errors)")
        let acl = try String(contentsOfFile: "\(output)/redis/relay.acl", encoding: .utf8)
        #expect(
            acl == """
                user writer on ~relay-ctrl:* resetchannels -@all +setex
                user reader on ~relay-ctrl:* resetchannels -@all +get
                user auditor on ~relay-ctrl:* resetchannels -@all +scan +get

                """)
        // Each emitted user, with a password (setup on the Redis host gives its hash; SetupRedisUsersTests).
        let secrets = ["writer": "w-secret", "reader": "r-secret", "auditor": "au-secret"]
        let users = acl.split(separator: "\n").map { line in
            "\(line) >\(secrets[String(line.split(separator: " ")[1])]!)"
        }
        let redis = try RedisServer(users: users, socket: socket)
        try FileManager.default.createDirectory(atPath: passwords, withIntermediateDirectories: true)
        for (user, secret) in secrets {
            try Data("\(secret)\n".utf8).write(to: URL(fileURLWithPath: "\(passwords)/\(user).password"))
            try Data("\(secret)\n".utf8).write(to: URL(fileURLWithPath: redis.password(user)))
        }
        func environment(_ user: String, _ address: String) -> [String: String] {
            [
                "TCPREMOTEIP": address, "RELAY_CTRL_REDIS": redis.url(user),
                "RELAY_CTRL_REDIS_PASSWORD_FILE": redis.password(user), "RELAY_CTRL_EXPIRY": "900",
            ]
        }
        func relays(_ address: String) throws -> Bool {
            try runProcess(
                try BuiltProduct.path("relay-ctrl-check"), ["/usr/bin/printenv", "RELAYCLIENT"],
                environment: environment("reader", address)
            ).status == 0
        }
        for address in ["192.0.2.7", "192.0.2.10"] {
            var login = environment("writer", address)
            login["USER"] = "alice"
            let allowed = try runProcess(try BuiltProduct.path("relay-ctrl-allow"), ["/bin/true"], environment: login)
            #expect(allowed.status == 0, "\(allowed.errors)")
        }
        // A key the tools would never write, and one dated far ahead: neither is a grant.
        _ = try redis.cli("admin", ["SET", "relay-ctrl:not-an-address", "x"])
        _ = try redis.cli("admin", ["SET", "relay-ctrl:198.51.100.4", "relay-ctrl-time=4102444800\u{0}"])
        let listed = try relaychain(["grants", spec, "--format", "json"])
        #expect(listed.status == 0, "\(listed.errors) \(listed.output)")
        let parsed = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]]
        #expect(parsed?.compactMap { $0["address"] as? String }.sorted() == ["192.0.2.10", "192.0.2.7"])
        #expect((parsed?.first?["login"] as? [String: String]) == ["USER": "alice"])
        #expect(try redis.cli("auditor", ["SET", "relay-ctrl:192.0.2.99", "x"]).contains("NOPERM"))
        #expect(try redis.cli("auditor", ["GET", "other:key"]).contains("NOPERM"))

        #expect(try relays("192.0.2.7"))
        let revoked = try relaychain(["revoke", spec, "192.0.2.7"])
        #expect(revoked.status == 0, "\(revoked.errors)")
        #expect(revoked.output == "relaychain: window relay: ended any grant of 192.0.2.7 in Redis\n")
        #expect(try !relays("192.0.2.7"))
        #expect(try relays("192.0.2.10"), "only that client's grant ends")
        let after = try relaychain(["grants", spec])
        #expect(after.output.hasPrefix("window relay (redis \(socket) db 0 prefix relay-ctrl:, 900s): 1 live\n"))
        Thread.sleep(forTimeInterval: 2.2)
        #expect(try redis.cli("admin", ["EXISTS", "relay-ctrl:192.0.2.7"]) == "0\n", "Redis forgot the key")
    }

    /// A store reached through a directory another account could change, or through a link, is
    /// neither read nor changed: root would act on whatever that account put there.
    @Test func aStoreOthersCouldSwapIsLeftAlone() throws {
        try grant("192.0.2.7", age: 10)
        #expect(chmod(scratch.path, 0o777) == 0)
        let open = try relaychain(["revoke", spec, "192.0.2.7"])
        #expect(open.status == 1)
        #expect(
            open.errors == "relaychain: window 'relay': \(scratch.path) can be changed by an account other than root\n")
        #expect(try relays("192.0.2.7"), "nothing was removed")
        #expect(chmod(scratch.path, 0o755) == 0)
        let linked = scratch.appendingPathComponent("linked").path
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: store)
        try Data(
            try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(of: store, with: linked).utf8
        ).write(to: URL(fileURLWithPath: spec))
        let listed = try relaychain(["grants", spec])
        #expect(listed.status == 1)
        #expect(
            listed.errors == "relaychain: window 'relay': \(linked) (the store) is a symbolic link or no directory\n")
        #expect(listed.output == "")
    }
}
