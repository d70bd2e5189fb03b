import ArgumentParser
import RelaychainCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate specs and report every problem with its position.",
        discussion: """
            Exit status: 0 when no spec has an error (warnings allowed), 1 when any has, 2 for \
            usage errors or unreadable files. Text goes to standard error; json and github go to \
            standard output.

            Examples:
              relaychain check examples/*.yaml
              relaychain check --format github examples/debian-dovecot23-daemontools.yaml
            """
    )

    @OptionGroup var printing: OutputOptions
    var format: DiagnosticFormat { printing.format }

    @Flag(name: .long, help: "Treat warnings as errors for the exit status.")
    var warningsAsErrors = false

    @Flag(name: .long, help: "Validate only; skip the chain analysis (RC4xx).")
    var noAnalysis = false

    @Argument(help: "Spec files to check ('-' reads standard input).")
    var specs: [String]

    func validate() throws {
        if specs.isEmpty { throw ValidationError("give at least one spec file") }
    }

    func run() throws {
        let renderer = DiagnosticRenderer(colored: printing.color.enabled(forDescriptor: 2))
        var errors = 0
        var warnings = 0
        var unreadable: [String] = []
        var json: [JSONValue] = []
        for path in specs {
            let bytes: [UInt8]
            do {
                bytes = try SpecFile.read(path)
            } catch {
                printError("relaychain: \(error)")
                if format == .github { print("::error file=\(path),title=unreadable::\(error)") }
                unreadable.append("\(error)")
                continue
            }
            let result = Relaychain.check(path: path, bytes: bytes, analyze: !noAnalysis)
            for diagnostic in result.diagnostics {
                switch diagnostic.severity {
                case .error: errors += 1
                case .warning: warnings += 1
                case .note: break
                }
                switch format {
                case .text: printError(renderer.text(diagnostic, in: result.source, path: path), terminator: "")
                case .json: json.append(DiagnosticRenderer.json(diagnostic, path: path))
                case .github: print(DiagnosticRenderer.github(diagnostic, path: path))
                }
            }
        }
        switch format {
        case .text where errors + warnings > 0:
            printError(DiagnosticRenderer.summary(errors: errors, warnings: warnings, files: specs.count))
        case .json where unreadable.isEmpty:
            print(JSONValue.array(json).rendered, terminator: "")
        case .json:
            // A failure is an object, never a list that a consumer could take for "no findings".
            let error = JSONError.object(unreadable.joined(separator: "; "), exit: ExitStatus.usage, diagnostics: json)
            print(error.rendered, terminator: "")
        default:
            break
        }
        if !unreadable.isEmpty { throw ExitCode(ExitStatus.usage) }
        if errors > 0 || (warningsAsErrors && warnings > 0) { throw ExitCode(ExitStatus.findings) }
    }
}

/// What a JSON output mode prints when the command fails: `{"error": {"message", "exit"}, ...}`.
enum JSONError {
    static func object(_ message: String, exit: Int32, diagnostics: [JSONValue] = []) -> JSONValue {
        .object([
            ("error", .object([("message", .string(message)), ("exit", .int(Int(exit)))])),
            ("diagnostics", .array(diagnostics)),
        ])
    }
}
