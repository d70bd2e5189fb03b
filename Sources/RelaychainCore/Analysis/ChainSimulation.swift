/// The SMTP chain of one service run, in the model, for one client: what each program does to
/// the environment and whether the connection gets through, and relays.
public struct ChainSimulation: Sendable {
    public struct Step: Sendable {
        public var program: String
        /// What it did: "sets RELAYCLIENT=''", "steps aside (RBLSMTPD is empty)", ...
        public var effects: [String]
        /// Where the spec names it, when it does.
        public var location: SourceLocation?
    }

    public enum Outcome: Sendable, Equatable {
        /// qmail-smtpd runs with RELAYCLIENT set: any recipient is accepted.
        case relays
        /// qmail-smtpd runs without RELAYCLIENT: recipients outside rcpthosts get 553.
        case refusesForeignRecipients
        /// A filter refused the client before qmail-smtpd ran.
        case refusedBy(String)
        /// A program that does not exec the rest of the chain: qmail-smtpd never runs.
        case chainEndsAt(String)
    }

    public var service: String
    public var client: String
    public var clientClass: ClientClass
    public var steps: [Step] = []
    public var outcome: Outcome = .refusesForeignRecipients
    /// Which program set RELAYCLIENT for every client, and where, when one did.
    public var relayClientOrigin: (program: String, location: SourceLocation?)?
    /// Filters that applied to the client instead of stepping aside.
    public var blockedBy: [(name: String, location: SourceLocation?)] = []
    /// Filters that stepped aside for the client.
    public var steppedAside: [String] = []

    public var relays: Bool { outcome == .relays }

    /// What qmail-smtpd (or the chain) answers to `RCPT TO:<someone@elsewhere>`.
    public var foreignRecipientAnswer: String {
        switch outcome {
        case .relays: "250 ok: relayed"
        case .refusesForeignRecipients: "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"
        case .refusedBy(let name): "refused by \(name) before qmail-smtpd runs"
        case .chainEndsAt(let name): "no answer from qmail-smtpd: \(name) does not run it"
        }
    }
}

/// Runs the model of each program over a service's emitted chain.
struct ChainSimulator {
    let spec: Spec
    let plan: ChainPlan
    /// Stores that login services write grants into (computed once: simulations are per service).
    let grantedStores: Set<String>
    /// Whether to write the effects down (for `explain`); the rules need only the outcome.
    let describing: Bool

    init(spec: Spec, describing: Bool = true) {
        self.describing = describing
        self.spec = spec
        let plan = ChainPlan(spec: spec)
        self.plan = plan
        self.grantedStores = Set(spec.services.compactMap { plan.window($0.grants)?.store.value })
    }

