import ArgumentParser
import RelaychainCore

struct RelaychainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relaychain",
        abstract: "Check and compile POP/IMAP-before-SMTP relay setups for qmail-style chains beside Dovecot.",
        discussion: """
            Example:
              relaychain check examples/netbsd-pkgsrc-dovecot1.yaml
            """,
        version: RelaychainVersion.current,
        subcommands: [
            CheckCommand.self, BuildCommand.self, ExplainCommand.self, DoctorCommand.self, ImportCommand.self,
            SchemaCommand.self,
            ProbeAsCommand.self,
        ]
    )
}

/// Exit statuses shared by every subcommand.
enum ExitStatus {
    static let clean: Int32 = 0
    static let findings: Int32 = 1
    static let usage: Int32 = 2
    /// The spec was fine, but its output could not be written (nothing was changed).
    static let output: Int32 = 3
}
