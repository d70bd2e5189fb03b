import ArgumentParser
import Foundation
import RelaychainCore
import RelaychainImport

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write a spec from an installation's files (rc.conf, run scripts, dovecot.conf, crontab).",
        discussion: """
            Reads pkgsrc qmail-run's rc.conf variables, daemontools and runit service directories \
            (run, log/run, tcp.rules), dovecot.conf lines (mail_executable, a post-login service) \
            and the post-login script, a relay-ctrl-age crontab line, and relaychain's own output \
            (a directory build wrote). The spec goes to standard output (or --output); whatever it \
            cannot say is kept as a comment in it and listed on standard error with file:line.

            Run scripts are read as sh: assignments, exports, expansions, $(...) and backquotes, \
            if and case, envdir and sh -c; a value computed at start (id -u, cat FILE) stays a \
            run-time value. The spec is verified before it is written: it must pass check, and \
            its build must start each imported service with the same command; a default taken \
            where the files are silent is listed as assumed.

            Exit status: 0 when everything was expressed, 1 when something was left out or the \
            spec would not give the commands back (or, with --lint, when the analysis finds \
            anything), 2 for usage errors or unreadable files.

            Examples:
              relaychain import /etc/rc.conf /etc/dovecot.conf > spec.yaml
              relaychain import /var/qmail/supervise/smtp /etc/dovecot --lint
              relaychain import generated/debian-dovecot23-daemontools --output spec.yaml
            """
    )

    @Argument(help: "Files and directories to read (directories are read recursively).")
    var paths: [String]

    @Option(name: .long, help: "Write the spec to this file instead of standard output.")
    var output: String?

    @Flag(name: .long, help: "Write no spec: run the analysis on what the files hold and print its findings (for CI).")
    var lint = false

    func run() throws {
        var files: [InstallationFile] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                printError("relaychain: cannot read '\(path)': No such file or directory")
                throw ExitCode(ExitStatus.usage)
            }
            if isDirectory.boolValue {
                var found = try Self.walk(path)
                // A service directory given itself: its files are named under its own name.
                if found.contains(where: { $0.path == "run" }) {
                    let name = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
                    found = found.map { InstallationFile(path: "\(name)/\($0.path)", text: $0.text) }
                }
                files += found
            } else {
                files.append(InstallationFile(path: path, text: try Self.text(path)))
            }
        }
        let name = output.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "imported.yaml"
        let result = Importer.importInstallation(files, specName: name)
        for line in result.leftOut { printError("relaychain: import: \(line)") }
        for line in result.assumptions { printError("relaychain: import: assumed: \(line)") }
        if lint {
            let checked = Relaychain.check(SourceFile(path: name, text: result.spec))
            let renderer = DiagnosticRenderer(colored: false)
            for diagnostic in checked.diagnostics {
                printError(renderer.text(diagnostic, in: checked.source, path: name), terminator: "")
            }
            let findings = checked.diagnostics.filter { $0.severity != .note }.count
            printError(
                "relaychain: import --lint: \(findings) finding\(findings == 1 ? "" : "s"), "
                    + "\(result.leftOut.count) line\(result.leftOut.count == 1 ? "" : "s") not understood")
            if findings > 0 || !result.leftOut.isEmpty { throw ExitCode(ExitStatus.findings) }
            return
        }
        if let output {
            do {
                try Data(result.spec.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                printError("relaychain: cannot write '\(output)': \(error.localizedDescription)")
                throw ExitCode(ExitStatus.output)
            }
        } else {
            print(result.spec, terminator: "")
        }
        if !result.leftOut.isEmpty { throw ExitCode(ExitStatus.findings) }
    }

    /// Every text file under a directory, by its path relative to it; compiled rules, logs and
    /// supervise's state are skipped.
    static func walk(_ root: String) throws -> [InstallationFile] {
        var files: [InstallationFile] = []
        let skipped: Set<String> = ["main", "tcp.cdb", "tcp.tmp"]
        FileSystem.walk(root) { path, name in
            guard !path.split(separator: "/").contains(where: { skipped.contains(String($0)) }) else { return }
            if let text = try? text("\(root)/\(path)") { files.append(InstallationFile(path: path, text: text)) }
        }
        // supervise's state beside a run script (`/var/qmail/supervise/smtpd/supervise/`), not
        // /var/qmail/supervise itself, where LWQ keeps its service directories.
        let paths = Set(files.map(\.path))
        files.removeAll { file in
            let parts = file.path.split(separator: "/")
            return parts.indices.contains { index in
                guard parts[index] == "supervise" else { return false }
                let parent = parts[..<index].joined(separator: "/")
                return paths.contains(parent.isEmpty ? "run" : parent + "/run")
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    static func text(_ path: String) throws -> String {
        let bytes = try SpecFile.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SpecFile.ReadError(path: path, reason: "not UTF-8 text")
        }
        return text
    }
}
