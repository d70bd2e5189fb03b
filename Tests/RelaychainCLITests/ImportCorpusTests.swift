import Foundation
import TestSupport
import Testing

@testable import RelaychainImport

/// `relaychain import` on installations written by hand in the forms real sites use (Life with
/// qmail, the vpopmail toasters, runit with ./env, envdir and sh -c, sslserver, cron.d and
/// cron.hourly, Debian-style sourced defaults...), each under ImportCorpus/<case>/ with its
/// expected spec, standard error and exit status. Exit 0 only when the spec passes check and
/// builds the same commands back; every other case lists what it could not say.
struct ImportCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("ImportCorpus")
    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).sorted()
    }
    static let expectedFiles: Set<String> = ["arguments", "expected.yaml", "expected.stderr", "expected.status"]

    func relaychain(_ arguments: [String], in directory: URL) throws -> ProcessResult {
        try runProcess(
            try BuiltProduct.path("relaychain"), arguments, environment: ["PATH": "/usr/bin:/bin"],
            directory: directory)
    }

    /// The case's files, without the expectations (the walk must not read those).
    func installation(_ name: String) throws -> URL {
        let source = Self.corpus.appendingPathComponent(name)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for entry in try FileManager.default.contentsOfDirectory(atPath: source.path)
        where !Self.expectedFiles.contains(entry) {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(entry), to: copy.appendingPathComponent(entry))
        }
        return copy
    }

    @Test func theCorpusHoldsEnoughInstallations() {
        #expect(Self.cases.count >= 12)
    }

    @Test(arguments: cases)
    func importsAsExpected(_ name: String) throws {
        let source = Self.corpus.appendingPathComponent(name)
        let directory = try installation(name)
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments =
            (try? String(contentsOf: source.appendingPathComponent("arguments"), encoding: .utf8))?
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ["."]
        let result = try relaychain(["import"] + arguments, in: directory)
        let actual = [
            "expected.yaml": result.output, "expected.stderr": result.errors, "expected.status": "\(result.status)\n",
        ]
        if ProcessInfo.processInfo.environment["RELAYCHAIN_RECORD"] == "1" {
            for (file, text) in actual { try Data(text.utf8).write(to: source.appendingPathComponent(file)) }
            Issue.record("recorded \(name); review it and run again without RELAYCHAIN_RECORD")
            return
        }
        for (file, text) in actual.sorted(by: { $0.key < $1.key }) {
            let expected =
                (try? String(contentsOf: source.appendingPathComponent(file), encoding: .utf8)) ?? "<missing>"
            #expect(
                text == expected,
                "\(name)/\(file) differs (re-record: RELAYCHAIN_RECORD=1 swift test --filter ImportCorpusTests)")
        }
        #expect(result.status == 0 || result.status == 1, "\(name): \(result.errors)")
        // The promise, checked from outside: a spec written with exit 0 passes check.
        if result.status == 0 {
            let spec = directory.appendingPathComponent("imported.yaml")
            try Data(result.output.utf8).write(to: spec)
            let checked = try relaychain(["check", spec.path], in: directory)
            #expect(checked.status == 0, "\(name): the imported spec fails check: \(checked.errors)")
        } else {
            #expect(result.errors.contains("relaychain: import: "), "\(name): exit 1 with nothing listed")
        }
    }

    /// The real /bin/sh runs each run script of every case that imported with exit 0, and the
    /// run script built from its spec, in a mount namespace where a recorder stands in for
    /// /usr/bin/env (the program both exec first) and for id(1). The two recorded commands,
    /// read as tcpserver reads its options, are the same.
    @Test func exitZeroCasesStartTheSameCommandUnderTheRealShell() throws {
        var probed = 0
        for name in Self.cases {
            let source = Self.corpus.appendingPathComponent(name)
            guard (try? String(contentsOf: source.appendingPathComponent("expected.status"), encoding: .utf8)) == "0\n"
            else { continue }
            let directory = try installation(name)
            defer { try? FileManager.default.removeItem(at: directory) }
            let spec = directory.appendingPathComponent("imported.yaml")
            try FileManager.default.copyItem(at: source.appendingPathComponent("expected.yaml"), to: spec)
            let built = directory.appendingPathComponent("built")
            let build = try relaychain(["build", spec.path, "--output", built.path], in: directory)
            #expect(build.status == 0, "\(name): \(build.errors)")
            let scripts = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix("/run") && !$0.hasSuffix("log/run") && !$0.hasPrefix("built/") }
            for script in scripts {
                let service = URL(fileURLWithPath: script).deletingLastPathComponent().lastPathComponent
                let original = try Self.recorded(directory.appendingPathComponent(script))
                let rebuilt = try Self.recorded(built.appendingPathComponent("service/\(service)/run"))
                #expect(Self.command(original) == Self.command(rebuilt), "\(name)/\(script):\n\(original)\n\(rebuilt)")
                #expect(original.count > 5, "\(name)/\(script): the recorder saw nothing")
                probed += 1
            }
        }
        #expect(probed >= 1)
    }

    /// The words /usr/bin/env was exec'd with, one per line, then the variables it was given.
    static func recorded(_ run: URL) throws -> [String] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let recorder = scratch.appendingPathComponent("env")
        try Data(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\necho ---\n/usr/bin/printenv | /usr/bin/sort\n"
                .utf8
        ).write(to: recorder)
        let id = scratch.appendingPathComponent("id")
        try Data("#!/bin/sh\necho \"id$1-$2\"\n".utf8).write(to: id)
        for file in [recorder, id] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        let result = try runProcess(
            "/usr/bin/unshare",
            [
                // As root a mount namespace is enough; anyone else maps themselves to root in a user one.
                getuid() == 0 ? "-m" : "-rm", "/bin/sh", "-c",
                "mount --bind \"$1\" /usr/bin/env && mount --bind \"$2\" /usr/bin/id && cd \"$3\" && "
                    + "exec /bin/sh ./run",
                "probe", recorder.path, id.path, run.deletingLastPathComponent().path,
            ], environment: ["PATH": "/usr/bin:/bin"])
        return result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !["PWD=", "SHLVL=", "_=", "OLDPWD="].contains(where: $0.hasPrefix) }
    }

    /// The recorded words read as import reads a command: `env` first, tcpserver's options.
    static func command(_ recorded: [String]) -> ServiceCommand? {
        guard let end = recorded.firstIndex(of: "---") else { return nil }
        let words = [ShellText("/usr/bin/env")] + recorded[..<end].map { ShellText($0) }
        let run = ShellRun(command: .init(words: words, line: 1))
        return ServiceCommand.resolve(run, in: .init(files: [:], serviceDirectory: "."))
    }
}
