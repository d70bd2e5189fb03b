import Foundation
import RelaychainCore
import Testing

@Suite struct BuildTests {
    static let examples =
        (try? FileManager.default.contentsOfDirectory(
            atPath: Fixtures.repositoryRoot.appendingPathComponent("examples").path))?
        .filter { $0.hasSuffix(".yaml") }.sorted() ?? []

    static func build(_ url: URL) throws -> Relaychain.BuildResult {
        Relaychain.build(
            path: url.lastPathComponent, bytes: Array(try Data(contentsOf: url)), specName: url.lastPathComponent)
    }

    /// generated/ is exactly what the compiler makes of examples/ today.
    @Test(arguments: examples)
    func generatedIsFresh(_ name: String) throws {
        let result = try Self.build(Fixtures.repositoryRoot.appendingPathComponent("examples/\(name)"))
        #expect(result.diagnostics.isEmpty)
        let directory = Fixtures.repositoryRoot.appendingPathComponent(
            "generated/\(name.replacingOccurrences(of: ".yaml", with: ""))")
        let problems = OutputTree.differences(result.files, from: directory)
        #expect(
            problems.isEmpty,
            "generated/ is stale; refresh it with scripts/regenerate\n\(problems.joined(separator: "\n"))")
    }

    /// Golden trees for the targets the examples do not cover; RELAYCHAIN_RECORD=1 re-records
    /// them (and fails, so a recording run never passes).
    @Test(arguments: Fixtures.specs(in: "emit"))
    func emitFixtureMatchesItsGoldenTree(_ name: String) throws {
        let result = try Self.build(Fixtures.url("emit", name))
        #expect(result.diagnostics.isEmpty)
        let directory = Fixtures.url("emit", name.replacingOccurrences(of: ".yaml", with: ""))
        if ProcessInfo.processInfo.environment["RELAYCHAIN_RECORD"] == "1" {
            try OutputTree.record(result.files, into: directory)
            Issue.record("recorded \(directory.lastPathComponent)/; review it and run again without RELAYCHAIN_RECORD")
            return
        }
        let problems = OutputTree.differences(result.files, from: directory)
        #expect(
            problems.isEmpty,
            "\(problems.joined(separator: "\n"))\n(re-record with RELAYCHAIN_RECORD=1 swift test and review the diff)")
    }

    /// `check` reports everything `build` would, at the same positions: what a target cannot
    /// express (RC3xx) included, so CI linting with `check` misses nothing `build` refuses.
    @Test func checkReportsWhatBuildReports() throws {
        for folder in ["invalid", "analysis", "unbuildable"] {
            for name in Fixtures.specs(in: folder) {
                let checked = try Fixtures.check(folder, name)
                let built = Relaychain.build(
                    path: name, bytes: Array(try Data(contentsOf: Fixtures.url(folder, name))), specName: name)
                #expect(
                    Fixtures.describe(checked.diagnostics) == Fixtures.describe(built.diagnostics), "\(folder)/\(name)")
            }
        }
        let twoSMTPD = try Fixtures.check("unbuildable", "two-qmail-run-smtpd.yaml")
        #expect(twoSMTPD.diagnostics.map(\.code).contains(.qmailRunSingleService))
    }

    /// Specs that a target cannot express: exact diagnostics, no files.
    @Test(arguments: Fixtures.specs(in: "unbuildable"))
    func unbuildableSpecReportsAndWritesNothing(_ name: String) throws {
        let result = try Self.build(Fixtures.url("unbuildable", name))
        #expect(result.files.isEmpty)
        expectMatchesGolden(
            Fixtures.describe(result.diagnostics),
            golden: Fixtures.url("unbuildable", name.replacingOccurrences(of: ".yaml", with: ".expected")))
    }

    /// The article's own lines, to the byte.
    @Test func seedArticleSetupIsReproduced() throws {
        let result = try Self.build(
            Fixtures.repositoryRoot.appendingPathComponent("examples/netbsd-pkgsrc-dovecot1.yaml"))
        let dovecot = try #require(result.files.first { $0.path == "dovecot/relaychain-imap.conf" })
        #expect(
            dovecot.contents.contains(
                "\n  mail_executable = /usr/bin/env RELAY_CTRL_DIR=/var/spool/relay-ctrl/allow "
                    + "/usr/pkg/bin/relay-ctrl-chdir /usr/pkg/bin/dovecot-settcpremoteip "
                    + "/usr/pkg/bin/relay-ctrl-allow /usr/pkg/libexec/dovecot/imap\n"
            ))
        let rcConf = try #require(result.files.first { $0.path == "rc.conf" })
        let presmtpd = try #require(
            rcConf.contents.split(separator: "\n").first { $0.hasPrefix("qmailsmtpd_presmtpd=") })
        #expect(
            presmtpd.hasPrefix(
                "qmailsmtpd_presmtpd=\"/usr/pkg/bin/relay-ctrl-check /usr/pkg/bin/ifrelayclient /usr/bin/env "
                    + "RBLSMTPD=''"
            ))
        #expect(
            presmtpd
                == "qmailsmtpd_presmtpd=\"/usr/pkg/bin/relay-ctrl-check /usr/pkg/bin/ifrelayclient /usr/bin/env "
                + "RBLSMTPD='' GREETDELAY='' -- /usr/pkg/bin/greetdelay /usr/pkg/bin/rblsmtpd -r zen.spamhaus.org "
                + "/usr/pkg/bin/qgreylist\""
        )
    }

    @Test func sameSpecSameBytes() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("examples/custom-wrapper.yaml")
        #expect(try Self.build(url).files == (try Self.build(url).files))
    }

    @Test func everyFileSaysItIsGenerated() throws {
        for name in Self.examples {
            for file in try Self.build(Fixtures.repositoryRoot.appendingPathComponent("examples/\(name)")).files {
                let lines = file.contents.split(separator: "\n", maxSplits: 2)
                #expect(
                    lines.prefix(2).contains { $0 == "# Generated by relaychain from \(name); do not edit." },
                    "\(file.path)")
                if file.executable { #expect(file.contents.hasPrefix("#!/bin/sh\n"), "\(file.path)") }
            }
        }
    }
}
