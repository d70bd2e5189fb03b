import Foundation
import RelaychainCore
import TestSupport
import Testing

/// Hostile values reach the programs byte for byte through every shell the compiler writes for:
/// rc.conf sourced by qmail-run and evaluated in each of the ways it really is (NetBSD rc.subr's
/// unquoted `eval $_doit`, qmailsmtpd.sh's `eval ${command}`, and a quoted eval), a daemontools
/// run script, Dovecot 2's post-login script, and the crontab line (with cron's % handling); or,
/// for qmail-run, a value holding a file name pattern is refused at its spec position.
/// Deterministic: a failure names the case, whose seed reproduces it.
@Suite struct QuotingPropertyTests {
    static let cases = 1000

    typealias Generator = SplitMix64

    static let hostile: [String] =
        (0x20...0x7E).map { String(UnicodeScalar(UInt8($0))) }
        + [
            "é", "日", "ß", "€", "🙂", "'\"", "$(", "`id`", "\\n", "${X}", "%%", "' '", "  ", "   ", " '  ' ", "~/",
            "\\ ",
        ]
    static let relayClientSafe: [String] = hostile.filter {
        !$0.unicodeScalars.contains { $0.properties.isWhitespace || "<>\"\\".unicodeScalars.contains($0) }
    }

    static func value(_ generator: inout Generator, from alphabet: [String], maxLength: Int = 10) -> String {
        (0..<Int(generator.next() % UInt64(maxLength + 1))).map { _ in generator.pick(alphabet) }.joined()
    }