    func simulate(_ service: Service, _ smtpd: QmailSMTPD, client: String, as clientClass: ClientClass)
        -> ChainSimulation
    {
        var run = ChainSimulation(service: service.name.value, client: client, clientClass: clientClass)
        let describing = self.describing
        /// Adds a described effect, building the text only when someone will read it.
        func note(_ effects: inout [String], _ text: @autoclosure () -> String) {
            if describing { effects.append(text()) }
        }
        var environment: [String: String] = [:]
        var rootGivenUp = false
        let steps = plan.smtpSteps(smtpd)

        // env - (qmail-run's postenv or the run script): only relay-ctrl's settings survive.
        var start: [String] = []
        note(&start, "empties the environment (env -)")
        if let window = plan.window(smtpd.checks) {
            for word in plan.checkEnvironment(window) {
                if case .assignment(let name, let value) = word.kind {
                    environment[name] = value
                    note(&start, "sets \(name)=\(ShellQuoting.quoted(value))")
                }
            }
        }
        for setting in smtpd.environment {
            environment[setting.name.value] = setting.value.value
            note(
                &start,
                "sets \(setting.name.value)=\(ShellQuoting.quoted(setting.value.value)) (the service's environment)")
        }
        if let window = plan.window(smtpd.checks) {
            note(&start, "relay-ctrl-chdir opens \(window.store.value) and sets RELAY_CTRL_DIR_FD")
        }
        run.steps.append(.init(program: "env", effects: start, location: nil))

        // tcpserver: the client address, and the tcprules variables of declared relay networks.
        environment["TCPREMOTEIP"] = client
        var serverEffects: [String] = []
        note(&serverEffects, "sets TCPREMOTEIP=\(client)")
        note(&serverEffects, "sets PROTO=TCP")
        // tcprules: first match wins, relay networks first, then the rules in order.
        if let network = smtpd.relayNetworks.first(where: { RelayNetworkMatch.matches(client, $0.value) }) {
            environment["RELAYCLIENT"] = ""
            note(&serverEffects, "sets RELAYCLIENT='' (tcprules: \(network.value) is a relay network)")
        } else if let rule = smtpd.rules.first(where: {
            $0.from.value.isEmpty || RelayNetworkMatch.matches(client, $0.from.value)
        }) {
            let which = rule.from.value.isEmpty ? "the rule for every client" : "the rule for \(rule.from.value)"
            if rule.deny.value {
                note(&serverEffects, "drops the connection (tcprules: \(which) denies)")
                run.steps.append(.init(program: "tcpserver", effects: serverEffects, location: rule.from.location))
                run.outcome = .refusedBy("tcpserver")
                return run
            }
            for setting in rule.set {
                environment[setting.name.value] = setting.value.value
                note(
                    &serverEffects,
                    "sets \(setting.name.value)=\(ShellQuoting.quoted(setting.value.value)) (tcprules: \(which))")
            }
        }
        run.steps.append(.init(program: "tcpserver", effects: serverEffects, location: smtpd.port.location))

        for step in steps {
            switch step.program {
            case .relayCtrlCheck(let window):
                var effects: [String] = []
                if environment["RELAYCLIENT"] != nil {
                    note(&effects, "RELAYCLIENT is already set: does not look")
                } else if case .loggedIn(let ago) = clientClass, grantedStores.contains(window.store.value),
                    ago <= window.length.value.seconds
                {
                    environment["RELAYCLIENT"] = window.relayClient.value
                    note(
                        &effects,
                        "finds a grant \(ago)s old in \(window.store.value) (window \(window.length.value.seconds)s): "
                            + "sets RELAYCLIENT=\(ShellQuoting.quoted(window.relayClient.value))"
                    )
                    if environment["RBLSMTPD"] == nil {
                        environment["RBLSMTPD"] = ""
                        note(&effects, "sets RBLSMTPD=''")
                    }
                    for name in window.carry {
                        note(&effects, "sets \(name.value) from the grant")
                        environment[name.value] = "<from the grant>"
                    }
                } else if case .loggedIn(let ago) = clientClass, grantedStores.contains(window.store.value) {
                    note(
                        &effects,
                        "the grant is \(ago)s old, past the \(window.length.value.seconds)s window: no relay (and "
                            + "removes it)"
                    )
                } else if case .loggedIn = clientClass {
                    note(&effects, "no login service records grants in \(window.store.value): nothing to find")
                } else {
                    note(&effects, "no grant for \(client) in \(window.store.value)")
                }
                run.steps.append(.init(program: "relay-ctrl-check", effects: effects, location: smtpd.checks?.location))
            case .ifRelayClient(let settings):
                if environment["RELAYCLIENT"] != nil {
                    for setting in settings { environment[setting.name.value] = setting.value.value }
                    run.steps.append(
                        .init(
                            program: "ifrelayclient",
                            effects: [
                                "RELAYCLIENT is set: runs env "
                                    + settings.map { "\($0.name.value)=\(ShellQuoting.quoted($0.value.value))" }.joined(
                                        separator: " ")
                            ], location: nil))
                } else {
                    run.steps.append(
                        .init(
                            program: "ifrelayclient", effects: ["RELAYCLIENT is not set: skips the env settings"],
                            location: nil))
                }
            case .wrapper(let wrapper):
                var effects: [String] = []
                if describing { effects += wrapper.readings }
                if wrapper.known?.traits.contains(.dropsRoot) == true {
                    if rootGivenUp {
                        note(&effects, "an earlier setuidgid gave up root: cannot change users, exits 111")
                        run.steps.append(.init(program: wrapper.name, effects: effects, location: wrapper.location))
                        run.outcome = .chainEndsAt(wrapper.name)
                        return run
                    }
                    rootGivenUp = true
                }
                for setting in wrapper.sets {
                    environment[setting.name.value] = setting.value.value
                    note(
                        &effects,
                        "sets \(setting.name.value)=\(ShellQuoting.quoted(setting.value.value)) for every client")
                    if setting.name.value == "RELAYCLIENT", run.relayClientOrigin == nil {
                        run.relayClientOrigin = (wrapper.name, setting.name.location)
                    }
                }
                if wrapper.known?.traits.contains(.setsVariablesFromDirectory) == true {
                    note(&effects, "sets whatever its directory holds (RELAYCLIENT too, if a file says so)")
                }
                switch Self.filter(wrapper, environment) {
                case .passes(let why):
                    note(&effects, why)
                    if wrapper.bypass != .notAFilter { run.steppedAside.append(wrapper.name) }
                case .refuses(let why):
                    note(&effects, why)
                    run.blockedBy.append((wrapper.name, wrapper.location))
                    run.steps.append(.init(program: wrapper.name, effects: effects, location: wrapper.location))
                    run.outcome = .refusedBy(wrapper.name)
                    return run
                case .delays(let why): note(&effects, why)
                }
                if wrapper.grammar != nil, wrapper.chainLoader { note(&effects, "then runs the next program") }
                run.steps.append(.init(program: wrapper.name, effects: effects, location: wrapper.location))
                if !wrapper.chainLoader {
                    run.outcome = .chainEndsAt(wrapper.name)
                    return run
                }
            case .qmailSMTPD:
                if let value = environment["RELAYCLIENT"] {
                    run.outcome = .relays
                    let suffix = value.isEmpty ? "" : " and appends \(ShellQuoting.quoted(value)) to it"
                    run.steps.append(
                        .init(
                            program: "qmail-smtpd",
                            effects: ["RELAYCLIENT=\(ShellQuoting.quoted(value)): accepts any recipient\(suffix)"],
                            location: nil))
                } else {
                    run.outcome = .refusesForeignRecipients
                    run.steps.append(
                        .init(
                            program: "qmail-smtpd", effects: ["RELAYCLIENT is not set: only recipients in rcpthosts"],
                            location: nil))
                }
            }
        }
        return run
    }

