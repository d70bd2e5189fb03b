import Foundation
import TestSupport
import Testing

/// The emitted `setup`, run for real under `--root` (as root: it changes owners, as on a host).
@Suite(.enabled(if: getuid() == 0, "setup changes owners; scripts/test runs as root"))
struct SetupScriptTests {
    let scratch: URL
    var output: String { scratch.appendingPathComponent("out").path }
    var root: String { scratch.appendingPathComponent("root").path }

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("relaychain-setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func build(_ spec: String) throws {
        let result = try runProcess(
            try BuiltProduct.path("relaychain"), ["build", spec, "--output", output],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.errors)")
    }

    func setup(_ arguments: [String]) throws -> ProcessResult {
        try runProcess("\(output)/setup", arguments, environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
    }

    func example(_ name: String) -> String {
        BuildCommandTests.root.appendingPathComponent("examples/\(name).yaml").path
    }

    /// Every file and directory under a path, with owner and mode, to see that nothing changed.
    func tree(_ path: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        return try walker.compactMap { $0 as? String }.sorted().map { name in
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(path)/\(name)")
            return "\(name) \(attributes[.ownerAccountID]!) \(attributes[.posixPermissions]!)"
        }
    }

    func stat(_ path: String) throws -> (uid: Int, gid: Int, mode: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (
            (attributes[.ownerAccountID] as! NSNumber).intValue,
            (attributes[.groupOwnerAccountID] as! NSNumber).intValue,
            (attributes[.posixPermissions] as! NSNumber).intValue
        )
    }

    func ids(_ user: String) throws -> (uid: Int, gid: Int) {
        let account = try #require(accountIDs(user), "no account \(user) (scripts/test creates qmaild and qmaill)")
        return (Int(account.uid), Int(account.gid))
    }

    @Test func dryRunPrintsEveryActionAndChangesNothing() throws {
        try build(example("debian-dovecot23-daemontools"))
        let before = try tree(output)
        let result = try setup(["--dry-run", "--root", root])
        #expect(result.status == 0, "\(result.errors)")
        let store = "\(root)/var/spool/relay-ctrl/allow"
        let dovecot = try ids("dovecot")
        let qmaild = try ids("qmaild")
        let qmaill = try ids("qmaill")
        #expect(
            result.output == """
                would create directory \(root)/var/spool/relay-ctrl
                would give \(root)/var/spool/relay-ctrl owner 0, group \(dovecot.gid), mode 710
                would create directory \(store)
                would give \(store) owner \(dovecot.uid), group \(qmaild.gid), mode 2770
                would create directory \(output)/service/smtp/log/main
                would give \(output)/service/smtp/log/main owner \(qmaill.uid), group \(qmaill.gid), mode 750
                would compile \(output)/service/smtp/tcp.cdb from tcp.rules
                would create directory \(output)/service/submission/log/main
                would give \(output)/service/submission/log/main owner \(qmaill.uid), group \(qmaill.gid), mode 750
                would compile \(output)/service/submission/tcp.cdb from tcp.rules
                would create directory \(root)/usr/local/libexec/relaychain
                would install \(root)/usr/local/libexec/relaychain/mail-postlogin
                would create directory \(root)/etc/dovecot/conf.d
                would install \(root)/etc/dovecot/conf.d/relaychain-mail.conf
                would create directory \(root)/etc/cron.d
                would install \(root)/etc/cron.d/relaychain-debian-dovecot23-daemontools
                would create directory \(root)/etc/service
                would link \(root)/etc/service/smtp to \(output)/service/smtp (the supervisor starts it)
                would create directory \(root)/etc/service
                would link \(root)/etc/service/submission to \(output)/service/submission (the supervisor starts it)
                setup: still to do:
                then: doveadm reload
                setup: 20 actions (dry run: nothing changed)

                """)
        #expect(!FileManager.default.fileExists(atPath: root), "--dry-run created \(root)")
        #expect(try tree(output) == before, "--dry-run changed the output directory")
    }

    @Test func aSecondRunHasNothingToDo() throws {
        try build(example("debian-dovecot23-daemontools"))
        let first = try setup(["--root", root])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.hasSuffix("setup: 19 actions done\n"), "\(first.output)")
        let second = try setup(["--root", root])
        #expect(second.status == 0 && second.errors.isEmpty, "\(second.errors)")
        #expect(second.output == "setup: nothing to do\n")

