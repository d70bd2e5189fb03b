import ArgumentParser
import Foundation
import RelaychainCore

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Compile a spec into dovecot.conf fragments, rc.conf, run scripts and crontabs.",
        discussion: """
            Writes into --output (default: generated/<spec name> under the current directory) only \
            the files whose bytes changed, each atomically; with any error in the spec it writes \
            nothing. Files relaychain generated earlier that the spec no longer produces are removed. \
            A first build writes the whole tree beside the output and renames it into place. \
            .relaychain-build in the output records what a build wrote: while the spec, relaychain \
            and those files are unchanged, a build only checks the spec.

            Examples:
              relaychain build examples/netbsd-pkgsrc-dovecot1.yaml
              relaychain build --check examples/netbsd-pkgsrc-dovecot1.yaml   # exit 1 and a diff if stale
              relaychain build --stdout examples/debian-dovecot23-daemontools.yaml
              relaychain build --merge-into /etc/rc.conf --diff examples/netbsd-pkgsrc-dovecot1.yaml
            """
    )

    @Argument(help: "The spec to compile ('-' reads standard input).")
    var spec: String

    @Option(name: .long, help: "Output directory (default: generated/<spec name>).")
    var output: String?

    @Flag(name: .long, help: "Write nothing; exit 1 with a unified diff when the output directory is stale.")
    var check = false

    @Flag(name: .long, help: "Print every file, each after a '==> path <==' line, instead of writing.")
    var stdout = false

    @Option(
        name: .long,
        help: "Put the rc.conf variables into this existing rc.conf (replacing earlier values); write nothing else.")
    var mergeInto: String?

    @Flag(name: .long, help: "With --merge-into: show what would change, write nothing.")
    var diff = false

    @Flag(name: .long, help: "With --merge-into: drop words of the existing values that the spec does not say.")
    var force = false

    @OptionGroup var printing: OutputOptions

    var specName: String {
        spec == "-" ? "stdin.yaml" : URL(fileURLWithPath: spec).lastPathComponent
    }

    func validate() throws {
        if diff && mergeInto == nil { throw ValidationError("--diff goes with --merge-into") }
        if force && mergeInto == nil { throw ValidationError("--force goes with --merge-into") }
        if check && stdout { throw ValidationError("choose one of --check and --stdout") }
        try printing.allow([.text, .github], in: "build")
    }

    /// Says every finding; stops with status 1 when one is an error.
    func report(_ diagnostics: [Diagnostic], _ source: SourceFile?) throws {
        let renderer = DiagnosticRenderer(colored: printing.color.enabled(forDescriptor: 2))
        for diagnostic in diagnostics {
            if printing.format == .github {
                print(DiagnosticRenderer.github(diagnostic, path: spec))
            } else {
                printError(renderer.text(diagnostic, in: source, path: spec), terminator: "")
            }
        }
        guard !diagnostics.hasErrors else {
            printError("relaychain: \(spec) has errors; nothing was written")
            throw ExitCode(ExitStatus.findings)
        }
    }

    var outputRoot: String {
        output ?? "generated/\(specName.hasSuffix(".yaml") ? String(specName.dropLast(5)) : specName)"
    }

    func run() throws {
        let bytes = try SpecFile.readOrExit(spec)
        let key = BuildManifest.key(spec: bytes, specName: specName)
        if !check, !stdout, mergeInto == nil, let unchanged = OutputDirectory(root: outputRoot).unchanged(key: key) {
            // The last build's inputs and output, untouched since: its findings, and no rendering.
            let checked = Relaychain.check(path: spec, bytes: bytes)
            try report(checked.diagnostics, checked.source)
            printError("relaychain: \(outputRoot): 0 files written, \(unchanged) unchanged, 0 removed")
            return
        }
        let result = Relaychain.build(path: spec, bytes: bytes, specName: specName)
        try report(result.diagnostics, result.source)
        if stdout {
            for file in result.files { print("==> \(file.path) <==\n\(file.contents)", terminator: "") }
            return
        }
        if let mergeInto {
            try merge(result.files, into: mergeInto)
            return
        }
        let directory = OutputDirectory(root: outputRoot)
        if !check, directory.isAbsent {
            do {
                // No record: every file was written this second, too recent to trust (BuildManifest).
                try directory.writeFresh(result.files)
            } catch {
                printError("relaychain: \(error); nothing was written")
                throw ExitCode(ExitStatus.output)
            }
            let written = Self.count(result.files.count, "file")
            printError("relaychain: \(directory.root): \(written) written, 0 unchanged, 0 removed")
            return
        }
        let changed = directory.changes(result.files)
        let (stale, interrupted) = directory.leftovers(keeping: result.files)
        if check {
            for file in changed {
                let existing = directory.existing(file.path)
                if existing == file.contents {
                    // Only the mode differs: a diff cannot say so.
                    print("mode: \(file.path) should be \(file.executable ? "0755" : "0644")")
                    continue
                }
                let rendered = UnifiedDiff.render(
                    old: existing ?? "", new: file.contents, oldName: "a/\(file.path)", newName: "b/\(file.path)")
                print(rendered, terminator: "")
            }
            for path in stale { print("stale: \(path) (no longer generated)") }
            if !changed.isEmpty || !stale.isEmpty {
                printError(
                    "relaychain: \(directory.root) is stale; refresh it with: relaychain build "
                        + "\(spec)\(output.map { " --output \($0)" } ?? "")"
                )
                throw ExitCode(ExitStatus.findings)
            }
            return
        }
        do {
            try directory.write(changed, removing: stale, interrupted: interrupted)
            directory.recordManifest(key: key, files: result.files)
        } catch {
            printError("relaychain: \(error); the previous output is unchanged")
            throw ExitCode(ExitStatus.output)
        }
        printError(
            "relaychain: \(directory.root): \(Self.count(changed.count, "file")) written, "
                + "\(result.files.count - changed.count) unchanged, \(stale.count) removed")
    }

    /// Where in the spec a word of an existing qmail-run variable belongs.
    static func keep(_ word: RCConfMerge.DroppedWord) -> String {
        let service =
            word.variable.hasPrefix("qmailsmtpd_") ? "the qmail-run qmail-smtpd service" : "the qmail-run service"
        if word.variable.hasSuffix("_postenv"), let equals = word.word.firstIndex(of: "=") {
            let name = word.word[..<equals]
            let value = word.word[word.word.index(after: equals)...]
            return "keep it with 'environment: { \(name): \"\(value)\" }' in \(service)"
        }
        if word.variable == "qmailsmtpd_presmtpd" {
            let program = String(word.word.split(separator: "/").last ?? "")
            if Catalog.program(named: program)?.role == .wrapper {
                return "keep it by adding '\(program)' to the chain of \(service)"
            }
            return "keep it by defining it under 'wrappers' and adding it to the chain of \(service)"
        }
        switch word.variable {
        case "qmailsmtpd_postsmtpd": return "keep it with 'smtpd-args' in \(service)"
        case "qmailsmtpd_logcmd": return "keep it with 'log-command' in \(service)"
        case "qmailsmtpd_datalimit": return "keep it with 'datalimit: \(word.word)' in \(service)"
        default: return "the spec cannot say it yet"
        }
    }

    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    private func merge(_ files: [OutputFile], into path: String) throws {
        guard let rcConf = files.first(where: { $0.output == .rcConf }) else {
            printError("relaychain: \(spec) has no qmail-run services, so there is nothing to merge")
            throw ExitCode(ExitStatus.findings)
        }
        // An rc.conf is bytes, not necessarily UTF-8: each byte stands for one character while the
        // merge (which looks at ASCII only) works, so every byte comes back as it was.
        let existing: String
        do {
            existing = ByteText.text(try SpecFile.read(path))
        } catch {
            printError("relaychain: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
        let fragment = ByteText.text(Array(rcConf.contents.utf8))
        let merged = RCConfMerge.merge(fragment, into: existing)
        let dropped = RCConfMerge.droppedWords(fragment, into: existing)
        for word in dropped {
            let verb = force ? "dropped" : "merging would drop"
            printError(
                "relaychain: \(path):\(word.line): \(verb) '\(word.word)' from \(word.variable), which \(spec) does "
                    + "not say; "
                    + Self.keep(word))
        }
        if !dropped.isEmpty, !force, !diff {
            printError("relaychain: nothing was written; say those words in the spec, or pass --force to drop them")
            throw ExitCode(ExitStatus.findings)
        }
        if diff {
            if merged != existing {
                let rendered = UnifiedDiff.render(old: existing, new: merged, oldName: path, newName: path)
                writeStandardOutput(ByteText.bytes(rendered))
            }
            return
        }
        guard merged != existing else { return }
        do {
            try FileSystem.replaceKeepingOwnership(path, with: ByteText.bytes(merged))
        } catch {
            printError("relaychain: \(error); \(path) is unchanged")
            throw ExitCode(ExitStatus.output)
        }
    }
}

/// Bytes as text, one character per byte (ISO 8859-1), and back: lossless for any bytes.
enum ByteText {
    static func text(_ bytes: [UInt8]) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    static func bytes(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }
}
