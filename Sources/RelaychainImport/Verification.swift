import RelaychainCore

/// Import's promise, checked on the spec it is about to write: the spec passes `check`, and its
/// build starts every imported service with the same command (programs, arguments, order,
/// account, environment, with run-time values as the same run-time values), read back from the
/// built files by the same reader. What differs is a left-out line at the file's own line.
enum Verification {
    struct Verdict {
        var leftOut: [InstallationFacts.LeftOut] = []
        var assumptions: [String] = []
    }

    static func verify(_ text: String, specName: String, facts: InstallationFacts) -> Verdict {
        var verdict = Verdict()
        let built = Relaychain.build(path: specName, bytes: Array(text.utf8), specName: specName)
        if let error = built.diagnostics.first(where: { $0.severity == .error }) {
            verdict.leftOut.append(
                .init(
                    file: specName, line: error.location.line, text: "the written spec",
                    reason: "relaychain check rejects it: \(error.message)"))
            return verdict
        }
        var reader = InstallationReader()
        reader.read(built.files.map { InstallationFile(path: $0.path, text: $0.contents) })
        let rebuilt = Dictionary(
            reader.facts.commands.map { ($0.service, $0.command) }, uniquingKeysWith: { a, _ in a })
        // A tcprules file alone is not a service: its run script would say what runs.
        for service in facts.services {
            guard case .smtpd(let smtpd) = service.role, smtpd.runBy != .qmailRun, let rules = smtpd.rulesFile,
                !facts.commands.contains(where: { $0.service == service.name })
            else { continue }
            verdict.leftOut.append(
                .init(
                    file: rules, line: 1, text: "service '\(service.name)'",
                    reason:
                        "only its tcprules file was given, so the spec would invent its command; give its run script"))
        }
        // Rules tcpserver reads from a cdb whose source was not given: the spec would have none,
        // and setup would compile those over the site's.
        for imported in facts.commands {
            guard let server = imported.command.tcpserver, let cdb = server.values["x"]?.known,
                let service = facts.services.first(where: { $0.name == imported.service }),
                case .smtpd(let smtpd) = service.role, smtpd.rulesFile == nil
            else { continue }
            let option = "\(server.server.rawValue) -x \(cdb)"
            guard !facts.leftOut.contains(where: { $0.file == imported.file && $0.text == option }) else { continue }
            verdict.leftOut.append(
                .init(
                    file: imported.file, line: imported.command.line, text: option,
                    reason:
                        "the rules compiled there are not in the given files, so the spec would have none; give the "
                        + "file tcprules compiles it from (tcp.smtp, tcp.rules)"))
        }
        for imported in facts.commands {
            let line = imported.command.line
            let text = "the command of service '\(imported.service)'"
            guard let command = rebuilt[imported.service] else {
                verdict.leftOut.append(
                    .init(file: imported.file, line: line, text: text, reason: "the spec builds none"))
                continue
            }
            if let difference = imported.command.difference(from: command) {
                verdict.leftOut.append(
                    .init(file: imported.file, line: line, text: text, reason: "the spec builds another: \(difference)")
                )
                continue
            }
            for assumption in imported.command.assumptions(against: command) {
                verdict.assumptions.append("\(imported.file):\(line): \(text) \(assumption)")
            }
        }
        return verdict
    }
}
