import Foundation
import RelaychainCore
import RelaychainImport
import TestSupport
import Testing

/// `relaychain import`: build(import(build(spec))) is build(spec), byte for byte.
struct ImportTests {
    static func roundTrip(_ name: String, _ bytes: [UInt8]) throws -> [String] {
        let built = Relaychain.build(path: name, bytes: bytes, specName: name)
        // Only specs that build can come back; one that does not is a failure, not a pass.
        guard !built.diagnostics.hasErrors else { return ["\(name) does not build: \(built.diagnostics)"] }
        let files = built.files.map { InstallationFile(path: $0.path, text: $0.contents) }
        let imported = Importer.importInstallation(files, specName: name)
        #expect(imported.leftOut.isEmpty, "\(name): \(imported.leftOut)")
        let rebuilt = Relaychain.build(path: name, bytes: Array(imported.spec.utf8), specName: name)
        #expect(!rebuilt.diagnostics.hasErrors, "\(name): \(rebuilt.diagnostics)\n\(imported.spec)")
        var problems: [String] = []
        let before = Dictionary(uniqueKeysWithValues: built.files.map { ($0.path, $0) })
        let after = Dictionary(uniqueKeysWithValues: rebuilt.files.map { ($0.path, $0) })
        for path in Set(before.keys).union(after.keys).sorted() where before[path] != after[path] {
            problems.append(
                "\(name): \(path) differs\n--- built\n\(before[path]?.contents ?? "(none)")\n--- rebuilt\n"
                    + "\(after[path]?.contents ?? "(none)")\n--- imported spec\n\(imported.spec)")
        }
        return problems
    }

    @Test(
        arguments: BuildTests.examples.map { "examples/\($0)" }
            // Import does not read clusters yet (see README, "Importing").
            + Fixtures.specs(in: "emit").filter { !$0.hasPrefix("cluster") }
            .map { "Tests/RelaychainCoreTests/Fixtures/emit/\($0)" })
    func everyExampleAndFixtureComesBack(_ path: String) throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent(path)
        let problems = try Self.roundTrip(url.lastPathComponent, Array(try Data(contentsOf: url)))
        #expect(problems.isEmpty, "\(problems.first ?? "")")
    }
}

/// Random specs for the round trip: every server kind and supervisor, catalog and user
/// wrappers, rules, knobs, hostile values, profiles and overrides.
struct RandomSpecs {
    var random: SplitMix64

