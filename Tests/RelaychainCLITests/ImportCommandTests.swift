import Foundation
import TestSupport
import Testing

/// relaychain import on hand-written files: the article's own lines, a variable the spec cannot
/// say, and --lint on a chain that relays for everyone.
struct ImportCommandTests {
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func relaychain(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(try BuiltProduct.path("relaychain"), arguments, environment: ["PATH": "/usr/bin:/bin"])
    }

    /// The article's hand-written dovecot.conf and rc.conf lines import into a spec that builds
    /// them back word for word.
    @Test func theArticlesLinesComeBackWordForWord() throws {
        let article = try String(
            contentsOf: BuildCommandTests.root.deletingLastPathComponent().appendingPathComponent(
                "shared/seed/imap-before-smtp-with-relay-ctrl.txt"), encoding: .utf8)
        let lines = article.split(separator: "\n").map(String.init)
        let mailExecutable = try #require(lines.first { $0.hasPrefix("mail_executable:") })
        let presmtpd = try #require(lines.first { $0.hasPrefix("qmailsmtpd_presmtpd=") })
        let dovecot = try write("etc/dovecot.conf", mailExecutable + "\n")
        let rcConf = try write("etc/rc.conf", presmtpd + "\n")
        let spec = scratch.appendingPathComponent("spec.yaml").path
        let imported = try relaychain(["import", dovecot, rcConf, "--output", spec])
        #expect(imported.status == 0, "the Dovecot version is not in the files, but 1.0-1.2 build alike")
        #expect(
            imported.errors == "relaychain: import: assumed: \(dovecot):1: Dovecot version: not in the file; "
                + "1.1 assumed (mail_executable means 1.0-1.2, for which builds write the same lines)\n"
                + "relaychain: import: assumed: window of /var/spool/relay-ctrl/allow: no RELAY_CTRL_EXPIRY in the "
                + "files; relay-ctrl's 900 seconds (15m) assumed\n")
        let built = try relaychain(["build", spec, "--stdout"])
        #expect(built.status == 0, "\(built.errors)")
        let words = { (line: Substring) in line.split(separator: " ").map(String.init) }
        let builtExecutable = try #require(
            built.output.split(separator: "\n").first { $0.contains("mail_executable = ") })
        #expect(
            words(builtExecutable.split(separator: "=", maxSplits: 1)[1])
                == words(mailExecutable.split(separator: ":", maxSplits: 1)[1]))
        #expect(built.output.split(separator: "\n").contains(Substring(presmtpd)))
    }

    @Test func whatTheSpecCannotSayIsKeptAndListed() throws {
        let rcConf = try write(
            "rc.conf",
            """
            hostname=mail.example.org
            qmailsmtpd=YES
            qmailsmtpd_postenv="RELAY_CTRL_DIR='/var/spool/relay-ctrl/allow' RELAY_CTRL_EXPIRY='600'"
            qmailsmtpd_presmtpd="/usr/pkg/bin/relay-ctrl-check /usr/pkg/bin/rblsmtpd -r zen.spamhaus.org"
            qmailsmtpd_tls="-Z 1"

            """)
        let result = try relaychain(["import", rcConf])
        #expect(result.status == 1)
        #expect(
            result.errors
                == "relaychain: import: \(rcConf):3: qmailsmtpd_tls=\"-Z 1\": the spec cannot say this variable\n"
                + "relaychain: import: imported.yaml:15: the written spec: relaychain check rejects it: service 'smtp' "
                + "checks /var/spool/relay-ctrl/allow, but no login service records grants there\n")
        #expect(result.output.contains("#   \(rcConf):3: qmailsmtpd_tls=\"-Z 1\": the spec cannot say this variable\n"))
        #expect(result.output.contains("      - { use: \"rblsmtpd\", args: [\"-r\", \"zen.spamhaus.org\"] }\n"))
        #expect(result.output.contains("    length: 10m\n"))
    }

    /// --lint analyses hand-written chains: a tcprules line that gives every client RELAYCLIENT.
    @Test func lintFindsAnOpenRelayInHandWrittenFiles() throws {
        let service = scratch.appendingPathComponent("supervise/smtp").path
        _ = try write(
            "supervise/smtp/run",
            """
            #!/bin/sh
            exec /usr/bin/env - RELAY_CTRL_DIR=/var/spool/relay-ctrl/allow /usr/local/bin/relay-ctrl-chdir \\
              /usr/bin/tcpserver -v -R -l 0 -x tcp.cdb -u 101 -g 102 0 25 \\
              /usr/local/bin/relay-ctrl-check /var/qmail/bin/qmail-smtpd

            """)
        _ = try write("supervise/smtp/tcp.rules", "127.:allow,RELAYCLIENT=\"\"\n:allow,RELAYCLIENT=\"\"\n")
        let result = try relaychain(["import", service, "--lint"])
        #expect(result.status == 1)
        #expect(
            result.errors.contains("error[RC137]: this rule sets RELAYCLIENT for every client: an open relay"),
            "\(result.errors)")
        #expect(result.output.isEmpty, "--lint writes no spec")
    }

    /// Hand-written Redis chains whose two sides disagree: on the window's length (the writer's
    /// TTL against the reader's own window), and on the key prefix (grants never seen).
    @Test func lintFindsRedisSidesThatDisagree() throws {
        func postLogin(_ prefix: String) -> String {
            """
            #!/bin/sh
            if [ -n "${IP-}" ]; then
              TCPREMOTEIP=$IP RELAY_CTRL_REDIS='unix:/run/redis/redis.sock?db=0&user=relay-writer' \\
            RELAY_CTRL_REDIS_PASSWORD_FILE=/etc/relaychain/redis/relay-writer.password \\
            RELAY_CTRL_REDIS_PREFIX=\(prefix) RELAY_CTRL_EXPIRY=900 /usr/local/bin/relay-ctrl-allow
            fi
            exec "$@"

            """
        }
        _ = try write(
            "service/smtp/run",
            """
            #!/bin/sh
            exec 2>&1
            QMAILDUID=`id -u qmaild`; NOFILESGID=`id -g qmaild`
            exec /usr/bin/env - RELAY_CTRL_REDIS='unix:/run/redis/redis.sock?db=0&user=relay-reader' \\
              RELAY_CTRL_REDIS_PASSWORD_FILE=/etc/relaychain/redis/relay-reader.password RELAY_CTRL_EXPIRY=600 \\
              /usr/bin/tcpserver -v -R -l 0 -x tcp.cdb -u $QMAILDUID -g "$NOFILESGID" 0 25 \\
              /usr/local/bin/relay-ctrl-check /var/qmail/bin/qmail-smtpd

            """)
        let run = scratch.appendingPathComponent("service/smtp/run").path
        let dovecot = try write(
            "conf.d/relaychain-mail.conf",
            """
            service imap {
              executable = imap relaychain-postlogin
            }
            service relaychain-postlogin {
              executable = script-login /usr/local/libexec/relaychain/mail-postlogin
              user = $default_internal_user
              unix_listener relaychain-postlogin {
              }
            }

            """)
        let same = try write("same/mail-postlogin", postLogin("relay-ctrl:"))
        // The same files with one length lint clean: what follows is the disagreement alone.
        let agreeing = try write(
            "agreeing/smtp/run",
            try String(contentsOfFile: run, encoding: .utf8)
                .replacing("RELAY_CTRL_EXPIRY=600", with: "RELAY_CTRL_EXPIRY=900"))
        let rules = try write("agreeing/smtp/tcp.rules", ":allow\n")
        let agreed = try relaychain(["import", dovecot, same, agreeing, rules, "--lint"])
        #expect(agreed.status == 0)
        #expect(
            agreed.errors
                == "relaychain: import: assumed: \(dovecot):1: Dovecot version: not in the file; 2.3 assumed "
                + "(2.4's files use $SET:), say version: in the spec if it is another\n"
                + "relaychain: import --lint: 0 findings, 0 lines not understood\n")
        let length = try relaychain(["import", dovecot, same, run, "--lint"])
        #expect(length.status == 1)
        #expect(
            length.errors.contains(
                "\(run):5: RELAY_CTRL_EXPIRY=600: another file gives the same window RELAY_CTRL_EXPIRY=900; "
                    + "a window has one length"),
            "\(length.errors)")

        let other = try write("other/mail-postlogin", postLogin("mx:"))
        let prefix = try relaychain(["import", dovecot, other, run, "--lint"])
        #expect(prefix.status == 1)
        #expect(
            prefix.errors.contains(
                "warning[RC403]: service 'mail' records grants in redis /run/redis/redis.sock db 0 "
                    + "prefix mx:, which no SMTP service checks"),
            "\(prefix.errors)")
    }

    /// An SMTP service's run script whose check reads the Redis at `url`.
    func smtpRun(_ name: String, redis url: String) throws -> String {
        try write(
            name,
            """
            #!/bin/sh
            exec /usr/bin/env - RELAY_CTRL_REDIS='\(url)' \\
              /usr/bin/tcpserver -v -R -l 0 -x tcp.cdb -u 101 -g 102 0 25 \\
              /usr/local/bin/relay-ctrl-check /var/qmail/bin/qmail-smtpd

            """)
    }

    /// A RELAY_CTRL_REDIS that the tools themselves refuse (a name, not an address) is no window:
    /// it is listed with the tools' reason, and the import fails.
    @Test func aRedisURLTheToolsRefuseIsSaid() throws {
        let run = try smtpRun("refused/smtp/run", redis: "redis://relay-reader@redis.example:6379/0")
        let result = try relaychain(["import", run])
        #expect(result.status == 1)
        #expect(
            result.errors.contains(
                "\(run):2: RELAY_CTRL_REDIS=redis://relay-reader@redis.example:6379/0: the tools refuse it, so no "
                    + "client relays: 'redis.example' is not an IPv4 or IPv6 address (names are not looked up)"),
            "\(result.errors)")
        #expect(!result.output.contains("    redis: {"), "no Redis window is made of it")
    }

    /// A login side that finds Redis through Sentinel works with the tools, but no spec can say it
    /// yet; relay-ctrl-check refuses a Sentinel URL. Each is listed with its own reason (not only
    /// as a URL the tools refuse), and no Redis window is made of either.
    @Test func sentinelURLsAreSaidForWhatTheyAre() throws {
        let url = "redis-sentinel://relay-writer@192.0.2.4:26379,192.0.2.5#relay"
        let postLogin = try write(
            "sentinel/mail-postlogin",
            """
            #!/bin/sh
            TCPREMOTEIP=$IP RELAY_CTRL_REDIS='\(url)' /usr/local/bin/relay-ctrl-allow
            exec "$@"

            """)
        let dovecot = try write(
            "sentinel/conf.d/relaychain-mail.conf",
            """
            service imap {
              executable = imap relaychain-postlogin
            }
            service relaychain-postlogin {
              executable = script-login /usr/local/libexec/relaychain/mail-postlogin
            }

            """)
        let login = try relaychain(["import", dovecot, postLogin])
        #expect(
            login.errors.contains(
                "\(postLogin):2: RELAY_CTRL_REDIS=\(url): the tools follow these sentinels, but a spec cannot "
                    + "name a Redis found through Sentinel yet"),
            "\(login.errors)")
        #expect(!login.output.contains("    redis: {"), "no Redis window is made of it")
        let run = try smtpRun("sentinel/smtp/run", redis: url)
        let check = try relaychain(["import", run])
        #expect(check.status == 1)
        #expect(
            check.errors.contains(
                "\(run):2: RELAY_CTRL_REDIS=\(url): the tools refuse it, so no client relays: relay-ctrl-check "
                    + "reads one server, not sentinels"),
            "\(check.errors)")
    }
}
