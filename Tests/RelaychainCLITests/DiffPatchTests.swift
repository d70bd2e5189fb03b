import Foundation
import Glibc
import TestSupport
import Testing

/// The diffs of `build --check` and `--merge-into --diff` are standard unified diffs: `patch`
/// applies them and the result is exactly what `build` would write.
@Suite struct DiffPatchTests {
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("relaychain-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func relaychain(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(
            try BuiltProduct.path("relaychain"), arguments, environment: ["PATH": "/usr/bin:/bin"], directory: scratch)
    }

    func patch(_ arguments: [String], input: String) throws -> ProcessResult {
        try runProcess(
            "/usr/bin/patch", arguments, input: Data(input.utf8), environment: ["PATH": "/usr/bin:/bin"],
            directory: scratch)
    }

    var example: String {
        CheckCommandTests.root.appendingPathComponent("examples/debian-dovecot23-daemontools.yaml").path
    }

    /// Random edits (lines removed, added, changed; a final newline dropped; a file emptied),
    /// then `patch -p1` with the diff of `build --check` gives back exactly the built output.
    @Test(arguments: 0..<25)
    func checkDiffAppliesWithPatch(_ round: Int) throws {
        var random = SplitMix64(state: 0xD1FF + UInt64(round))
        let out = scratch.appendingPathComponent("out")
        #expect(try relaychain(["build", example, "--output", "out"]).status == 0)
        let files = [
            "cron/relay-ctrl-age", "dovecot/relaychain-mail.conf", "libexec/mail-postlogin", "service/smtp/run",
            "service/smtp/tcp.rules",
        ]
        for path in files where random.below(2) == 0 {
            let url = out.appendingPathComponent(path)
            var lines = try String(contentsOf: url, encoding: .utf8).split(
                separator: "\n", omittingEmptySubsequences: false
            ).map(String.init)
            for _ in 0..<(1 + random.below(4)) {
                let at = random.below(lines.count)
                switch random.below(5) {
                case 0: lines.remove(at: at)
                case 1: lines.insert("# added by hand \(random.below(100))", at: at)
                case 2: lines[at] = "changed \(random.below(100))"
                case 3: if lines.last == "" { lines.removeLast() }  // no final newline
                default: lines = [""]  // empty
                }
                if lines.isEmpty { lines = [""] }
            }
            // In place, so the file keeps its mode (a diff carries none).
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(lines.joined(separator: "\n").utf8))
            try handle.close()
        }
        let check = try relaychain(["build", "--check", example, "--output", "out"])
        guard check.status == 1 else { return }  // nothing differed after all
        let applied = try patch(["-p1", "-d", "out", "--no-backup-if-mismatch"], input: check.output)
        #expect(applied.status == 0, "\(applied.output)\(applied.errors)\n\(check.output)")
        // Modes are not in a diff; bytes must now be exactly what build writes.
        let after = try relaychain(["build", "--check", example, "--output", "out"])
        #expect(after.output == "", "\(after.output)")
    }

    @Test func aModeOnlyChangeIsSaidAsSuch() throws {
        #expect(try relaychain(["build", example, "--output", "out"]).status == 0)
        #expect(chmod(scratch.appendingPathComponent("out/service/smtp/run").path, 0o644) == 0)
        let check = try relaychain(["build", "--check", example, "--output", "out"])
        #expect(check.status == 1)
        #expect(check.output == "mode: service/smtp/run should be 0755\n")
    }

    @Test func mergeDiffAppliesWithPatch() throws {
        let rcConf = scratch.appendingPathComponent("rc.conf")
        let original =
            "hostname=mail\nqmailsmtpd=YES\nqmailsmtpd_presmtpd=\"/usr/pkg/bin/rblsmtpd\"\n# the end, without a newline"
        try original.write(to: rcConf, atomically: true, encoding: .utf8)
        let netbsd = CheckCommandTests.root.appendingPathComponent("examples/netbsd-pkgsrc-dovecot1.yaml").path
        let diff = try relaychain(["build", netbsd, "--merge-into", "rc.conf", "--diff"])
        #expect(diff.status == 0)
        #expect(try String(contentsOf: rcConf, encoding: .utf8) == original, "--diff writes nothing")
        let copy = scratch.appendingPathComponent("copy.conf")
        try original.write(to: copy, atomically: true, encoding: .utf8)
        let applied = try patch(["--no-backup-if-mismatch", "copy.conf"], input: diff.output)
        #expect(applied.status == 0, "\(applied.errors)\n\(diff.output)")
        #expect(try relaychain(["build", netbsd, "--merge-into", "rc.conf"]).status == 0)
        #expect(try Data(contentsOf: copy) == Data(contentsOf: rcConf))
    }
}