    enum FilterVerdict {
        case passes(String)
        case refuses(String)
        case delays(String)
    }

    /// What a wrapper does to this client, from its declared or catalogued bypass. A client on
    /// rblsmtpd's lists is assumed: the analysis reasons about the worst case.
    static func filter(_ wrapper: ChainPlan.Resolved, _ environment: [String: String]) -> FilterVerdict {
        switch wrapper.bypass {
        case .notAFilter:
            return .passes("refuses nobody")
        case .honoursRelayClient:
            return environment["RELAYCLIENT"] != nil
                ? .passes("RELAYCLIENT is set: steps aside")
                : .refuses("RELAYCLIENT is not set: applies its filter (a new client is refused for now)")
        case .none:
            return .refuses("cannot be told to step aside: applies its filter to every client")
        case .environment(let settings):
            let unmet = settings.filter { environment[$0.name.value] != $0.value.value }
            if unmet.isEmpty {
                return .passes(
                    "steps aside ("
                        + settings.map { "\($0.name.value)=\(ShellQuoting.quoted($0.value.value))" }.joined(
                            separator: " ") + ")")
            }
            let names = unmet.map(\.name.value).joined(separator: ", ")
            if let delay = wrapper.delay {
                let wanted = unmet.allSatisfy { $0.value.value.isEmpty } ? "is not empty" : "is not as it needs"
                return .delays("\(names) \(wanted): \(delay)")
            }
            if wrapper.known?.traits.contains(.consultsBlocklists) == true, let variable = unmet.first?.name.value {
                if let value = environment[variable] {
                    return .refuses("\(variable)=\(ShellQuoting.quoted(value)): refuses the client")
                }
                return .refuses(
                    "\(variable) is not set: looks the client up in its lists; a listed client is refused")
            }
            return .refuses("\(names) not as it needs: applies its filter (a listed client is refused)")
        }
    }
}
