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
        #expect(Self.cases.count >= 25)
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
    /// run script built from its spec, in a mount and network namespace where a recorder stands
    /// in for every program a run script execs first (env, softlimit, tcpserver...) and for id(1).
    /// The two recorded commands, read as import reads a command, are the same (but for the
    /// relay-ctrl-chdir a build adds, which import says as an assumption).
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
                let original = try Self.recorded(directory.appendingPathComponent(script), installation: directory)
                let rebuilt = try Self.recorded(built.appendingPathComponent("service/\(service)/run"))
                let given = try Self.files(under: directory)
                let (started, built) = (Self.command(original, files: given), Self.command(rebuilt, files: [:]))
                #expect(
                    started != nil && built != nil && started.flatMap { built.map($0.difference) } == .some(nil),
                    "\(name)/\(script):\n\(original)\n\(rebuilt)")
                #expect(original.count > 5, "\(name)/\(script): the recorder saw nothing")
                probed += 1
            }
        }
        #expect(probed >= 1)
    }

    /// Programs a run script may exec first, in /usr/bin or /usr/local/bin: the recorder stands in
    /// for each, so that no real server starts (the network namespace has no interface up besides).
    static let firstPrograms = [
        "env", "softlimit", "tcpserver", "sslserver", "envdir", "envuidgid", "setuidgid", "chpst", "argv0",
    ]

    /// The program exec'd and its words, one per line, then the variables it was given.
    /// `installation`: the case's files, whose var/ (qmail's control files, what a run script
    /// sources from there) the namespace's /var holds too.
    static func recorded(_ run: URL, installation: URL? = nil) throws -> [String] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let recorder = scratch.appendingPathComponent("record")
        // Installed by another process, so that no test's child holds them open for writing (ETXTBSY).
        try installExecutable(
            "#!/bin/sh\nprintf '%s\\n' \"$0\"\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\necho ---\n"
                + "/usr/bin/printenv | /usr/bin/sort\n", at: recorder.path)
        let id = scratch.appendingPathComponent("id")
        try installExecutable("#!/bin/sh\necho \"id$1-$2\"\n", at: id.path)
        // qmail's control files, which run scripts read at start, on a /var of the namespace's own.
        let control = [
            "mount -t tmpfs relaychain-probe /var", "mkdir -p /var/qmail/control",
            "echo mx.example.org >/var/qmail/control/me", "echo 40 >/var/qmail/control/concurrencyincoming",
            "echo example.org >/var/qmail/control/rcpthosts", "{ [ ! -d \"$4/var\" ] || cp -R \"$4/var/.\" /var/; }",
        ]
        // /usr/local/bin is the namespace's own too, holding only recorders.
        let local =
            ["mount -t tmpfs relaychain-probe /usr/local/bin"]
            + firstPrograms.map { "cp \"$1\" /usr/local/bin/\($0)" }
        let mounts =
            (firstPrograms.map { "{ [ ! -e /usr/bin/\($0) ] || mount --bind \"$1\" /usr/bin/\($0); }" }
            + ["mount --bind \"$2\" /usr/bin/id"] + control + local).joined(separator: " && ")
        let result = try runProcess(
            "/usr/bin/unshare",
            [
                // As root mount and network namespaces are enough; anyone else maps themselves to root in a user one.
                getuid() == 0 ? "-mn" : "-rmn", "/bin/sh", "-c",
                "\(mounts) && cd \"$3\" && exec /usr/bin/timeout 20 /bin/sh ./run",
                "probe", recorder.path, id.path, run.deletingLastPathComponent().path,
                installation?.path ?? "/nonexistent",
            ], environment: ["PATH": "/usr/bin:/bin"])
        return result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !["PWD=", "SHLVL=", "_=", "OLDPWD="].contains(where: $0.hasPrefix) }
    }

    /// The case's files by path, for an envdir of the original command (the probe has no such
    /// directory, so envdir is recorded, and its files are read as import reads them).
    static func files(under directory: URL) throws -> [String: String] {
        var files: [String: String] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: directory.path) {
            if let text = try? String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8) {
                files[path] = text
            }
        }
        return files
    }

    /// The recorded words read as import reads a command: the program exec'd first, tcpserver's
    /// options. Unless the command clears its environment (env -), what it was started with
    /// (the variables the script exported) is part of it too; PATH is the probe's own.
    static func command(_ recorded: [String], files: [String: String]) -> ServiceCommand? {
        guard let end = recorded.firstIndex(of: "---") else { return nil }
        let words = recorded[..<end].map { ShellText($0) }
        let run = ShellRun(command: .init(words: words, line: 1))
        guard var command = ServiceCommand.resolve(run, in: .init(files: files, serviceDirectory: ".")) else {
            return nil
        }
        if !command.clearsEnvironment {
            for line in recorded[(end + 1)...] {
                guard let equals = line.firstIndex(of: "=") else { continue }
                let name = String(line[..<equals])
                guard name != "PATH", command.variables[name] == nil else { continue }
                command.set(name, ShellText(String(line[line.index(after: equals)...])))
            }
        }
        return command
    }
}
