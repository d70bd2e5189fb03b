import Foundation
import RelaychainCore
import TestSupport
import Testing

/// The emitted files, checked by the real tools that will read them.
@Suite struct EmittedFileTests {
    static func allBuilds() throws -> [(name: String, files: [OutputFile])] {
        let examples = BuildTests.examples.map { Fixtures.repositoryRoot.appendingPathComponent("examples/\($0)") }
        let fixtures = Fixtures.specs(in: "emit").map { Fixtures.url("emit", $0) }
        return try (examples + fixtures).map { ($0.lastPathComponent, try BuildTests.build($0).files) }
    }

    static func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/usr/sbin/\(name)", "/bin/\(name)"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    @Test func scriptsAreShellcheckClean() throws {
        let shellcheck = try #require(Self.tool("shellcheck"), "shellcheck is needed (scripts/test installs it)")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-shellcheck-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var scripts: [String] = []
        for (name, files) in try Self.allBuilds() {
            for file in files where file.executable {
                let url = scratch.appendingPathComponent(name).appendingPathComponent(file.path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url)
                scripts.append(url.path)
            }
        }
        #expect(scripts.count >= 10)
        let result = try runProcess(shellcheck, ["--shell=sh", "--severity=style"] + scripts)
        #expect(result.status == 0, "\(result.output)")
    }

    /// Debian's Dovecot 2.3 parses every 2.0-2.3 fragment we emit.
    @Test func dovecot2FragmentsPassDoveconf() throws {
        let doveconf = try #require(Self.tool("doveconf"), "doveconf is needed (scripts/test installs dovecot-core)")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-doveconf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var checked = 0
        for (name, files) in try Self.allBuilds() {
            for file in files
            where file.path.hasPrefix("dovecot/") && file.contents.contains("executable = script-login")
                && !file.contents.contains("$SET:")
            {
                let fragment = scratch.appendingPathComponent(
                    "\(name)-\(file.path.replacingOccurrences(of: "/", with: "-"))")
                try Data(file.contents.utf8).write(to: fragment)
                let main = scratch.appendingPathComponent("dovecot.conf")
                try "protocols = imap pop3\nssl = no\n!include \(fragment.path)\n".write(
                    to: main, atomically: true, encoding: .utf8)
                let result = try runProcess(doveconf, ["-c", main.path, "-n"])
                #expect(result.status == 0, "\(name) \(file.path): \(result.errors)")
                #expect(result.output.contains("executable = script-login "), "\(name)")
                checked += 1
            }
        }
        #expect(checked >= 2)
    }

    /// datalimit and smtpd-args reach their places in qmail-run's command, as qmailsmtpd.sh assembles it.
    @Test func qmailRunKnobsReachTheCommand() throws {
        let result = try BuildTests.build(Fixtures.url("emit", "rules-and-knobs.yaml"))
        let rcConf = try #require(result.files.first { $0.path == "rc.conf" })
        for form in QmailRunHarness.Form.allCases {
            let argv = try QmailRunHarness.smtpdArgv(rcConf: rcConf.contents, form: form)
            #expect(Array(argv[4...6]) == ["softlimit", "-m", "30000000"], "\(form)")
            #expect(
                Array(argv.suffix(4)) == [
                    "/usr/pkg/bin/qmail-smtpd", "mail.example.org", "/usr/pkg/bin/checkpassword", "/usr/bin/true",
                ], "\(form)")
        }
    }

    /// systemd's own checker accepts every unit we emit (syntax, quoting, executables).
    @Test func systemdUnitsPassSystemdAnalyzeVerify() throws {
        let analyze = try #require(Self.tool("systemd-analyze"), "systemd-analyze is needed (Debian's systemd package)")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-systemd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var units: [String] = []
        for (_, files) in try Self.allBuilds() {
            for file in files where file.path.hasSuffix(".service") {
                let url = scratch.appendingPathComponent(URL(fileURLWithPath: file.path).lastPathComponent)
                try Data(file.contents.utf8).write(to: url)
                units.append(url.path)
            }
        }
        #expect(units.count >= 2)
        let result = try runProcess(analyze, ["verify"] + units)
        #expect(result.status == 0 && result.errors.isEmpty, "\(result.errors)")
        // And it does fail on a unit it cannot run, so the check above means something.
        let broken = scratch.appendingPathComponent("relaychain-broken.service")
        try Data("[Service]\nExecStart=/nonexistent/tcpserver \"unbalanced\n".utf8).write(to: broken)
        #expect(try runProcess(analyze, ["verify", broken.path]).status != 0)
    }

    /// rc.conf is sourced by /bin/sh, then qmailsmtpd.sh (qmail-run 1.31) assembles its command
    /// and evals it. A pgrphack stand-in (a shell function) receives the whole chain as its argv.
    @Test func rcConfThroughQmailRunGivesTheArticlesChain() throws {
        let result = try BuildTests.build(
            Fixtures.repositoryRoot.appendingPathComponent("examples/netbsd-pkgsrc-dovecot1.yaml"))
        let rcConf = try #require(result.files.first { $0.path == "rc.conf" })
        let argv = try QmailRunHarness.smtpdArgv(rcConf: rcConf.contents)
        #expect(
            argv == [
                "env", "-", "RELAY_CTRL_DIR=/var/spool/relay-ctrl/allow", "RELAY_CTRL_EXPIRY=900",
                "softlimit", "-m", "540000000", "/usr/pkg/bin/relay-ctrl-chdir",
                "argv0", "/usr/pkg/bin/sslserver", "nbqmailsmtpd", "-ne", "-vRl0", "-x",
                "/usr/pkg/etc/qmail/control/tcprules/smtp.cdb",
                "-c", "40", "-u", "1001", "-g", "1002", ":0", "25",
                "/usr/pkg/bin/relay-ctrl-check", "/usr/pkg/bin/ifrelayclient", "/usr/bin/env", "RBLSMTPD=",
                "GREETDELAY=", "--",
                "/usr/pkg/bin/greetdelay", "/usr/pkg/bin/rblsmtpd", "-r", "zen.spamhaus.org", "/usr/pkg/bin/qgreylist",
                "/usr/pkg/bin/qmail-smtpd",
            ])
    }
}

