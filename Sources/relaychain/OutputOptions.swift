import ArgumentParser
import RelaychainCore

/// `--format` and `--color`, one group that means the same on every command that prints a
/// result: text for people (coloured on a terminal unless told), json for programs, github for
/// workflow annotations where a command reports diagnostics.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json or github (workflow annotations; check and build).")
    var format: DiagnosticFormat = .text

    @Option(name: .long, help: "Colour text output: auto (on a terminal), always or never.")
    var color: ColorChoice = .auto

    /// A command that has no use for a format says so before it does anything.
    func allow(_ formats: [DiagnosticFormat], in command: String) throws {
        guard formats.contains(format) else {
            let names = formats.map(\.rawValue)
            throw ValidationError(
                "\(command) prints \(names.dropLast().joined(separator: ", ")) or \(names.last ?? ""), "
                    + "not \(format.rawValue)")
        }
    }

    /// Wraps text in an SGR colour when colour is on for standard output.
    func painted(_ text: String, _ code: String) -> String {
        DiagnosticRenderer(colored: color.enabled(forDescriptor: 1)).paint(text, code)
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    func enabled(forDescriptor descriptor: Int32) -> Bool {
        switch self {
        case .always: true
        case .never: false
        case .auto: Terminal.isTerminal(descriptor)
        }
    }
}
