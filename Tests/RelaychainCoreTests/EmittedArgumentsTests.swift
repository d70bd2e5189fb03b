import Foundation
import RelaychainCore
import TestSupport
import Testing

/// The words `build` itself writes for tcpserver, setuidgid and softlimit in run scripts read,
/// under the same grammars that check chain entries, as options and operands followed by the
/// next program of the chain: the exec line of every emitted `run` and `log/run` is evaluated by
/// the shell (with `exec` replaced by a printer), and each of those programs' words are read.
@Suite struct EmittedArgumentsTests {
    static let checked = ["tcpserver", "setuidgid", "softlimit", "envuidgid", "envdir"]

    func argv(ofExecIn script: String) throws -> [String] {
        let printing = script.replacingOccurrences(of: "exec 2>&1\n", with: "")
            .replacingOccurrences(of: "\nexec ", with: "\nprintf '%s\\0' ")
        let result = try runProcess("/bin/sh", ["-c", printing])
        return result.output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The examples with daemontools or runit run scripts (the others use qmail-run's rc.conf).
    @Test(arguments: [
        "debian-dovecot23-daemontools", "custom-wrapper", "../Tests/RelaychainCoreTests/Fixtures/valid/every-key",
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
                    if name == "tcpserver" { tcpservers += 1 }
                case let other:
                    Issue.record("\(script.path): \(name) reads \(rest) as \(other)")
                }
            }
        }
        #expect(
            tcpservers == scripts.filter { !$0.path.hasSuffix("log/run") }.count, "each service's tcpserver was read")
    }
}
