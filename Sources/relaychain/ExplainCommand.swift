import ArgumentParser
import RelaychainCore

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show what the compiled SMTP chain does for one client, program by program.",
        discussion: """
            Runs relaychain's model of every program in the chain that `build` emits for the \
            service, and ends with the verdict: relay allowed or refused, which filters stepped \
            aside, and what qmail-smtpd answers to a recipient outside rcpthosts. A client on \
            rblsmtpd's lists is assumed (the worst case).

            Examples:
              relaychain explain examples/netbsd-pkgsrc-dovecot1.yaml --service smtp --client 192.0.2.7 --logged-in \
            5m-ago
              relaychain explain examples/netbsd-pkgsrc-dovecot1.yaml --service smtp --client 192.0.2.7 --not-logged-in
              relaychain explain examples/debian-dovecot23-daemontools.yaml --service smtp --client 2001:db8::7 \
            --logged-in 20m-ago --format json
            """
    )

    @Argument(help: "The spec.")
    var spec: String

    @Option(name: .long, help: "The qmail-smtpd service to explain.")
    var service: String

    @Option(name: .long, help: "The client's IPv4 or IPv6 address.")
    var client: String

    @Option(name: .long, help: "When the client last logged in, e.g. 5m-ago, 90s-ago.")
    var loggedIn: String?

    @Flag(name: .long, help: "The client never logged in.")
    var notLoggedIn = false

    @OptionGroup var printing: OutputOptions
    var format: DiagnosticFormat { printing.format }

    func validate() throws {
        if (loggedIn == nil) == (notLoggedIn == false) {
            throw ValidationError("say either --logged-in TIME-ago or --not-logged-in")
        }
        if let loggedIn, Self.seconds(loggedIn) == nil {
            throw ValidationError("--logged-in takes a time such as 5m-ago, 90s-ago or 1h-ago, not '\(loggedIn)'")
        }
        try printing.allow([.text, .json], in: "explain")
    }

    /// The command line that explains a client who just logged in, as doctor's fixes print it.
    static func invocation(spec: String, service: String, client: String) -> String {
        "relaychain explain \(spec) --service \(service) --client \(client) --logged-in 0s-ago"
    }

    static func seconds(_ text: String) -> Int? {
        let trimmed = text.hasSuffix("-ago") ? String(text.dropLast(4)) : text
        return trimmed == "0s" ? 0 : WindowLength(parsing: trimmed)?.seconds
    }

    func run() throws {
        let bytes: [UInt8]
        do {
            bytes = try SpecFile.read(spec)
        } catch {
            try fail("\(error)", exit: ExitStatus.usage)
        }
        let checked = Relaychain.check(path: spec, bytes: bytes)
        guard let loaded = checked.spec else {
            let renderer = DiagnosticRenderer(colored: false)
            for diagnostic in checked.diagnostics {
                printError(renderer.text(diagnostic, in: checked.source, path: spec), terminator: "")
            }
            try fail(
                "\(spec) has errors; run relaychain check \(spec)", exit: ExitStatus.findings,
                diagnostics: checked.diagnostics.map { DiagnosticRenderer.json($0, path: spec) })
        }
        let clientClass: ClientClass = loggedIn.flatMap(Self.seconds).map { .loggedIn(secondsAgo: $0) } ?? .stranger
        switch Relaychain.explain(loaded, service: service, client: client, as: clientClass) {
        case .failure(let failure):
            try fail("\(failure)", exit: ExitStatus.usage)
        case .success(let run):
            let verdict = printing.painted(Self.verdict(run), run.relays ? "32" : "1;31")
            print(format == .json ? Self.json(run).rendered : Self.text(run, verdict: verdict), terminator: "")
        }
    }

    /// Says why on standard error, and in JSON mode also as a JSON error object on standard output.
    private func fail(_ message: String, exit: Int32, diagnostics: [JSONValue] = []) throws -> Never {
        printError("relaychain: \(message)")
        if format == .json {
            print(JSONError.object(message, exit: exit, diagnostics: diagnostics).rendered, terminator: "")
        }
        throw ExitCode(exit)
    }

    static func verdict(_ run: ChainSimulation) -> String {
        switch run.outcome {
        case .relays: "relay allowed"
        case .refusesForeignRecipients: "relay refused"
        case .refusedBy(let name): "refused by \(name)"
        case .chainEndsAt(let name): "qmail-smtpd never runs (\(name) ends the chain)"
        }
    }

    /// `verdict`: the verdict as printed (coloured on a terminal).
    static func text(_ run: ChainSimulation, verdict: String) -> String {
        var out = "service '\(run.service)', client \(run.client), \(run.clientClass.description)\n\n"
        for (index, step) in run.steps.enumerated() {
            out += "\(index + 1). \(step.program)\n"
            for effect in step.effects { out += "     \(effect)\n" }
        }
        out += "\nverdict: \(verdict)\n"
        out += "stepped aside: \(run.steppedAside.isEmpty ? "none" : run.steppedAside.joined(separator: ", "))\n"
        out += "RCPT TO:<someone@elsewhere.example>: \(run.foreignRecipientAnswer)\n"
        return out
    }

    static func json(_ run: ChainSimulation) -> JSONValue {
        var clientClass: [(String, JSONValue)] = [("loggedIn", .bool(run.clientClass != .stranger))]
        if case .loggedIn(let seconds) = run.clientClass { clientClass.append(("secondsAgo", .int(seconds))) }
        return .object([
            ("service", .string(run.service)),
            ("client", .string(run.client)),
            ("clientClass", .object(clientClass)),
            (
                "steps",
                .array(
                    run.steps.map {
                        .object([
                            ("program", .string($0.program)), ("decision", .string($0.decision.rawValue)),
                            ("reason", .string($0.reason.rawValue)),
                            ("effects", .array($0.effects.map(JSONValue.string))),
                        ])
                    })
            ),
            ("verdict", .string(verdict(run))),
            ("relays", .bool(run.relays)),
            ("steppedAside", .array(run.steppedAside.map(JSONValue.string))),
            ("foreignRecipient", .string(run.foreignRecipientAnswer)),
        ])
    }
}