    static func yaml(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    struct Case {
        var seed: UInt64
        var store, wrapperPath, wrapperArg, entryArg, bypassValue, relayClient: String

        init(seed: UInt64) {
            var generator = Generator(state: seed)
            self.seed = seed
            store = "/var/" + QuotingPropertyTests.value(&generator, from: QuotingPropertyTests.hostile)
            wrapperPath = "/opt/" + QuotingPropertyTests.value(&generator, from: QuotingPropertyTests.hostile)
            wrapperArg = QuotingPropertyTests.value(&generator, from: QuotingPropertyTests.hostile)
            entryArg = QuotingPropertyTests.value(&generator, from: QuotingPropertyTests.hostile)
            bypassValue = QuotingPropertyTests.value(&generator, from: QuotingPropertyTests.hostile)
            relayClient = QuotingPropertyTests.value(&generator, from: QuotingPropertyTests.relayClientSafe)
        }

        func spec(runBy: String, allowProbe: String) -> String {
            """
            relaychain: 1
            platform: { prefix: /usr/pkg, paths: { relay-ctrl-chdir: \(yaml(allowProbe)) } }
            windows:
              relay: { store: \(yaml(store)), relayclient: \(yaml(relayClient)) }
            wrappers:
              custom: { path: \(yaml(wrapperPath)), args: [\(yaml(wrapperArg))], bypass: { env: { CUSTOM: \
            \(yaml(bypassValue)) } } }
            services:
              imap: { server: dovecot, version: "2.3", protocols: [imap], grants: relay }
              smtp: { server: qmail-smtpd, run-by: \(runBy), checks: relay, chain: [{ use: custom, args: \
            [\(yaml(entryArg))] }] }
            """
        }

        var checkEnvironment: [String] {
            ["RELAY_CTRL_DIR=\(store)", "RELAY_CTRL_EXPIRY=900"]
                + (relayClient.isEmpty ? [] : ["RELAY_CTRL_RELAYCLIENT=\(relayClient)"])
        }

        var smtpChain: [String] {
            [
                "/usr/pkg/bin/relay-ctrl-check", "/usr/pkg/bin/ifrelayclient", "/usr/bin/env", "CUSTOM=\(bypassValue)",
                "--",
                wrapperPath, wrapperArg, entryArg, "/usr/pkg/bin/qmail-smtpd",
            ]
        }
    }

    final class Scratch {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-quoting-\(UUID().uuidString)")
        let probe: URL
        let output: URL

        init() throws {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            probe = root.appendingPathComponent("probe")
            output = root.appendingPathComponent("probe.out")
            // Appends its argv, then its environment, NUL-separated, each list ended by a 0x01.
            try installExecutable(
                "#!/bin/sh\n{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; printf '\\001'; /usr/bin/env -0; "
                    + "printf '\\001'; } >> '\(output.path)'\n",
                at: probe.path)
            let id = root.appendingPathComponent("id")
            try installExecutable("#!/bin/sh\necho 1001\n", at: id.path)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        /// What the probe received, one (argv, environment) per run.
        func takeRuns() -> [(argv: [String], environment: [String])] {
            let data = (try? Data(contentsOf: output)) ?? Data()
            try? FileManager.default.removeItem(at: output)
            // Each record ends with its NUL, so the piece after the last NUL is empty, not a record.
            var parts = data.split(separator: 1, omittingEmptySubsequences: false).map { part in
                Array(
                    part.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
                        String(decoding: $0, as: UTF8.self)
                    })
            }
            if parts.last == [] { parts.removeLast() }
            return stride(from: 0, to: parts.count - 1, by: 2).map { (parts[$0], parts[$0 + 1]) }
        }

        func sh(_ script: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws
            -> ProcessResult
        {
            try runProcess(
                "/bin/sh", ["-c", script, "sh"] + arguments,
                environment: ["PATH": "\(root.path):/usr/bin:/bin"].merging(environment) { $1 })
        }
    }

    @Test func hostileValuesArriveByteForByte() throws {
        let scratch = try Scratch()
        var failures: [String] = []
        var refused = 0
        var carried = 0
        for index in 0..<Self.cases where failures.count < 5 {
            let item = Case(seed: 0x5EED_0000 + UInt64(index))
            func fail(_ what: String) {
                failures.append("case \(index) (seed \(String(item.seed, radix: 16))): \(what)\n  values: \(item)")
            }

            // qmail-run: rc.conf sourced, the command assembled and eval'd.
            let qmailRun = Relaychain.build(
                SourceFile(path: "q.yaml", text: item.spec(runBy: "qmail-run", allowProbe: scratch.probe.path)),
                specName: "q.yaml")
            let patterned = [
                item.store, item.wrapperPath, item.wrapperArg, item.entryArg, item.bypassValue, item.relayClient,
            ]
            .filter { $0.contains { "*?[".contains($0) } }
            if !patterned.isEmpty {
                refused += 1
                let codes = Set(qmailRun.diagnostics.map(\.code))
                if !qmailRun.files.isEmpty || codes != [.targetCannotCarry] {
                    fail("qmail-run accepted a pattern: \(Fixtures.describe(qmailRun.diagnostics))")
                }
            } else if let rcConf = qmailRun.files.first(where: { $0.path == "rc.conf" }) {
                carried += 1
                let expected =
                    ["env", "-"] + item.checkEnvironment + [
                        "softlimit", "-m", "540000000", scratch.probe.path, "argv0", "/usr/pkg/bin/sslserver",
                        "nbqmailsmtpd", "-ne", "-vRl0", "-x", "/usr/pkg/etc/qmail/control/tcprules/smtp.cdb", "-c",
                        "40", "-u", "1001", "-g", "1002", ":0", "25",
                    ] + item.smtpChain
                for form in QmailRunHarness.Form.allCases {
                    let argv = try QmailRunHarness.smtpdArgv(rcConf: rcConf.contents, form: form)
                    if argv != expected { fail("rc.conf argv through \(form): \(argv)") }
                }
            } else {
                fail("no rc.conf: \(Fixtures.describe(qmailRun.diagnostics))")
            }

            // daemontools: the run script, with the probe in front of its exec'd command.
            let daemontools = Relaychain.build(
                SourceFile(path: "d.yaml", text: item.spec(runBy: "daemontools", allowProbe: scratch.probe.path)),
                specName: "d.yaml")
            guard let run = daemontools.files.first(where: { $0.path == "service/smtp/run" }) else {
                fail("no run script")
                continue
            }
            _ = try scratch.sh(
                run.contents.replacingOccurrences(
                    of: "\nexec /usr/bin/env - \\\n", with: "\nexec \(scratch.probe.path) /usr/bin/env - \\\n"))
            let runArgv = scratch.takeRuns().first?.argv
            // The local name builds give tcpserver unless told: the host's, read at start.
            let hostName = try runProcess("/bin/uname", ["-n"]).output.trimmingCharacters(in: .newlines)
            let runExpected =
                ["/usr/bin/env", "-"] + item.checkEnvironment + [
                    scratch.probe.path, "/usr/pkg/bin/tcpserver", "-v", "-R", "-l", hostName, "-x", "tcp.cdb", "-u",
                    "1001",
                    "-g", "1001", "0", "25",
                ] + item.smtpChain
            if runArgv != runExpected { fail("run script argv \(runArgv ?? [])") }

            // Dovecot 2: the post-login script runs relay-ctrl-chdir (the probe) with relay-ctrl-allow, then the rest.
            guard let postLogin = daemontools.files.first(where: { $0.path == "libexec/imap-postlogin" }) else {
                fail("no post-login script")
                continue
            }
            _ = try scratch.sh(
                postLogin.contents, [scratch.probe.path, "script-login-rest"],
                environment: ["IP": "192.0.2.7", "USER": "alice"])
            let runs = scratch.takeRuns()
            if runs.count != 2 || runs[0].argv != ["/usr/pkg/bin/relay-ctrl-allow"]
                || !runs[0].environment.contains("RELAY_CTRL_DIR=\(item.store)")
                || !runs[0].environment.contains("TCPREMOTEIP=192.0.2.7") || runs[1].argv != ["script-login-rest"]
            {
                fail("post-login runs \(runs)")
            }

            // cron: sh runs the command after cron turned each unescaped % into a newline.
            guard let cron = daemontools.files.first(where: { $0.path == "cron/relay-ctrl-age" }),
                let line = cron.contents.split(separator: "\n").first(where: { $0.hasPrefix("* * * * * ") })
            else {
                fail("no crontab line")
                continue
            }
            let command = String(line.dropFirst(10))
            if command.replacingOccurrences(of: "\\%", with: "").contains("%") {
                fail("unescaped % in crontab: \(command)")
            }
            _ = try scratch.sh("exec \(scratch.probe.path) " + command.replacingOccurrences(of: "\\%", with: "%"))
            let cronArgv = scratch.takeRuns().first?.argv
            if cronArgv != [
                "/usr/bin/env", "-", "RELAY_CTRL_DIR=\(item.store)", "RELAY_CTRL_EXPIRY=900",
                "/usr/pkg/bin/relay-ctrl-age",
            ] {
                fail("crontab argv \(cronArgv ?? [])")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(refused > Self.cases / 10 && carried > Self.cases / 10, "refused \(refused), carried \(carried)")
    }
}
