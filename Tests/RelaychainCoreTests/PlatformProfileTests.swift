import Foundation
import RelaychainCore
import TestSupport
import Testing

/// Each profile's paths, pinned; the Debian ones checked against the packages' own file lists.
struct PlatformProfileTests {
    func platform(_ yaml: String) throws -> Platform {
        let text =
            "relaychain: 1\nplatform:\n\(yaml)windows: {w: {store: /s}}\n"
            + "services: {s: {server: qmail-smtpd, run-by: daemontools, checks: w},"
            + " m: {server: dovecot, version: \"2.3\", protocols: [imap], grants: w}}\n"
        let result = Relaychain.check(SourceFile(path: "p.yaml", text: text))
        #expect(result.diagnostics.filter { $0.severity == .error }.isEmpty, "\(result.diagnostics)")
        return try #require(result.spec).platform
    }

    static let programs = [
        "tcpserver", "tcprules", "rblsmtpd", "softlimit", "setuidgid", "multilog", "svlogd", "chpst", "qmail-smtpd",
        "qmail-pop3d", "relay-ctrl-check", "greetdelay", "spiped",
    ]

    func table(_ platform: Platform) -> [String] {
        Self.programs.map { "\($0) \(platform.path(ofNamed: $0))" } + [
            "dovecot-libexec \(platform.dovecotLibexec.value)", "doveconf \(platform.doveconf)",
            "libexec \(platform.libexec.value)", "conf.d \(platform.dovecotConfD ?? "-")",
            "cron.d \(platform.cronD ?? "-")", "service-dir \(platform.serviceDirectory(.daemontools))",
        ]
    }

