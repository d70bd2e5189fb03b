import Foundation
import TestSupport
import Testing

@testable import RelaychainCore

/// The analysis must agree with reality. 1,000 random specs (chain orders, catalog and user
/// wrappers, bypass kinds, declared settings, shared or separate stores, windows, relay networks,
/// client classes) are compiled; for each, the analysis says whether a foreign recipient is
/// relayed, and the emitted rc.conf chain is executed with the real built relay-ctrl tools, the
/// real Debian programs wherever Debian has them (rblsmtpd, recordio, fixcrio from ucspi-tcp; softlimit,
/// setuidgid, envuidgid, envdir, pgrphack from daemontools), stand-ins for the others, a
/// temporary store, and a probe in place of qmail-smtpd. One case in six also holds a chain
/// entry with wrong arguments: the check must refuse it (RC133-RC135), and the same words,
/// executed, must never reach qmail-smtpd.
@Suite struct AnalysisAgreementTests {
    static let cases = 1000
    static let baseSeed: UInt64 = 0xA6_4EE0_0000

    /// The real programs, from Debian's ucspi-tcp(-ipv6) and daemontools packages.
    static let realPrograms = [
        "rblsmtpd", "recordio", "fixcrio", "argv0", "softlimit", "setuidgid", "envuidgid", "envdir", "pgrphack",
    ]

    /// Chain entries with wrong arguments, each of which the real program turns into a chain that
    /// never reaches qmail-smtpd; `last` ones swallow the next program's path, so they are placed
    /// last, where that path is qmail-smtpd's.
    static let wrongEntries: [(entry: String, last: Bool)] = [
        ("rblsmtpd zen.example.org", false), ("rblsmtpd -x -r zen.example.org", false), ("recordio -v", false),
        ("softlimit -x 5", false), ("softlimit -m", true), ("pgrphack -x", false), ("setuidgid", true),
        ("envuidgid", true), ("envdir", true), ("argv0 /bin/true true", false),
    ]