        let dovecot = try ids("dovecot")
        let qmaild = try ids("qmaild")
        let qmaill = try ids("qmaill")
        let store = try stat("\(root)/var/spool/relay-ctrl/allow")
        #expect(store.uid == dovecot.uid && store.gid == qmaild.gid && store.mode == 0o2770)
        // Its parent: root's; dovecot's group may pass, nobody else may enter.
        let parent = try stat("\(root)/var/spool/relay-ctrl")
        #expect(parent.uid == 0 && parent.gid == dovecot.gid && parent.mode == 0o710)
        let log = try stat("\(output)/service/smtp/log/main")
        #expect(log.uid == qmaill.uid && log.mode == 0o750)
        let cron = try String(
            contentsOfFile: "\(root)/etc/cron.d/relaychain-debian-dovecot23-daemontools", encoding: .utf8)
        #expect(
            cron.hasSuffix(
                "* * * * * root /usr/bin/env - RELAY_CTRL_DIR='/var/spool/relay-ctrl/allow' "
                    + "RELAY_CTRL_EXPIRY='900' /usr/local/bin/relay-ctrl-age\n"))
        #expect(try stat("\(root)/etc/cron.d/relaychain-debian-dovecot23-daemontools").mode == 0o644)
        #expect(FileManager.default.fileExists(atPath: "\(output)/service/smtp/tcp.cdb"))
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/etc/service/smtp")
                == "\(output)/service/smtp")

        // A wrong mode and a newer tcp.rules are put right, and only they.
        chmod("\(root)/var/spool/relay-ctrl/allow", 0o777)
        Thread.sleep(forTimeInterval: 0.05)
        _ = FileManager.default.createFile(
            atPath: "\(output)/service/smtp/tcp.rules",
            contents: try Data(contentsOf: URL(fileURLWithPath: "\(output)/service/smtp/tcp.rules")))
        let third = try setup(["--root", root])
        #expect(
            third.output == """
                setup: give \(root)/var/spool/relay-ctrl/allow owner \(dovecot.uid), group \(qmaild.gid), mode 2770
                setup: compile \(output)/service/smtp/tcp.cdb from tcp.rules
                setup: 2 actions done

                """)
    }

    /// rules-cdb: the real tcprules compiles the service's rules to that path, with its NAME.tmp
    /// beside it, and tcprulescheck finds the relay rule there.
    @Test func rulesCompileToTheirNamedCDB() throws {
        let spec = scratch.appendingPathComponent("spec.yaml")
        try Data(
            """
            relaychain: 1
            platform: {profile: debian}
            windows: {relay: {store: /var/spool/relay/allow}}
            services:
              mail: {server: dovecot, version: "2.3", protocols: [imap], grants: relay}
              smtp: {server: qmail-smtpd, run-by: daemontools, port: 25, checks: relay,
                     relay-networks: ["127."], rules-cdb: /etc/tcp.smtp.cdb}

            """.utf8
        ).write(to: spec)
        try build(spec.path)
        let run = try String(contentsOfFile: "\(output)/service/smtp/run", encoding: .utf8)
        #expect(run.contains(" -x /etc/tcp.smtp.cdb "), "\(run)")
        try FileManager.default.createDirectory(atPath: "\(root)/etc", withIntermediateDirectories: true)
        let done = try setup(["--root", root])
        #expect(done.status == 0, "\(done.errors)")
        #expect(done.output.contains("setup: compile \(root)/etc/tcp.smtp.cdb from tcp.rules\n"), "\(done.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/etc").sorted().contains("tcp.smtp.cdb"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/etc/tcp.smtp.tmp"))
        #expect(!FileManager.default.fileExists(atPath: "\(output)/service/smtp/tcp.cdb"))
        let checked = try runProcess(
            "/usr/bin/tcprulescheck", ["\(root)/etc/tcp.smtp.cdb"],
            environment: ["TCPREMOTEIP": "127.0.0.1", "PATH": "/usr/bin:/bin"])
        #expect(checked.output == "rule 127.:\nset environment variable RELAYCLIENT=\nallow connection\n", "\(checked)")
        let again = try setup(["--root", root])
        #expect(again.output == "setup: nothing to do\n", "\(again.output)")
    }

    /// A spec renamed and built into the same output: setup takes back the cron.d file it installed
    /// under the old name, and leaves one the administrator changed since (named, not removed).
    @Test func whatAnEarlierBuildInstalledIsTakenBackWhileUnchanged() throws {
        let old = scratch.appendingPathComponent("mail-a.yaml")
        try FileManager.default.copyItem(atPath: example("debian-dovecot23-daemontools"), toPath: old.path)
        try build(old.path)
        #expect(try setup(["--root", root]).status == 0)
        let oldCron = "\(root)/etc/cron.d/relaychain-mail-a"
        #expect(FileManager.default.fileExists(atPath: oldCron))
        let renamed = scratch.appendingPathComponent("mail-b.yaml")
        try FileManager.default.moveItem(at: old, to: renamed)
        try build(renamed.path)
        let dry = try setup(["--root", root, "--dry-run"])
        #expect(dry.output.contains("would remove \(oldCron): an earlier build installed it and this one does not\n"))
        #expect(FileManager.default.fileExists(atPath: oldCron), "a dry run removes nothing")
        let done = try setup(["--root", root])
        #expect(done.status == 0, "\(done.errors)")
        #expect(done.output.contains("setup: remove \(oldCron): an earlier build installed it and this one does not\n"))
        #expect(!FileManager.default.fileExists(atPath: oldCron))
        #expect(FileManager.default.fileExists(atPath: "\(root)/etc/cron.d/relaychain-mail-b"))
        // Edited by hand, then no longer built: it stays.
        try FileManager.default.moveItem(at: renamed, to: old)
        try build(old.path)
        #expect(try setup(["--root", root]).status == 0)
        let edited = "\(root)/etc/cron.d/relaychain-mail-b"
        #expect(!FileManager.default.fileExists(atPath: edited), "taken back when unchanged")
        try Data("# mine now\n".utf8).write(to: URL(fileURLWithPath: oldCron), options: .atomic)
        try FileManager.default.moveItem(at: old, to: renamed)
        try build(renamed.path)
        let kept = try setup(["--root", root])
        #expect(
            kept.output.contains(
                "left alone: \(oldCron) (an earlier build installed it; it has changed since, "
                    + "so remove it yourself)\n"),
            "\(kept.output)")
        #expect(try String(contentsOfFile: oldCron, encoding: .utf8) == "# mine now\n")
        #expect(try setup(["--root", root]).output.contains("left alone") == false, "said once, then forgotten")
    }

    /// Under a caller's umask of 002, what setup creates is still writable by root alone: it would
    /// otherwise refuse, on its next step, the very directories it just made.
    @Test func aLooseUmaskMakesNoDirectoryOthersCanChange() throws {
        try build(example("debian-dovecot23-daemontools"))
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let done = try runProcess(
            "/bin/sh", ["-c", "umask 002 && exec \"$0\" --root \"$1\"", "\(output)/setup", root],
            environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
        #expect(done.status == 0, "\(done.errors)")
        for path in ["etc", "etc/cron.d", "var", "var/spool", "usr/local/libexec/relaychain"] {
            #expect(try stat("\(root)/\(path)").mode & 0o022 == 0, "\(path)")
        }
        #expect(try stat("\(output)/.relaychain-installed").mode & 0o777 == 0o644)
    }

    /// setup never removes or replaces what it did not make: a service name that is taken is reported.
    @Test func aTakenServiceLinkIsLeftAlone() throws {
        try build(example("debian-dovecot23-daemontools"))
        try FileManager.default.createDirectory(atPath: "\(root)/etc/service/smtp", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(root)/etc/service/smtp/run", contents: Data("#!/bin/sh\n".utf8))
        let result = try setup(["--root", root])
        #expect(result.status == 1)
        #expect(
            result.errors
                == "setup: \(root)/etc/service/smtp exists and is not a link to \(output)/service/smtp; left as it is\n"
        )
        #expect(try String(contentsOfFile: "\(root)/etc/service/smtp/run", encoding: .utf8) == "#!/bin/sh\n")
    }

    @Test func aMissingAccountIsNamedAndNotInvented() throws {
        let spec = scratch.appendingPathComponent("spec.yaml")
        try Data(
            """
            relaychain: 1
            platform: {profile: debian}
            windows: {relay: {store: /var/spool/relay}}
            services:
              mail: {server: dovecot, version: "2.3", protocols: [imap], grants: relay, post-login-user: \
            relaychain-nosuchuser}
              smtp: {server: qmail-smtpd, run-by: daemontools, port: 25, checks: relay}

            """.utf8
        ).write(to: spec)
        try build(spec.path)
        let result = try setup(["--root", root])
        #expect(result.status == 1)
        #expect(result.errors.hasPrefix("setup: no account 'relaychain-nosuchuser'; create it"), "\(result.errors)")
        #expect(
            !FileManager.default.fileExists(atPath: "\(root)/var/spool/relay"), "a store for a missing owner was made")
        #expect(getpwnam("relaychain-nosuchuser") == nil)
    }
}