/// Replays pkgsrc qmail-run's qmailsmtpd.sh (v1.31): defaults for unset variables, the command
/// line it assembles, and the eval that runs it.
enum QmailRunHarness {
    /// How the assembled command is run: as the 1,000-case test once did (quoted, which proves
    /// nothing about NetBSD), as NetBSD's rc.subr does (`_doit=...; eval $_doit`, unquoted), and
    /// as qmailsmtpd.sh's own fallback does (`eval ${command}`).
    enum Form: String, CaseIterable {
        case quotedEval = "eval \"$command\""
        case rcSubr = "_doit=\"$command\"; eval $_doit"
        case scriptFallback = "eval ${command}"
    }

    static func script(_ form: Form) -> String {
        """
        . "$1"
        : "${qmailsmtpd_postenv=}" "${qmailsmtpd_datalimit=540000000}" "${qmailsmtpd_pretcpserver=}"
        : "${qmailsmtpd_tcpserver=/usr/pkg/bin/sslserver}" "${qmailsmtpd_tcpflags=-ne -vRl0}"
        : "${qmailsmtpd_tcprules=/usr/pkg/etc/qmail/control/tcprules/smtp}" "${qmailsmtpd_tcphost=:0}" \
        "${qmailsmtpd_tcpport=25}"
        : "${qmailsmtpd_presmtpd=/usr/pkg/bin/greetdelay -- /usr/pkg/bin/rblsmtpd -r zen.spamhaus.org \
        /usr/pkg/bin/fixsmtpio}"
        : "${qmailsmtpd_smtpdcmd=/usr/pkg/bin/qmail-smtpd}" "${qmailsmtpd_postsmtpd=}"
        command="pgrphack env - ${qmailsmtpd_postenv} softlimit -m ${qmailsmtpd_datalimit} ${qmailsmtpd_pretcpserver} \
        argv0 ${qmailsmtpd_tcpserver} nbqmailsmtpd ${qmailsmtpd_tcpflags} -x ${qmailsmtpd_tcprules}.cdb -c 40 -u 1001 \
        -g 1002 ${qmailsmtpd_tcphost} ${qmailsmtpd_tcpport} ${qmailsmtpd_presmtpd} ${qmailsmtpd_smtpdcmd} \
        ${qmailsmtpd_postsmtpd}"
        \(form.rawValue)
        """
    }

    /// The argv pgrphack receives when qmail-run starts qmail-smtpd with this rc.conf. pgrphack is
    /// a shell function here, so that no real pgrphack in PATH can stand in for it. The shell runs
    /// in a directory holding files that a pattern could match.
    static func smtpdArgv(rcConf: String, form: Form = .quotedEval) throws -> [String] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-qmailrun-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for name in ["a", "b", "'a", "x y"] {
            _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent(name).path, contents: nil)
        }
        let rc = scratch.appendingPathComponent("rc.conf")
        try rcConf.write(to: rc, atomically: true, encoding: .utf8)
        let probe = "pgrphack() { printf '%s\\0' \"$@\"; }\n"
        let result = try runProcess(
            "/bin/sh", ["-c", probe + script(form), "qmailsmtpd", rc.path], environment: ["PATH": "/usr/bin:/bin"],
            directory: scratch)
        guard result.status == 0 else { throw ShellFailed(errors: result.errors) }
        var words = result.output.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        if words.last == "" { words.removeLast() }
        return words
    }

    struct ShellFailed: Error { var errors: String }
}