    /// Stand-ins for programs Debian does not package, as their documentation describes them
    /// (as far as relaying is concerned).
    static let standIns: [String: String] = [
        "greetdelay": #"[ "$1" = -- ] && shift; exec "$@""#,
        "qgreylist": #"[ -n "${RELAYCLIENT+x}" ] && exec "$@"; exit 0"#,
        "jgreylist": #"[ -n "${RELAYCLIENT+x}" ] && exec "$@"; exit 0"#,
        "fixsmtpio": #"exec "$@""#,
        // user-wrapper LOADER BYPASS [set:NAME=VALUE ...] :: rest: what a user wrapper declares.
        "user-wrapper": #"""
        loader=$1; bypass=$2; shift 2
        while [ "$1" != "::" ]; do export "${1#set:}"; shift; done; shift
        case $bypass in
          notafilter) ;;
          honours) [ -n "${RELAYCLIENT+x}" ] || exit 0 ;;
          none) exit 0 ;;
          env:*) for pair in $(echo "${bypass#env:}" | tr ',' ' '); do name=${pair%%=*}; want=${pair#*=}; \#
        eval "have=\${$name-unset}"; [ "$have" = "$want" ] || exit 0; done ;;
        esac
        [ "$loader" = yes ] || exit 0
        exec "$@"
        """#,
        // The probe: what qmail-smtpd would be started with.
        "qmail-smtpd":
            #"out="$(dirname "$(dirname "$0")")/result"; "#
            + #"echo "${RELAYCLIENT+relays}${RELAYCLIENT-refuses} RBLSMTPD=${RBLSMTPD-unset}" > "$out""#,
    ]

    struct Case: CustomStringConvertible {
        var seed: UInt64
        var yaml: String
        var client: String
        var inNetwork: Bool
        var login: (ago: Int, store: String)?
        /// A wrong-argument entry in the chain: `yaml` then holds it as an opaque user wrapper
        /// running the real program (so that it builds), `catalogYAML` as the catalog entry.
        var wrong: (entry: String, catalogYAML: String)?
        var description: String {
            "seed \(String(seed, radix: 16)), client \(client)\(inNetwork ? " (relay network)" : ""), login "
                + "\(login.map { "\($0.ago)s ago into \($0.store)" } ?? "none")\n\(yaml)"
        }
    }

    static func makeCase(_ index: Int, root: String) -> Case {
        var g = QuotingPropertyTests.Generator(state: baseSeed + UInt64(index))
        let dir = "\(root)/case-\(index)"
        let storeA = "\(dir)/spool/a"
        let storeB = g.pick([true, false]) ? storeA : "\(dir)/spool/b"
        let lengthA = g.pick([120, 600, 1800])
        let lengthB = storeB == storeA ? lengthA : g.pick([120, 600, 1800])
        let checksWindow = g.pick(["a", "b", "a", "none"])
        var wrappers: [String] = []
        var chain: [String] = []
        let userCount = Int(g.next() % 3)
        for u in 0..<userCount {
            let bypass = g.pick(["notafilter", "honours", "none", "env"])
            let envName = g.pick(["UWA", "UWB"])
            let envValue = g.pick(["", "0"])
            var sets: [(String, String)] = []
            if g.next() % 3 == 0 {
                sets.append((g.pick(["UWA", "UWB", "RBLSMTPD", "GREETDELAY", "RELAYCLIENT", "X"]), g.pick(["", "0"])))
            }
            let loader = g.next() % 12 == 0 ? "no" : "yes"
            let bypassYAML =
                switch bypass {
                case "notafilter": "not-a-filter"
                case "honours": "honours-relayclient"
                case "none": "none"
                default: "{ env: { \(envName): \"\(envValue)\" } }"
                }
            let bypassArg = bypass == "env" ? "env:\(envName)=\(envValue)" : bypass
            let args = ["\"\(loader)\"", "\"\(bypassArg)\""] + sets.map { "\"set:\($0.0)=\($0.1)\"" } + ["\"::\""]
            let setsYAML =
                sets.isEmpty ? "" : ", sets: { " + sets.map { "\($0.0): \"\($0.1)\"" }.joined(separator: ", ") + " }"
            wrappers.append(
                "  uw\(u): { path: \(dir)/bin/user-wrapper, args: [\(args.joined(separator: ", "))], bypass: "
                    + "\(bypassYAML)\(setsYAML), chain-loader: \(loader == "yes") }"
            )
            chain.append("uw\(u)")
        }
        let catalog = [
            "rblsmtpd -r zen.example.org", "greetdelay", "greetdelay --", "qgreylist", "jgreylist", "fixsmtpio",
            "softlimit -m 30000000", "recordio", "setuidgid nobody", "envuidgid nobody", "envdir \(dir)/env",
            "pgrphack", "fixcrio",
        ]
        for _ in 0..<Int(g.next() % 4) { chain.append(g.pick(catalog)) }
        // Shuffle the chain (Fisher-Yates with the case's generator).
        if chain.count > 1 {
            for i in stride(from: chain.count - 1, to: 0, by: -1) { chain.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        }
        var wrong: (entry: String, index: Int)?
        if g.next() % 6 == 0 {
            let pick = g.pick(wrongEntries)
            let index = pick.last ? chain.count : Int(g.next() % UInt64(chain.count + 1))
            wrong = (pick.entry, index)
        }
        let networks = [["127."], ["10.0.0."], [], []][Int(g.next() % 4)]
        let client = g.pick(["192.0.2.33", "10.0.0.7", "127.0.0.5"])
        let checkLength = checksWindow == "b" ? lengthB : lengthA
        let loginStore = storeA
        let login: (Int, String)? =
            g.pick([true, true, false]) ? (g.pick([10, checkLength - 60, checkLength + 120]), loginStore) : nil
        func specText(_ chain: [String], _ wrappers: [String]) -> String {
            """
            relaychain: 1
            platform: { prefix: \(dir), env: /usr/bin/env }
            windows:
              a: { store: \(storeA), length: \(lengthA)s }
              b: { store: \(storeB), length: \(lengthB)s }
            \(wrappers.isEmpty ? "" : "wrappers:\n" + wrappers.joined(separator: "\n"))
            services:
              imap: { server: dovecot, version: "2.3", protocols: [imap], grants: a }
              smtp:
                server: qmail-smtpd
                run-by: qmail-run
                \(checksWindow == "none" ? "" : "checks: \(checksWindow)")
                relay-networks: [\(networks.map { "\"\($0)\"" }.joined(separator: ", "))]
                chain: [\(chain.map { "\"\($0)\"" }.joined(separator: ", "))]
            """
        }
        let inNetwork = networks.contains { client.hasPrefix($0) }
        guard let wrong else {
            return Case(
                seed: baseSeed + UInt64(index), yaml: specText(chain, wrappers), client: client, inNetwork: inNetwork,
                login: login)
        }
        var catalogChain = chain
        var opaqueChain = chain
        catalogChain.insert(wrong.entry, at: wrong.index)
        opaqueChain.insert("wrong", at: wrong.index)
        let words = wrong.entry.split(separator: " ").map(String.init)
        let opaque =
            "  wrong: { path: \(dir)/bin/\(words[0]), args: "
            + "[\(words.dropFirst().map { "\"\($0)\"" }.joined(separator: ", "))], bypass: not-a-filter }"
        return Case(
            seed: baseSeed + UInt64(index), yaml: specText(opaqueChain, wrappers + [opaque]), client: client,
            inNetwork: inNetwork,
            login: login, wrong: (wrong.entry, specText(catalogChain, wrappers)))
    }

    @Test func analysisAgreesWithExecutedChains() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-agreement-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bin = "\(root)/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for tool in ["relay-ctrl-check", "relay-ctrl-chdir", "ifrelayclient", "relay-ctrl-allow"] {
            try FileManager.default.createSymbolicLink(
                atPath: "\(bin)/\(tool)", withDestinationPath: try BuiltProduct.path(tool))
        }
        for (name, body) in Self.standIns {
            try installExecutable("#!/bin/sh\n\(body)\n", at: "\(bin)/\(name)")
        }
        for name in Self.realPrograms {
            let real = "/usr/bin/\(name)"
            try #require(
                FileManager.default.isExecutableFile(atPath: real),
                "\(real) is missing: install Debian's ucspi-tcp-ipv6 and daemontools")
            try FileManager.default.createSymbolicLink(atPath: "\(bin)/\(name)", withDestinationPath: real)
        }
        let harness = """
            . "$1/rc.conf"
            eval "/usr/bin/env - ${qmailsmtpd_postenv-} ${qmailsmtpd_pretcpserver-} /usr/bin/env TCPREMOTEIP=$2 \
            RBLSMTPD=-listed $3 ${qmailsmtpd_presmtpd-} ${qmailsmtpd_smtpdcmd-$1/bin/qmail-smtpd}" </dev/null
            """
        let lock = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        nonisolated(unsafe) var relayed = 0
        nonisolated(unsafe) var refused = 0
        nonisolated(unsafe) var wrongCases = 0
        DispatchQueue.concurrentPerform(iterations: Self.cases) { index in
            let item = Self.makeCase(index, root: root)
            func fail(_ what: String) {
                lock.lock()
                failures.append("case \(index) (\(item)): \(what)")
                lock.unlock()
            }
            do {
                let dir = "\(root)/case-\(index)"
                for sub in ["spool/a", "spool/b", "env"] {
                    try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
                }
                // setuidgid nobody may run the rest of the chain: the probe must still write its result.
                try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir)
                try FileManager.default.createSymbolicLink(atPath: "\(dir)/bin", withDestinationPath: bin)
                guard let node = YAMLDocument(SourceFile(path: "case.yaml", text: item.yaml)).root,
                    let spec = SpecLoader.load(node).spec
                else {
                    let diagnostics = Relaychain.check(SourceFile(path: "case.yaml", text: item.yaml)).diagnostics
                    fail("the generated spec does not load: \(Fixtures.describe(diagnostics))")
                    return
                }
                // (a) the analysis; with a wrong-argument entry, the check refuses it, and the
                // executed words must never reach qmail-smtpd.
                if let wrong = item.wrong {
                    let codes = Relaychain.check(SourceFile(path: "case.yaml", text: wrong.catalogYAML)).diagnostics
                        .map(\.code)
                    if !codes.contains(where: { [.unknownOption, .missingArgument, .runsWrongProgram].contains($0) }) {
                        fail("the check accepts '\(wrong.entry)': \(codes)")
                    }
                }
                guard let service = spec.services.first(where: { $0.name.value == "smtp" }),
                    case .qmailSMTPD(let smtpd) = service.role
                else { return }
                let clientClass: ClientClass = item.login.map { .loggedIn(secondsAgo: $0.ago) } ?? .stranger
                // A chain the check says never reaches qmail-smtpd (RC406) relays for nobody.
                let neverReaches = Relaychain.check(SourceFile(path: "case.yaml", text: item.yaml)).diagnostics
                    .contains { $0.code == .chainNeverReachesServer }
                let simulated = ChainSimulator(spec: spec).simulate(
                    service, smtpd, client: item.client, as: clientClass)
                if neverReaches, simulated.relays {
                    fail("the check says qmail-smtpd never runs, the simulation relays")
                }
                let predicted = item.wrong == nil && !neverReaches && simulated.relays
                // (b) reality: the login through the real relay-ctrl-allow, then the emitted chain.
                if let login = item.login {
                    let allow = try runProcess(
                        "/usr/bin/env",
                        [
                            "-", "TCPREMOTEIP=\(item.client)", "RELAY_CTRL_DIR=\(login.store)", "USER=u",
                            "\(bin)/relay-ctrl-allow",
                        ])
                    guard allow.status == 0 else {
                        fail("relay-ctrl-allow: \(allow.errors)")
                        return
                    }
                    let when = Date().addingTimeInterval(TimeInterval(-login.ago))
                    try FileManager.default.setAttributes(
                        [.modificationDate: when], ofItemAtPath: "\(login.store)/\(item.client)")
                }
                let emitted = Emitter.emit(spec, specName: "case.yaml")
                guard let rcConf = emitted.files.first(where: { $0.path == "rc.conf" }) else {
                    fail("no rc.conf")
                    return
                }
                try rcConf.contents.write(toFile: "\(dir)/rc.conf", atomically: true, encoding: .utf8)
                _ = try runProcess(
                    "/bin/sh", ["-c", harness, "harness", dir, item.client, item.inNetwork ? "RELAYCLIENT=" : ""])
                let result = (try? String(contentsOfFile: "\(dir)/result", encoding: .utf8)) ?? "not reached"
                let actual = result.hasPrefix("relays")
                if item.wrong != nil {
                    lock.lock()
                    wrongCases += 1
                    lock.unlock()
                    if result != "not reached" {
                        fail("the chain with a wrong-argument entry reached qmail-smtpd: \(result)")
                    }
                    return
                }
                lock.lock()
                if actual { relayed += 1 } else { refused += 1 }
                lock.unlock()
                if actual != predicted {
                    fail(
                        "analysis says \(predicted ? "relays" : "does not relay"), the executed chain: "
                            + "\(result.trimmingCharacters(in: .whitespacesAndNewlines))"
                    )
                }
            } catch {
                fail("\(error)")
            }
        }
        #expect(
            failures.isEmpty, "\(failures.count) disagreements; first: \(failures.prefix(3).joined(separator: "\n\n"))")
        // Both verdicts must be well represented, or the test proves little.
        #expect(relayed > Self.cases / 10 && refused > Self.cases / 10, "relayed \(relayed), refused \(refused)")
        #expect(wrongCases > Self.cases / 10, "only \(wrongCases) cases with wrong arguments")
    }
}
