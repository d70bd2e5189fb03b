import Foundation
import Glibc
import TestSupport
import Testing

/// Inputs and output directories an attacker or a fault could hand the CLI: each gets a clear
/// message and its own exit status, never a hang, a trap, a write outside the output directory
/// or a half-written output.
@Suite struct HostileInputTests {
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func relaychain(_ arguments: [String], input: Data? = nil) throws -> ProcessResult {
        try runProcess(
            try BuiltProduct.path("relaychain"), arguments, input: input, environment: ["PATH": "/usr/bin:/bin"],
            directory: scratch)
    }

    var example: String {
        CheckCommandTests.root.appendingPathComponent("examples/debian-dovecot23-daemontools.yaml").path
    }

    // MARK: specs that are not files, or too large

    @Test func devicesFIFOsAndDirectoriesAreRefusedWithoutReading() throws {
        #expect(mkfifo(scratch.appendingPathComponent("fifo").path, 0o600) == 0)
        for path in ["/dev/zero", "fifo", "."] {
            for command in [
                ["check", path], ["build", path],
                ["explain", path, "--service", "smtp", "--client", "192.0.2.7", "--not-logged-in"],
            ] {
                let result = try relaychain(command)
                #expect(result.status == 2, "\(command)")
                #expect(result.errors == "relaychain: cannot read '\(path)': not a regular file\n", "\(command)")
            }
        }
    }

    @Test func specsOverTheSizeLimitAreRefused() throws {
        let large = scratch.appendingPathComponent("large.yaml")
        #expect(FileManager.default.createFile(atPath: large.path, contents: nil))
        #expect(truncate(large.path, 16 << 20 + 1) == 0)
        let file = try relaychain(["check", "large.yaml"])
        #expect(file.status == 2)
        #expect(file.errors == "relaychain: cannot read 'large.yaml': larger than 16 MiB, the most relaychain reads\n")
        let input = try relaychain(["check", "-"], input: Data(repeating: UInt8(ascii: "#"), count: 16 << 20 + 1))
        #expect(input.status == 2)
        #expect(input.errors == "relaychain: cannot read '-': larger than 16 MiB, the most relaychain reads\n")
    }