extension SetupScriptTests {
    /// What setup names for a missing secret is a command that works: run as printed, it makes the
    /// secret where setup looks (setup made the directory), and the next run names it no more.
    @Test func theCommandsSetupNamesForMissingSecretsWork() throws {
        try build(
            BuildCommandTests.root.appendingPathComponent("Tests/RelaychainCoreTests/Fixtures/emit/cluster.yaml").path)
        let mx = "\(output)/mx1/setup"
        let first = try runProcess(mx, ["--root", root], environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
        #expect(first.status == 1)
        let missing = first.errors.split(separator: "\n").filter { $0.hasPrefix("setup: no \(root)") }
        #expect(missing.count == 2, "\(first.errors)")
        for line in missing {
            // "setup: no FILE: make ... once (COMMAND) ..."
            let command = try #require(line.firstRange(of: "once (").map { line[$0.upperBound...] })
            let text = String(try #require(command.firstIndex(of: ")").map { command[..<$0] }))
            let ran = try runProcess("/bin/sh", ["-c", text])
            #expect(ran.status == 0, "\(text): \(ran.errors)")
        }
        #expect(FileManager.default.fileExists(atPath: "\(root)/etc/relaychain/spiped/relay.key"))
        let password = try String(contentsOfFile: "\(root)/etc/relaychain/redis/relay-reader.password", encoding: .utf8)
        #expect(password.count == 65 && password.hasSuffix("\n"), "\(password)")
        let second = try runProcess(mx, ["--root", root], environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
        #expect(!second.errors.contains("setup: no \(root)"), "\(second.errors)")
    }
}