    @Test func debianPaths() throws {
        #expect(
            try table(platform("  profile: debian\n")) == [
                "tcpserver /usr/bin/tcpserver", "tcprules /usr/bin/tcprules", "rblsmtpd /usr/bin/rblsmtpd",
                "softlimit /usr/bin/softlimit", "setuidgid /usr/bin/setuidgid", "multilog /usr/bin/multilog",
                "svlogd /usr/bin/svlogd", "chpst /usr/bin/chpst", "qmail-smtpd /var/qmail/bin/qmail-smtpd",
                "qmail-pop3d /var/qmail/bin/qmail-pop3d", "relay-ctrl-check /usr/local/bin/relay-ctrl-check",
                "greetdelay /usr/local/bin/greetdelay", "spiped /usr/bin/spiped", "dovecot-libexec /usr/lib/dovecot",
                "doveconf /usr/bin/doveconf",
                "libexec /usr/local/libexec/relaychain", "conf.d /etc/dovecot/conf.d", "cron.d /etc/cron.d",
                "service-dir /etc/service",
            ])
    }

    @Test func netbsdPkgsrcPaths() throws {
        #expect(
            try table(platform("  profile: netbsd-pkgsrc\n")) == [
                "tcpserver /usr/pkg/bin/tcpserver", "tcprules /usr/pkg/bin/tcprules", "rblsmtpd /usr/pkg/bin/rblsmtpd",
                "softlimit /usr/pkg/bin/softlimit", "setuidgid /usr/pkg/bin/setuidgid",
                "multilog /usr/pkg/bin/multilog",
                "svlogd /usr/pkg/bin/svlogd", "chpst /usr/pkg/bin/chpst", "qmail-smtpd /usr/pkg/bin/qmail-smtpd",
                "qmail-pop3d /usr/pkg/bin/qmail-pop3d", "relay-ctrl-check /usr/pkg/bin/relay-ctrl-check",
                "greetdelay /usr/pkg/bin/greetdelay", "spiped /usr/pkg/bin/spiped",
                "dovecot-libexec /usr/pkg/libexec/dovecot",
                "doveconf /usr/pkg/bin/doveconf", "libexec /usr/pkg/libexec/relaychain",
                "conf.d /usr/pkg/etc/dovecot/conf.d", "cron.d -", "service-dir /service",
            ])
    }

    @Test func freebsdPortsPaths() throws {
        #expect(
            try table(platform("  profile: freebsd-ports\n")) == [
                "tcpserver /usr/local/bin/tcpserver", "tcprules /usr/local/bin/tcprules",
                "rblsmtpd /usr/local/bin/rblsmtpd", "softlimit /usr/local/bin/softlimit",
                "setuidgid /usr/local/bin/setuidgid", "multilog /usr/local/bin/multilog",
                "svlogd /usr/local/sbin/svlogd",
                "chpst /usr/local/sbin/chpst", "qmail-smtpd /var/qmail/bin/qmail-smtpd",
                "qmail-pop3d /var/qmail/bin/qmail-pop3d", "relay-ctrl-check /usr/local/bin/relay-ctrl-check",
                "greetdelay /usr/local/bin/greetdelay", "spiped /usr/local/bin/spiped",
                "dovecot-libexec /usr/local/libexec/dovecot",
                "doveconf /usr/local/bin/doveconf", "libexec /usr/local/libexec/relaychain",
                "conf.d /usr/local/etc/dovecot/conf.d", "cron.d /usr/local/etc/cron.d", "service-dir /var/service",
            ])
    }

    /// prefix, paths, dovecot-libexec and service-dir still override single entries of a profile.
    @Test func explicitKeysOverrideTheProfile() throws {
        let platform = try platform(
            """
              profile: debian
              prefix: /opt/relay
              service-dir: /srv/service
              dovecot-libexec: /opt/dovecot/lib
              paths: {rblsmtpd: /opt/ucspi/rblsmtpd, doveconf: /opt/dovecot/bin/doveconf}

            """)
        #expect(platform.path(ofNamed: "rblsmtpd") == "/opt/ucspi/rblsmtpd")
        #expect(platform.path(ofNamed: "tcpserver") == "/usr/bin/tcpserver")
        #expect(platform.path(ofNamed: "relay-ctrl-check") == "/opt/relay/bin/relay-ctrl-check")
        #expect(platform.libexec.value == "/opt/relay/libexec/relaychain")
        #expect(platform.dovecotLibexec.value == "/opt/dovecot/lib")
        #expect(platform.doveconf == "/opt/dovecot/bin/doveconf")
        #expect(platform.serviceDirectory(.runit) == "/srv/service")
    }

    @Test func anUnknownProfileIsAnErrorAtItsPosition() throws {
        let text =
            "relaychain: 1\nplatform: {profile: debain}\nwindows: {w: {store: /s}}\n"
            + "services: {s: {server: qmail-smtpd, run-by: daemontools, checks: w}}\n"
        let diagnostics = Relaychain.check(SourceFile(path: "p.yaml", text: text)).diagnostics
        #expect(
            diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message) (\($0.fix ?? ""))" } == [
                "2:21 unknown profile 'debain' (did you mean 'debian'?)"
            ])
    }

    /// Every Debian-profile path of a program that a Debian package ships is in that package's
    /// `dpkg -L` list: this machine's (Debian 12; scripts/prepare installs the packages), or with
    /// RELAYCHAIN_DEBIAN_ROOT the root it names (e2e/trixie/run points it at Debian 13's).
    @Test func debianPathsAreWhereDebiansPackagesPutThem() throws {
        let platform = try platform("  profile: debian\n")
        let root = ProcessInfo.processInfo.environment["RELAYCHAIN_DEBIAN_ROOT"] ?? "/"
        func shipped(_ packages: [String]) throws -> Set<String> {
            let listed = try runProcess("/usr/bin/dpkg", ["--root=\(root)", "-L"] + packages)
            #expect(listed.status == 0, "dpkg --root=\(root) -L \(packages): \(listed.errors)")
            return Set(listed.output.split(separator: "\n").map(String.init))
        }
        let packages: [(String, [String])] = [
            (
                "daemontools",
                ["setuidgid", "envuidgid", "envdir", "softlimit", "pgrphack", "multilog", "svc", "svok", "svstat"]
            ),
            ("dovecot-core", ["doveconf"]),
            ("nftables", ["nft"]),
            ("runit", ["chpst", "svlogd", "sv"]),
            ("spiped", ["spiped"]),
            ("ucspi-tcp-ipv6", ["tcpserver", "tcprules", "rblsmtpd", "recordio", "argv0"]),
        ]
        var missing: [String] = []
        for (package, programs) in packages {
            let files = try shipped([package])
            for program in programs {
                let path =
                    program == "doveconf"
                    ? platform.doveconf : program == "nft" ? platform.nft : platform.path(ofNamed: program)
                if !files.contains(path) { missing.append("\(package) does not ship \(path)") }
            }
        }
        let dovecot = try shipped(["dovecot-core", "dovecot-imapd", "dovecot-pop3d"])
        for name in ["imap", "pop3", "script-login"] where !dovecot.contains("\(platform.dovecotLibexec.value)/\(name)")
        {
            missing.append("Dovecot does not ship \(platform.dovecotLibexec.value)/\(name)")
        }
        #expect(missing == [], "under \(root)")
    }
}

/// ExecStart words: systemd expands `$` and `%` and splits on whitespace outside quotes.
struct SystemdQuotingTests {
    @Test(arguments: [
        ("/usr/bin/tcpserver", "/usr/bin/tcpserver"),
        ("RBLSMTPD=", "RBLSMTPD="),
        ("a b", "\"a b\""),
        ("100%", "100%%"),
        ("$HOME", "$$HOME"),
        ("say \"hi\"", "\"say \\\"hi\\\"\""),
        ("back\\slash", "\"back\\\\slash\""),
        ("it's", "\"it's\""),
        (";", "\";\""),
        ("", "\"\""),
    ])
    func quotes(_ pair: (String, String)) {
        #expect(SystemdQuoting.word(pair.0) == pair.1)
    }

    @Test func refusesControlCharacters() {
        #expect(SystemdQuoting.word("a\nb") == nil)
        #expect(SystemdQuoting.word("a\tb") == nil)
    }
}