    @Test func jsonModesPrintAnErrorObjectOnFailure() throws {
        let check = try relaychain(["check", "--format", "json", "missing.yaml"])
        #expect(check.status == 2)
        #expect(
            check.output == """
                {
                  "error": {
                    "message": "cannot read 'missing.yaml': No such file or directory",
                    "exit": 2
                  },
                  "diagnostics": []
                }

                """)
        try "relaychain: 1\nbogus: 1\n".write(
            to: scratch.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let explain = try relaychain([
            "explain", "bad.yaml", "--format", "json", "--service", "smtp", "--client", "192.0.2.7", "--not-logged-in",
        ])
        #expect(explain.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(explain.output.utf8)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["message"] as? String == "bad.yaml has errors; run relaychain check bad.yaml")
        #expect(error["exit"] as? Int == 1)
        #expect(
            (object["diagnostics"] as? [[String: Any]])?.compactMap { $0["code"] as? String }.contains("RC101") == true)
    }

    // MARK: output directories

    func tree(_ root: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: root.path) ?? FileManager.default
            .enumerator(atPath: "/nonexistent")!
        {
            let url = root.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = try Data(contentsOf: url)
            }
        }
        return files
    }

    /// A rename that cannot succeed (a directory where `run` goes) is found before the first
    /// rename: exit 3, a plain message, every old byte kept, no temporary file left.
    @Test func failedBuildLeavesTheWholeOldOutput() throws {
        let out = scratch.appendingPathComponent("out")
        #expect(try relaychain(["build", example, "--output", "out"]).status == 0)
        // Make two files stale, so that the build has renames to do before the one that fails.
        for path in ["cron/relay-ctrl-age", "dovecot/relaychain-mail.conf"] {
            let handle = try FileHandle(forWritingTo: out.appendingPathComponent(path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("# edited\n".utf8))
            try handle.close()
        }
        let blocked = out.appendingPathComponent("service/submission/run")
        try FileManager.default.removeItem(at: blocked)
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: false)
        let before = try tree(out)
        let result = try relaychain(["build", example, "--output", "out"])
        #expect(result.status == 3)
        #expect(
            result.errors
                == "relaychain: cannot write 'out/service/submission/run': a directory is in the way; the previous "
                + "output is unchanged\n"
        )
        #expect(try tree(out) == before)
    }

    /// A link planted under our temporary or backup prefix is removed, never followed; a file
    /// outside the output directory keeps its bytes and mode.
    @Test func plantedLinksAreNeverFollowed() throws {
        let out = scratch.appendingPathComponent("out")
        #expect(try relaychain(["build", example, "--output", "out"]).status == 0)
        let victim = scratch.appendingPathComponent("victim")
        try "precious\n".write(to: victim, atomically: true, encoding: .utf8)
        #expect(chmod(victim.path, 0o600) == 0)
        for name in [
            ".relaychain-tmp-0000000000000000", ".relaychain-old-0000000000000001", ".run.relaychain-\(getpid())",
        ] {
            try FileManager.default.createSymbolicLink(
                atPath: out.appendingPathComponent("service/smtp/\(name)").path, withDestinationPath: victim.path)
        }
        try "changed\n".write(to: out.appendingPathComponent("service/smtp/run"), atomically: true, encoding: .utf8)
        #expect(try relaychain(["build", example, "--output", "out"]).status == 0)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
        var status = stat()
        #expect(lstat(victim.path, &status) == 0 && status.st_mode & 0o7777 == 0o600)
        let left = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("service/smtp").path)
            .sorted()
        #expect(
            left == [".run.relaychain-\(getpid())", "log", "run", "tcp.rules"],
            "ours are removed; a name that is not ours is left alone")
    }

    /// A directory link planted below the output directory is refused: nothing is written through it.
    @Test func plantedDirectoryLinkIsRefused() throws {
        let out = scratch.appendingPathComponent("out")
        let elsewhere = scratch.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: out.appendingPathComponent("service").path, withDestinationPath: elsewhere.path)
        let result = try relaychain(["build", example, "--output", "out"])
        #expect(result.status == 3)
        #expect(result.errors.hasPrefix("relaychain: cannot write 'out/service"))
        #expect(result.errors.hasSuffix("'service' is not a directory; the previous output is unchanged\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path) == [])
    }

    /// What a build killed between staging and renaming leaves (0-byte temporaries) goes with the
    /// next build, even one with nothing to change.
    @Test func leftoversOfAKilledBuildAreRemoved() throws {
        let out = scratch.appendingPathComponent("out")
        #expect(try relaychain(["build", example, "--output", "out"]).status == 0)
        let temporary = out.appendingPathComponent("service/smtp/log/.relaychain-tmp-00000000deadbeef")
        let backup = out.appendingPathComponent("dovecot/.relaychain-old-00000000deadbeef")
        #expect(FileManager.default.createFile(atPath: temporary.path, contents: Data()))
        #expect(FileManager.default.createFile(atPath: backup.path, contents: Data("old".utf8)))
        let result = try relaychain(["build", example, "--output", "out"])
        #expect(result.status == 0)
        #expect(!FileManager.default.fileExists(atPath: temporary.path))
        #expect(!FileManager.default.fileExists(atPath: backup.path))
    }

    @Test func outputThatIsAFileIsAWriteError() throws {
        try "not a directory\n".write(to: scratch.appendingPathComponent("out"), atomically: true, encoding: .utf8)
        let result = try relaychain(["build", example, "--output", "out"])
        #expect(result.status == 3)
        #expect(result.errors == "relaychain: cannot write 'out': Not a directory; the previous output is unchanged\n")
    }

    /// /etc/rc.conf is often a link made by configuration management: the merge writes the file it
    /// points to, keeps its owner, group and mode, and leaves the link a link.
    @Test func mergeWritesThroughALinkKeepingOwnership() throws {
        let target = scratch.appendingPathComponent("rc.conf.local")
        try "hostname=mail\n".write(to: target, atomically: true, encoding: .utf8)
        #expect(chown(target.path, 0, 12) == 0)
        #expect(chmod(target.path, 0o640) == 0)
        let link = scratch.appendingPathComponent("rc.conf")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "rc.conf.local")
        let example = CheckCommandTests.root.appendingPathComponent("examples/netbsd-pkgsrc-dovecot1.yaml").path
        let result = try relaychain(["build", example, "--merge-into", "rc.conf"])
        #expect(result.status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "rc.conf.local")
        let merged = try String(contentsOf: target, encoding: .utf8)
        #expect(merged.hasPrefix("hostname=mail\n"))
        #expect(merged.contains("qmailsmtpd_presmtpd="))
        var status = stat()
        #expect(lstat(target.path, &status) == 0)
        #expect(status.st_mode & 0o7777 == 0o640)
        #expect(status.st_uid == 0 && status.st_gid == 12)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["rc.conf", "rc.conf.local"])
    }

    /// An rc.conf is bytes: a line that is not UTF-8, comments and continued values come back as
    /// they were; only our variables change.
    @Test func mergeKeepsBytesThatAreNotUTF8() throws {
        var original = Array("# rc.conf of mail\nlegacy=\"x".utf8) + [0xFF, 0xFE] + Array("\"\n".utf8)
        original += Array("long=\"one \\\n  two\" # a comment\nqmailsmtpd_presmtpd=\"/old\"\n".utf8)
        let rcConf = scratch.appendingPathComponent("rc.conf")
        try Data(original).write(to: rcConf)
        let example = CheckCommandTests.root.appendingPathComponent("examples/netbsd-pkgsrc-dovecot1.yaml").path
        let diff = try relaychain(["build", example, "--merge-into", "rc.conf", "--diff"])
        #expect(diff.status == 0)
        #expect(try relaychain(["build", example, "--merge-into", "rc.conf", "--force"]).status == 0, "drops '/old'")
        let merged = Array(try Data(contentsOf: rcConf))
        let prefix =
            Array("# rc.conf of mail\nlegacy=\"x".utf8) + [0xFF, 0xFE]
            + Array("\"\nlong=\"one \\\n  two\" # a comment\nqmailsmtpd_presmtpd=\"/usr/pkg/bin/relay-ctrl-check ".utf8)
        #expect(Array(merged.prefix(prefix.count)) == prefix)
        #expect(!merged.contains(0xEF), "no U+FFFD (EF BF BD) anywhere")
        #expect(
            try relaychain(["build", example, "--merge-into", "rc.conf", "--diff"]).output == "",
            "a second merge changes nothing")
    }

    /// A merge never drops an administrator's words silently: a content filter in QMAILQUEUE and
    /// fixsmtpio in presmtpd are named, with the spec key that keeps each, and nothing is written;
    /// --force drops them and says so; a spec that says them keeps them.
    @Test func mergeRefusesToDropWordsTheSpecDoesNotSay() throws {
        let original = """
            hostname=mail
            qmailsmtpd_postenv="QMAILQUEUE=/usr/pkg/bin/qmail-qfilter-queue \
            RELAY_CTRL_DIR='/var/spool/relay-ctrl/allow'"
            qmailsmtpd_presmtpd="/usr/pkg/bin/relay-ctrl-check /usr/pkg/bin/fixsmtpio"

            """
        let rcConf = scratch.appendingPathComponent("rc.conf")
        try original.write(to: rcConf, atomically: true, encoding: .utf8)
        let example = CheckCommandTests.root.appendingPathComponent("examples/netbsd-pkgsrc-dovecot1.yaml").path
        let refused = try relaychain(["build", example, "--merge-into", "rc.conf"])
        #expect(refused.status == 1)
        #expect(
            refused.errors == """
                relaychain: rc.conf:2: merging would drop 'QMAILQUEUE=/usr/pkg/bin/qmail-qfilter-queue' from \
                qmailsmtpd_postenv, \
                which \(example) does not say; keep it with 'environment: { QMAILQUEUE: \
                "/usr/pkg/bin/qmail-qfilter-queue" }' \
                in the qmail-run qmail-smtpd service
                relaychain: rc.conf:3: merging would drop '/usr/pkg/bin/fixsmtpio' from qmailsmtpd_presmtpd, which \
                \(example) \
                does not say; keep it by adding 'fixsmtpio' to the chain of the qmail-run qmail-smtpd service
                relaychain: nothing was written; say those words in the spec, or pass --force to drop them

                """)
        #expect(try String(contentsOf: rcConf, encoding: .utf8) == original)

        // The spec says them: the merge keeps both.
        var spec = try String(contentsOf: URL(fileURLWithPath: example), encoding: .utf8)
        spec = spec.replacingOccurrences(
            of: "    checks: relay\n",
            with: """
                    checks: relay
                    environment: { QMAILQUEUE: /usr/pkg/bin/qmail-qfilter-queue }

                """)
        spec = spec.replacingOccurrences(of: "      - qgreylist\n", with: "      - qgreylist\n      - fixsmtpio\n")
        try spec.write(to: scratch.appendingPathComponent("said.yaml"), atomically: true, encoding: .utf8)
        let kept = try relaychain(["build", "said.yaml", "--merge-into", "rc.conf"])
        #expect(kept.status == 0, "\(kept.errors)")
        let merged = try String(contentsOf: rcConf, encoding: .utf8)
        #expect(merged.contains("QMAILQUEUE='/usr/pkg/bin/qmail-qfilter-queue'"))
        #expect(merged.contains("/usr/pkg/bin/qgreylist /usr/pkg/bin/fixsmtpio\""))

        // --force drops what the spec does not say, and says so.
        try original.write(to: rcConf, atomically: true, encoding: .utf8)
        let forced = try relaychain(["build", example, "--merge-into", "rc.conf", "--force"])
        #expect(forced.status == 0)
        #expect(forced.errors.hasPrefix("relaychain: rc.conf:2: dropped 'QMAILQUEUE=/usr/pkg/bin/qmail-qfilter-queue'"))
        #expect(!(try String(contentsOf: rcConf, encoding: .utf8)).contains("QMAILQUEUE"))
    }
}