    static func quoted(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    mutating func value() -> String {
        let pieces = ["a", "Z", "0", " ", "  ", "$HOME", "\\", "#", "%", "~", "é", "-", "=", ",", ":", "\"", "*"]
        var text = (0..<(1 + random.below(5))).map { _ in random.pick(pieces) }.joined()
        if text.hasSuffix(" ") || text.hasPrefix(" ") { text = "x" + text + "x" }
        return text
    }

    mutating func chance(_ percent: Int) -> Bool { random.below(100) < percent }

    mutating func spec() -> String {
        var text = "relaychain: 1\nplatform:\n"
        let profile = random.pick(["", "debian", "netbsd-pkgsrc", "freebsd-ports"])
        if !profile.isEmpty { text += "  profile: \(profile)\n" }
        if chance(40) { text += "  prefix: \(random.pick(["/usr/local", "/usr/pkg", "/opt/relay"]))\n" }
        if chance(20) { text += "  env: /bin/env\n" }
        if chance(20) { text += "  libexec: /opt/libexec/relaychain\n" }
        if chance(20) { text += "  service-dir: /srv/service\n" }
        if chance(20) { text += "  cron-d: /etc/cron.d\n" }
        if chance(20) { text += "  dovecot-conf-d: /opt/dovecot/conf.d\n" }
        if chance(30) { text += "  dovecot-libexec: /opt/dovecot/libexec\n" }
        if chance(40) {
            text += "  paths: { rblsmtpd: /opt/ucspi/rblsmtpd, qmail-smtpd: /opt/qmail/bin/qmail-smtpd }\n"
        }
        let windows = 1 + random.below(2)
        text += "windows:\n"
        for index in 0..<windows {
            if chance(30) {
                let place = random.pick([
                    "socket: /run/redis/redis-server.sock", "address: \"192.0.2.4:6379\"",
                    "address: \"[2001:db8::4]:6380\"",
                ])
                text += "  w\(index):\n    redis: { \(place), db: \(random.below(3)), prefix: \"p\(index):\""
                if chance(50) { text += ", writer: login\(index), reader: smtp\(index)" }
                if chance(30) { text += ", password-dir: /etc/mx" }
                if chance(30) { text += ", timeout: \(100 + random.below(400))" }
                text += " }\n"
            } else {
                text += "  w\(index):\n    store: /var/spool/relay\(index)/allow\n"
            }
            text += "    length: \(random.pick(["15m", "90s", "2h", "1h30m"]))\n"
            if chance(30) { text += "    relayclient: \"@relay.example.org\"\n" }
            if chance(50) { text += "    log: true\n" }
            if chance(30) { text += "    carry: \(random.pick(["[USER]", "[]", "[USER, DOMAIN, HOME]"]))\n" }
        }
        text += "wrappers:\n"
        text += "  tarpit: { path: /opt/x/tarpit, bypass: { env: { TARPIT_OFF: \"1\" } } }\n"
        text += "  audit: { path: /opt/x/audit, bypass: not-a-filter }\n"
        text += "services:\n"
        var port = 2000
        var qmailRunSMTPD = false
        var qmailRunPOP3D = false
        for index in 0..<(1 + random.below(4)) {
            let window = "w\(random.below(windows))"
            port += 1
            switch random.below(3) {
            case 0:
                let version = random.pick(["1.1", "1.2", "2.3", "2.4", "2.4.4"])
                text +=
                    "  s\(index): { server: dovecot, version: \"\(version)\", "
                    + "protocols: \(random.pick(["[imap]", "[pop3]", "[imap, pop3]"])), grants: \(window)"
                if version.hasPrefix("2"), chance(30) { text += ", post-login-user: vmail" }
                text += " }\n"
            case 1:
                var runBy = random.pick(["qmail-run", "daemontools", "runit", "systemd"])
                if runBy == "qmail-run" { if qmailRunPOP3D { runBy = "runit" } else { qmailRunPOP3D = true } }
                text += "  s\(index): { server: qmail-pop3d, run-by: \(runBy), port: \(port), grants: \(window)"
                if chance(40) { text += ", checkpassword: /bin/checkpassword" }
                if chance(40) { text += ", hostname: mail.example.org" }
                if chance(30) { text += ", maildir: ./Maildir/" }
                text += " }\n"
            default:
                var runBy = random.pick(["qmail-run", "daemontools", "runit", "systemd"])
                if runBy == "qmail-run" { if qmailRunSMTPD { runBy = "daemontools" } else { qmailRunSMTPD = true } }
                text += "  s\(index):\n    server: qmail-smtpd\n    run-by: \(runBy)\n    port: \(port)\n"
                if chance(80) { text += "    checks: \(window)\n" }
                if chance(30) { text += "    listen: \(random.pick(["192.0.2.25", "2001:db8::25"]))\n" }
                if chance(40) { text += "    relay-networks: [\"127.\", \"10.1.\"]\n" }
                if chance(40) {
                    text += "    environment: { DATABYTES: \"1000000\", SMTPGREETING: \(Self.quoted(value())) }\n"
                }
                if chance(20) { text += "    relay-client-env: { EXTRA_OFF: \"\" }\n" }
                if chance(40) {
                    var greeting = value()
                    if greeting.contains("\"") { greeting = greeting.replacing("'", with: "") }
                    text += "    rules:\n      - { from: \"192.0.2.66\", deny: true }\n"
                    text += "      - { from: \"203.0.113.\", set: { RBLSMTPD: \(Self.quoted("-" + greeting)) } }\n"
                    if chance(50) { text += "      - { from: \"\", set: { GREETDELAY: \"3\" } }\n" }
                }
                if chance(30) { text += "    datalimit: 30000000\n" }
                if runBy != "qmail-run", chance(30) { text += "    concurrency: 30\n" }
                if runBy != "qmail-run", chance(25) {
                    text += "    tls: { certificate: /etc/ssl/mail.pem"
                    if chance(50) { text += ", key: /etc/ssl/mail.key" }
                    if chance(40) { text += ", starttls: true" }
                    text += " }\n"
                }
                if runBy != "qmail-run", chance(20) {
                    text += "    remote-host: \(random.pick(["skip", "paranoid"]))\n"
                }
                if runBy != "qmail-run", chance(20) { text += "    backlog: 64\n" }
                if runBy != "qmail-run", chance(20) {
                    text += "    remote-info: \(random.pick(["lookup", "skip", "{ timeout: 7 }"]))\n"
                }
                if chance(20) { text += "    smtpd-args: [mail.example.org, /bin/checkpassword, /bin/true]\n" }
                if runBy != "systemd", chance(20) { text += "    log-command: [/usr/bin/logger, -t, smtpd]\n" }
                let entries = [
                    "rblsmtpd -r zen.spamhaus.org", "rblsmtpd -b -r bl.example.net -a al.example.net", "greetdelay",
                    "qgreylist", "fixsmtpio", "softlimit -m 20000000", "envdir /etc/smtpd-env",
                    "{ use: tarpit, args: [-d, \"5\"] }",
                    "audit", "recordio", "jgreylist",
                ]
                let chain = (0..<random.below(4)).map { _ in random.pick(entries) }
                if !chain.isEmpty {
                    text +=
                        "    chain:\n" + chain.map { "      - \($0.hasPrefix("{") ? $0 : Self.quoted($0))\n" }.joined()
                }
            }
        }
        return text
    }
}

extension ImportTests {
    /// 1,000 random specs that build come back byte for byte.
    @Test func randomSpecsComeBack() throws {
        var generator = RandomSpecs(random: SplitMix64(state: 0x1_4D0_47))
        var built = 0
        var attempts = 0
        var failures: [String] = []
        while built < 1000, attempts < 5000 {
            attempts += 1
            let spec = generator.spec()
            let bytes = Array(spec.utf8)
            guard !Relaychain.build(path: "r.yaml", bytes: bytes, specName: "r.yaml").diagnostics.hasErrors else {
                continue
            }
            built += 1
            let problems = try Self.roundTrip("r.yaml", bytes)
            if !problems.isEmpty { failures.append("spec:\n\(spec)\n\(problems[0])") }
        }
        #expect(built == 1000, "only \(built) of \(attempts) random specs built")
        #expect(failures.isEmpty, "\(failures.count) failed; the first:\n\(failures.first ?? "")")
    }
}
