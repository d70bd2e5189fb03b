import ArgumentParser
import RelaychainCore

struct RelaychainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relaychain",
        abstract: "Check and compile POP/IMAP-before-SMTP relay setups for qmail-style chains beside Dovecot.",
        discussion: """
            After a user logs in to Dovecot or qmail-pop3d, the client's address may relay through \
            qmail-smtpd for a short window. A spec (relaychain-spec(5)) says which services grant \
            and check which windows; check validates it and analyses the chains, build writes the \
            configuration (dovecot.conf fragments, rc.conf, run scripts, systemd units, cron, Redis \
            ACLs, a setup script), doctor checks a host against it, explain follows one client \
            through a chain, and import reads an existing installation into a spec. The runtime \
            tools the output runs are relay-ctrl-allow(8), relay-ctrl-check(8) and their companions.

            Exit status: 0 when all is well, 1 for findings (errors in a spec, failed doctor items, \
            stale output), 2 for usage errors, 3 when output could not be written.

            Example:
              relaychain check examples/netbsd-pkgsrc-dovecot1.yaml
            """,
        version: RelaychainVersion.current,
        subcommands: [
            CheckCommand.self, BuildCommand.self, ExplainCommand.self, DoctorCommand.self, ImportCommand.self,
            GrantsCommand.self, RevokeCommand.self, SchemaCommand.self,
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
