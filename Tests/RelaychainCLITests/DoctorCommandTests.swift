import Foundation
import TestSupport
import Testing

/// doctor on a host that has not been set up: exit 1, every failed item with its fix, and the live
/// self-test's items skipped until the rest holds. (e2e/run runs doctor on a real setup, passing and failing.)
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
        func command(_ entry: [String: Any]) -> String? { (entry["fix"] as? [String: Any])?["command"] as? String }
        let fresh = try #require(item("\(output) holds what build emits"))
        #expect(fresh["holds"] as? Bool == false && fresh["status"] as? String == "fail")
        #expect(fresh["id"] as? String == "output")
        #expect(command(fresh) == "relaychain build \(spec) --output \(output)")
        let link = try #require(item("/etc/service/smtp links to \(output)/service/smtp"))
        #expect(link["id"] as? String == "link:smtp")
        #expect(command(link) == "\(output)/setup")
        #expect((link["fix"] as? [String: Any])?["advice"] as? String == "run setup as root")
        // The live self-test is listed item by item, skipped, as it would run once the rest holds.
        let skipped = items.filter { $0["status"] as? String == "skip" }
        #expect(
            skipped.compactMap { $0["id"] as? String } == [
                "self-test-grant:mail", "self-test-relay:smtp", "self-test-relay:submission",
            ])
        #expect(skipped.allSatisfy { $0["evidence"] as? String == "skipped: the items above must hold first" })
        #expect(skipped.allSatisfy { $0["holds"] as? Bool == false })
        #expect(
            skipped.first?["item"] as? String
                == "a login on service 'mail' from a TEST-NET address records a grant in /var/spool/relay-ctrl/allow")
        let text = try runProcess(
            try BuiltProduct.path("relaychain"), ["doctor", spec, "--output", output],
            environment: ["PATH": "/usr/bin:/bin"])
        let failing = items.filter { $0["status"] as? String == "fail" }.count
        #expect(
            text.output.hasSuffix("doctor: \(failing) of \(items.count) items fail (3 skipped)\n"), "\(text.output)")
        #expect(text.output.contains("\nskip service 'smtp' relays for that client after that login\n"))
        for entry in items where entry["holds"] as? Bool == true { #expect(entry["fix"] is NSNull) }
        let ids = items.compactMap { $0["id"] as? String }
        #expect(ids.count == items.count && Set(ids).count == ids.count, "every item has an id of its own")
        #expect(!FileManager.default.fileExists(atPath: output), "doctor wrote into the output directory")
    }

    /// Every fix doctor gives as a command runs: relaychain's own are run (build's makes the output
    /// item hold), setup's is what build writes, and each other program is on the host's PATH.
    @Test func everyFixCommandRuns() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-fixes-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let spec = BuildCommandTests.root.appendingPathComponent("examples/debian-dovecot23-daemontools.yaml").path
        let relaychain = try BuiltProduct.path("relaychain")
        func doctor() throws -> [[String: Any]] {
            let result = try runProcess(
                relaychain, ["doctor", spec, "--output", output, "--format", "json"],
                environment: ["PATH": "/usr/bin:/bin"])
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            return try #require(json?["items"] as? [[String: Any]])
        }
        let commands = try doctor().compactMap { ($0["fix"] as? [String: Any])?["command"] as? String }
        #expect(commands.contains("relaychain build \(spec) --output \(output)"))
        #expect(commands.contains("\(output)/setup"))
        let path = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        for command in Set(commands) {
            let words = command.split(separator: " ").map(String.init)
            if words.first == "relaychain" {
                let ran = try runProcess(relaychain, Array(words.dropFirst()), environment: ["PATH": "/usr/bin:/bin"])
                #expect(ran.status != 2, "\(command): \(ran.errors)")
            } else if words.first == "\(output)/setup" {
                continue  // checked below, once build has written it
            } else {
                let program = try #require(words.first)
                let found = program.hasPrefix("/") ? [program] : path.map { "\($0)/\(program)" }
                #expect(found.contains { FileManager.default.isExecutableFile(atPath: $0) }, "\(command)")
            }
        }
        #expect(FileManager.default.isExecutableFile(atPath: "\(output)/setup"), "build's fix wrote the output")
        let again = try doctor()
        #expect(again.first { $0["id"] as? String == "output" }?["holds"] as? Bool == true)
    }

    /// A cluster spec: doctor asks which host this is, then checks that host's part of the output.
    @Test func aClusterHostIsCheckedByItsPart() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-cluster-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let spec = BuildCommandTests.root.appendingPathComponent("Tests/RelaychainCoreTests/Fixtures/emit/cluster.yaml")
            .path
        let relaychain = try BuiltProduct.path("relaychain")
        #expect(try runProcess(relaychain, ["build", spec, "--output", output]).status == 0)
        let unnamed = try runProcess(relaychain, ["doctor", spec, "--output", "\(output)/mx1"])
        #expect(unnamed.status == 2)
        #expect(
            unnamed.errors
                == "relaychain: \(spec) describes a cluster; say which host this is: --host imap1|mx1|mx2|store1\n")
        let named = try runProcess(
            relaychain, ["doctor", spec, "--host", "mx1", "--output", "\(output)/mx1", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(named.output.utf8)) as? [String: Any])
        let items = try #require(json["items"] as? [[String: Any]])
        let fresh = items.first { $0["item"] as? String == "\(output)/mx1 holds what build emits" }
        #expect(fresh?["holds"] as? Bool == true, "mx1's part of the output is what build emits for mx1")
        #expect(
            items.contains { ($0["item"] as? String)?.hasPrefix("program /usr/local/bin/relay-ctrl-check") == true })
        #expect(
            !items.contains { ($0["item"] as? String)?.contains("postlogin") == true }, "imap1's Dovecot is not mx1's")
        // The build's own directory, as build was given it, names the same part.
        let root = try runProcess(
            relaychain, ["doctor", spec, "--host", "mx1", "--output", output, "--format", "json"])
        let rooted = try #require(try JSONSerialization.jsonObject(with: Data(root.output.utf8)) as? [String: Any])
        let rootItems = try #require(rooted["items"] as? [[String: Any]])
        #expect(rootItems.map { $0["item"] as? String } == items.map { $0["item"] as? String })
    }

    /// A store below a directory others can change: doctor names that directory, as setup refuses it.
    @Test func aStoreBelowADirectoryOthersCanChangeFails() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-above-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createDirectory(
            at: base.appendingPathComponent("open"), withIntermediateDirectories: true)
        #expect(chmod(base.appendingPathComponent("open").path, 0o777) == 0)
        let store = base.appendingPathComponent("open/relay/allow").path
        let spec = base.appendingPathComponent("spec.yaml").path
        try """
        relaychain: 1
        platform: { profile: debian }
        windows:
          relay: { store: \(store) }
        services:
          mail: { server: dovecot, version: "2.3", protocols: [imap], grants: relay }
          smtp: { server: qmail-smtpd, run-by: daemontools, checks: relay }

        """.write(toFile: spec, atomically: true, encoding: .utf8)
        let result = try runProcess(
            try BuiltProduct.path("relaychain"),
            ["doctor", spec, "--output", base.appendingPathComponent("out").path, "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let items = try #require(json["items"] as? [[String: Any]])
        let above = try #require(
            items.first {
                $0["item"] as? String == "every directory above \(store) is root's "
                    + "and no one else can change it"
            })
        #expect(above["holds"] as? Bool == false)
        // As root the test's own directories are root's; otherwise they are named first.
        let detail = try #require(above["evidence"] as? String)
        #expect(detail.hasSuffix("\(base.path)/open can be changed by others (mode 777)"), "\(detail)")
        #expect(geteuid() != 0 || detail == "\(base.path)/open can be changed by others (mode 777)")
    }

    /// Redis does not slow guesses: doctor warns about a short password, and is quiet about a long one.
    @Test(.enabled(if: geteuid() == 0, "doctor reads password files as root"))
    func aShortRedisPasswordIsAWarning() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("relaychain-pw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        let spec = base.appendingPathComponent("spec.yaml").path
        try """
        relaychain: 1
        platform: { profile: debian }
        windows:
          relay: { redis: { socket: /run/redis/redis.sock, password-dir: \(base.path) } }
        services:
          mail: { server: dovecot, version: "2.3", protocols: [imap], grants: relay }
          smtp: { server: qmail-smtpd, run-by: daemontools, checks: relay }

        """.write(toFile: spec, atomically: true, encoding: .utf8)
        let file = base.appendingPathComponent("relay-reader.password").path
        func item() throws -> [String: Any] {
            let result = try runProcess(
                try BuiltProduct.path("relaychain"),
                ["doctor", spec, "--output", base.appendingPathComponent("out").path, "--format", "json"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
            let items = try #require(json["items"] as? [[String: Any]])
            return try #require(
                items.first { $0["item"] as? String == "\(file) holds a long password (32 characters or more)" })
        }
        try "short-secret\n".write(toFile: file, atomically: true, encoding: .utf8)
        let short = try item()
        #expect(short["warning"] as? Bool == true)
        #expect(short["evidence"] as? String == "12 characters: Redis checks tens of thousands a second")
        try (String(repeating: "a1", count: 32) + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try item()["warning"] as? Bool == false)
    }
}
