import Foundation
import RelaychainCore
import Testing

@Suite struct ValidSpecTests {
    static let fixtures = Fixtures.specs(in: "valid")

    @Test(arguments: fixtures)
    func loadsWithoutDiagnostics(_ name: String) throws {
        let result = try Fixtures.check("valid", name)
        #expect(Fixtures.describe(result.diagnostics) == "")
        #expect(result.spec != nil)
    }

    @Test(
        arguments: try FileManager.default.contentsOfDirectory(
            atPath: Fixtures.repositoryRoot.appendingPathComponent("examples").path
        ).filter { $0.hasSuffix(".yaml") }.sorted())
    func everyExampleChecksClean(_ name: String) throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("examples").appendingPathComponent(name)
        let result = Relaychain.check(path: name, bytes: Array(try Data(contentsOf: url)))
        #expect(Fixtures.describe(result.diagnostics) == "")
        let firstLine = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").first
        #expect(firstLine == "# yaml-language-server: $schema=../schema/relaychain.schema.json")
    }

    @Test func everyKeyModelKeepsValuesAndPositions() throws {
        let spec = try #require(try Fixtures.check("valid", "every-key.yaml").spec)
        #expect(spec.platform.prefix == Located("/opt/mail", at: SourceLocation(line: 5, column: 11)))
        #expect(spec.platform.path(ofNamed: "tcpserver") == "/usr/bin/tcpserver")
        #expect(spec.platform.path(ofNamed: "rblsmtpd") == "/usr/local/bin/rblsmtpd")

        let window = try #require(spec.window(named: "relay"))
        #expect(window.length.value.seconds == 2700)
        #expect(window.relayClient.value == "@relay.example.org")
        #expect(window.log.value)
        #expect(window.carry.map(\.value) == ["USER", "DOMAIN", "MAILBOX_OWNER"])

        let throttle = try #require(spec.wrapper(named: "spamthrottle"))
        #expect(throttle.args.map(\.value) == ["--limit", "30", "two words"])
        guard case .environment(let settings) = throttle.bypass.value else {
            Issue.record("spamthrottle's bypass is \(throttle.bypass.value)")
            return
        }
        #expect(settings.map { "\($0.name.value)=\($0.value.value)" } == ["SPAMTHROTTLE=", "THROTTLE_LEVEL=0"])
        #expect(spec.wrapper(named: "tarpit")?.chainLoader.value == false)

        guard case .qmailSMTPD(let smtpd) = spec.services[2].role else {
            Issue.record("third service is not qmail-smtpd")
            return
        }
        #expect(smtpd.chain.map(\.program.value) == ["auditor", "rblsmtpd", "spamthrottle", "greyhound", "softlimit"])
        // Words of a string entry keep their own positions.
        let source = try Fixtures.source("valid", "every-key.yaml")
        for word in [smtpd.chain[1].program.located] + smtpd.chain[1].args + smtpd.chain[2].args {
            // A quoted scalar's mark is its opening quote.
            let text = source.text(at: try #require(word.location))
            #expect(text.hasPrefix(word.value) || text.hasPrefix("\"\(word.value)\""), "\(word)")
        }
        #expect(smtpd.chain[1].args.map(\.value) == ["-r", "zen.spamhaus.org", "-r", "bl.example.net"])
        #expect(smtpd.chain[2].args.map(\.value) == ["--zone", "example.org", "5"])
        #expect(smtpd.relayNetworks.map(\.value) == ["127.", "192.0.2.1-30", "198.51.100.7"])
        guard case .qmailSMTPD(let smtpd6) = spec.services[3].role else {
            Issue.record("fourth service is not qmail-smtpd")
            return
        }
        #expect(smtpd6.relayNetworks.map(\.value) == ["::1", "2001:db8:"])
        #expect(smtpd6.listen?.value == "2001:db8::25")
        let tls = try #require(smtpd6.tls?.value)
        #expect(
            tls.environment.map { "\($0.name)=\($0.value.value)" } == [
                "CERTFILE=/etc/ssl/mail.pem", "KEYFILE=/etc/ssl/mail.key", "DHFILE=/etc/ssl/dh.pem",
            ])
        #expect(tls.flags == ["-e", "-n"])
        #expect(source.text(at: try #require(tls.key?.location)).hasPrefix("/etc/ssl/mail.key"))

        guard case .dovecot(let dovecot) = spec.services[0].role else {
            Issue.record("first service is not dovecot")
            return
        }
        #expect(dovecot.version.value.description == "2.4.4")
        #expect(dovecot.version.value.mechanism == .postLogin24)
        #expect(dovecot.postLoginUser?.value == "vmail")
    }

    @Test func defaultsFollowRelayCtrlAndPkgsrc() throws {
        let spec = try #require(try Fixtures.check("valid", "minimal.yaml").spec)
        #expect(spec.platform.prefix.value == "/usr/local")
        #expect(spec.platform.prefix.location == nil)
        #expect(spec.platform.env.value == "/usr/bin/env")
        #expect(spec.platform.dovecotLibexec.value == "/usr/local/libexec/dovecot")
        #expect(spec.platform.libexec.value == "/usr/local/libexec/relaychain")
        let window = try #require(spec.window(named: "relay"))
        #expect(window.length.value.seconds == 900)
        #expect(window.relayClient.value == "")
        #expect(window.log.value == false)
        #expect(window.carry.map(\.value) == ["USER", "DOMAIN"])
        guard case .qmailSMTPD(let smtpd) = spec.services[1].role else {
            Issue.record("second service is not qmail-smtpd")
            return
        }
        #expect(smtpd.port.value == 25)

        let pkgsrc = try #require(try Fixtures.check("valid", "two-windows.yaml").spec)
        guard case .qmailPOP3D(let pop3) = pkgsrc.services[1].role else {
            Issue.record("second service is not qmail-pop3d")
            return
        }
        #expect(pop3.checkpassword.value == "nbcheckpassword")
        #expect(pop3.port.value == 110)
        #expect(pkgsrc.window(named: "long")?.carry.isEmpty == true)
    }

    @Test func flowStyleKeepsColumns() throws {
        let spec = try #require(try Fixtures.check("valid", "flow-style.yaml").spec)
        let source = try Fixtures.source("valid", "flow-style.yaml")
        let store = try #require(spec.window(named: "relay")?.store)
        #expect(source.text(at: store.location).hasPrefix("/var/spool/relay-ctrl/allow}"))
        let version = try #require(
            spec.services.first.flatMap { if case .dovecot(let d) = $0.role { d.version } else { nil } })
        #expect(source.text(at: version.location).hasPrefix("\"1.0\""))
    }
}
