import Foundation
import RelaychainCore
import TestSupport
import Testing

/// The words `build` itself writes for tcpserver, setuidgid and softlimit in run scripts read,
/// under the same grammars that check chain entries, as options and operands followed by the
/// next program of the chain: the exec line of every emitted `run` and `log/run` is evaluated by
/// the shell (with `exec` replaced by a printer), and each of those programs' words are read.
@Suite struct EmittedArgumentsTests {
    static let checked = ["tcpserver", "sslserver", "setuidgid", "softlimit", "envuidgid", "envdir"]

    func argv(ofExecIn script: String) throws -> [String] {
        // Values read at start (accounts, and local-name and concurrency from qmail's control
        // files): stand-ins for id, head and cat, since this host need not have them.
        let readers = "id() { echo 89; }\nhead() { echo mail.example.org; }\ncat() { echo 40; }\n"
        let result = try runProcess("/bin/sh", ["-c", RunScriptWords.printing(readers + script)])
        return RunScriptWords.words(printed: result.output)
    }

    /// The examples with daemontools or runit run scripts (the others use qmail-run's rc.conf).
    @Test(arguments: [
        "debian-dovecot23-daemontools", "custom-wrapper", "../Tests/RelaychainCoreTests/Fixtures/valid/every-key",
        "../Tests/RelaychainCoreTests/Fixtures/emit/tcpserver-settings",
        "../Tests/RelaychainCoreTests/Fixtures/emit/sslserver",
    ])
    func emittedWordsReadAsTheProgramsReadThem(_ example: String) throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("examples/\(example).yaml")
        let result = Relaychain.build(
            path: url.path, bytes: Array(try Data(contentsOf: url)), specName: "\(example).yaml")
        let scripts = result.files.filter { $0.path.hasSuffix("/run") }
        #expect(!scripts.isEmpty)
        var tcpservers = 0
        for script in scripts {
            let words = try argv(ofExecIn: script.contents)
            #expect(!words.isEmpty, "\(script.path)")
            for (index, word) in words.enumerated() {
                let name = String(word.split(separator: "/").last ?? "")
                guard word.hasPrefix("/"), Self.checked.contains(name),
                    let grammar = Catalog.program(named: name)?.grammar
                else { continue }
                let rest = Array(words[(index + 1)...])
                switch grammar.read(rest) {
                case .failure(.runsWord(let next)):
                    #expect(rest[next].hasPrefix("/"), "\(script.path): \(name) would run '\(rest[next])'")
                    if name == "tcpserver" || name == "sslserver" { tcpservers += 1 }
                case let other:
                    Issue.record("\(script.path): \(name) reads \(rest) as \(other)")
                }
            }
        }
        #expect(
            tcpservers == scripts.filter { !$0.path.hasSuffix("log/run") }.count, "each service's tcpserver was read")
    }

    /// ExecStart's words as systemd splits them, for the words SystemdQuoting writes: plain, or in
    /// double quotes with `\\` and `\"` escaped; `$$` and `%%` stand for `$` and `%`.
    func argv(ofExecStartIn unit: String) throws -> [String] {
        let line = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        var words: [String] = []
        var word: String?
        var quoted = false
        var escaped = false
        for character in line.dropFirst("ExecStart=".count) {
            if escaped {
                word!.append(character)
                escaped = false
            } else if quoted {
                if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    quoted = false
                } else {
                    word!.append(character)
                }
            } else if character == " " {
                if let done = word { words.append(done) }
                word = nil
            } else if character == "\"" {
                quoted = true
                word = word ?? ""
            } else {
                word = (word ?? "") + String(character)
            }
        }
        if let done = word { words.append(done) }
        return words.map { $0.replacingOccurrences(of: "$$", with: "$").replacingOccurrences(of: "%%", with: "%") }
    }

    /// spiped under systemd runs with the very words of the daemontools run script, which the
    /// cluster test runs for real; the unit's RuntimeDirectory holds the socket's directory as this
    /// machine resolves /var/run.
    @Test func spipedUnitsRunWhatTheRunScriptsRun() throws {
        let url = Fixtures.url("emit", "cluster-systemd.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let units = Relaychain.build(path: "c.yaml", bytes: Array(text.utf8), specName: "c.yaml").files
            .filter { $0.path.contains("/relaychain-spiped-relay") && $0.path.hasSuffix(".service") }
        let daemontools = text.replacingOccurrences(of: "spiped: { run-by: systemd,", with: "spiped: {")
        #expect(daemontools != text)
        let scripts = Relaychain.build(path: "c.yaml", bytes: Array(daemontools.utf8), specName: "c.yaml").files
            .filter {
                $0.path.contains("/service/spiped-relay") && $0.path.hasSuffix("/run") && !$0.path.contains("/log/")
            }
        #expect(units.map { $0.path.split(separator: "/")[0] } == ["imap1", "mx1", "store1"])
        #expect(scripts.map { $0.path.split(separator: "/")[0] } == ["imap1", "mx1", "store1"])
        for (unit, script) in zip(units, scripts) {
            let words = try argv(ofExecStartIn: unit.contents)
            // The exec line alone: the lines before it make and clear the socket's directory.
            let exec = script.contents.split(separator: "\n").filter { $0.hasPrefix("exec /") }
            #expect(exec.count == 1, "\(script.path)")
            let scripted = try argv(ofExecIn: "#!/bin/sh\n" + exec.joined() + "\n")
            #expect(words.first == "/usr/bin/spiped" && words == scripted, "\(unit.path)")
            guard words.contains("-e") else { continue }
            let socket = try #require(words.firstIndex(of: "-s").map { words[$0 + 1] })
            let directory = try #require(
                unit.contents.split(separator: "\n").first { $0.hasPrefix("RuntimeDirectory=") }?.dropFirst(17))
            // The socket's own directory (the unit makes it) sits in the RuntimeDirectory; neither may
            // exist here, so resolve what does (/var/run).
            let own = URL(fileURLWithPath: socket).deletingLastPathComponent()
            let shared = own.deletingLastPathComponent()
            let resolved =
                shared.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(
                    shared.lastPathComponent
                ).path
            #expect(resolved == "/run/\(directory)", "\(unit.path): \(socket) is not in RuntimeDirectory \(directory)")
            #expect(unit.contents.contains("ExecStartPre=/bin/mkdir -p -m 700 \(own.path)\n"))
            #expect(unit.contents.contains("ExecStartPre=/bin/rm -f \(socket)\n"))
        }
    }
}
