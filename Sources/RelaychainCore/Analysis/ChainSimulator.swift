/// Runs the model of each program over a service's emitted chain.
struct ChainSimulator {
    let spec: Spec
    let plan: ChainPlan
    /// Stores that login services write grants into (computed once: simulations are per service).
    let grantedStores: Set<String>
    /// Whether to write the effects down (for `explain`); the rules need only the outcome.
    let describing: Bool

    /// The plan of the service's own host, whose environment says where its checks read (in a
    /// cluster, a spiped socket or the host's copy of Redis); the whole spec's otherwise.
    let hostPlan: ChainPlan

    init(spec: Spec, describing: Bool = true, host: Spec? = nil) {
        self.describing = describing
        self.spec = spec
        let plan = ChainPlan(spec: spec)
        self.plan = plan
        self.hostPlan = host.map { ChainPlan(spec: $0) } ?? plan
        self.grantedStores = Set(spec.services.compactMap { plan.window($0.grants)?.store.value })
    }

    func simulate(_ service: Service, _ smtpd: QmailSMTPD, client: String, as clientClass: ClientClass)
        -> ChainSimulation
    {
        var run = SimulatedRun(
            simulation: ChainSimulation(service: service.name.value, client: client, clientClass: clientClass),
            describing: describing)
        run.startEnvironment(smtpd, plan: hostPlan)
        guard run.tcpserver(smtpd) else { return run.simulation }
        for step in plan.smtpSteps(smtpd) {
            let goesOn =
                switch step.program {
                case .relayCtrlCheck(let window):
                    run.relayCtrlCheck(
                        window, granted: grantedStores, smtpd,
                        source: (hostPlan.window(smtpd.checks) ?? window).checkSource)
                case .ifRelayClient(let settings): run.ifRelayClient(settings)
                case .wrapper(let wrapper): run.wrapper(wrapper)
                case .qmailSMTPD: run.qmailSMTPD()
                }
            guard goesOn else { break }
        }
        return run.simulation
    }

    struct FilterVerdict {
        var decision: ChainSimulation.Decision
        var reason: ChainSimulation.Reason
        var why: String
    }

    /// What a wrapper does to this client, from its declared or catalogued bypass. A client on
    /// rblsmtpd's lists is assumed: the analysis reasons about the worst case.
    static func filter(_ wrapper: ChainPlan.Resolved, _ environment: [String: String]) -> FilterVerdict {
        switch wrapper.bypass {
        case .notAFilter:
            return FilterVerdict(decision: .runsNext, reason: .refusesNobody, why: "refuses nobody")
        case .honoursRelayClient:
            return environment["RELAYCLIENT"] != nil
                ? FilterVerdict(decision: .stepsAside, reason: .relayClientSet, why: "RELAYCLIENT is set: steps aside")
                : FilterVerdict(
                    decision: .refuses, reason: .relayClientNotSet,
                    why: "RELAYCLIENT is not set: applies its filter (a new client is refused for now)")
        case .none:
            return FilterVerdict(
                decision: .refuses, reason: .noBypass,
                why: "cannot be told to step aside: applies its filter to every client")
        case .environment(let settings):
            let unmet = settings.filter { environment[$0.name.value] != $0.value.value }
            if unmet.isEmpty {
                let set = settings.map { "\($0.name.value)=\(ShellQuoting.quoted($0.value.value))" }
                return FilterVerdict(
                    decision: .stepsAside, reason: .bypassSet, why: "steps aside (\(set.joined(separator: " ")))")
            }
            let names = unmet.map(\.name.value).joined(separator: ", ")
            if let delay = wrapper.delay {
                let wanted = unmet.allSatisfy { $0.value.value.isEmpty } ? "is not empty" : "is not as it needs"
                return FilterVerdict(decision: .delays, reason: .bypassNotSet, why: "\(names) \(wanted): \(delay)")
            }
            if wrapper.known?.traits.contains(.consultsBlocklists) == true, let variable = unmet.first?.name.value {
                let why =
                    environment[variable].map { "\(variable)=\(ShellQuoting.quoted($0)): refuses the client" }
                    ?? "\(variable) is not set: looks the client up in its lists; a listed client is refused"
                return FilterVerdict(decision: .refuses, reason: .bypassNotSet, why: why)
            }
            return FilterVerdict(
                decision: .refuses, reason: .bypassNotSet,
                why: "\(names) not as it needs: applies its filter (a listed client is refused)")
        }
    }
}

/// One run in progress: the environment the next program gets, and the steps so far. Each
/// program's method records its step and says whether the chain goes on.
private struct SimulatedRun {
    var simulation: ChainSimulation
    let describing: Bool
    var environment: [String: String] = [:]
    var rootGivenUp = false

    var client: String { simulation.client }

    /// Adds a described effect, building the text only when someone will read it.
    func note(_ effects: inout [String], _ text: @autoclosure () -> String) {
        if describing { effects.append(text()) }
    }

    mutating func record(
        _ program: String, _ decision: ChainSimulation.Decision, _ reason: ChainSimulation.Reason,
        _ effects: [String], at location: SourceLocation?
    ) {
        simulation.steps.append(
            .init(program: program, decision: decision, reason: reason, effects: effects, location: location))
    }

    /// env - (qmail-run's postenv or the run script): only relay-ctrl's settings survive.
    mutating func startEnvironment(_ smtpd: QmailSMTPD, plan: ChainPlan) {
        var effects: [String] = []
        note(&effects, "empties the environment (env -)")
        let window = plan.window(smtpd.checks)
        for word in window.map(plan.checkEnvironment) ?? [] {
            if case .assignment(let name, let value) = word.kind {
                environment[name] = value
                note(&effects, "sets \(name)=\(ShellQuoting.quoted(value))")
            }
        }
        for setting in smtpd.environment {
            environment[setting.name.value] = setting.value.value
            note(
                &effects,
                "sets \(setting.name.value)=\(ShellQuoting.quoted(setting.value.value)) (the service's environment)")
        }
        if let window, window.redis == nil {
            note(&effects, "relay-ctrl-chdir opens \(window.store.value) and sets RELAY_CTRL_DIR_FD")
        }
        record("env", .runsNext, .environmentSet, effects, at: nil)
    }

    /// tcpserver: the client address, and tcprules (first match wins: relay networks first, then
    /// the rules in order).
    mutating func tcpserver(_ smtpd: QmailSMTPD) -> Bool {
        environment["TCPREMOTEIP"] = client
        var effects: [String] = []
        note(&effects, "sets TCPREMOTEIP=\(client)")
        note(&effects, "sets PROTO=TCP")
        var reason = ChainSimulation.Reason.noRule
        if let network = smtpd.relayNetworks.first(where: { RelayNetworkMatch.matches(client, $0.value) }) {
            environment["RELAYCLIENT"] = ""
            note(&effects, "sets RELAYCLIENT='' (tcprules: \(network.value) is a relay network)")
            reason = .relayNetwork
        } else if let rule = smtpd.rules.first(where: {
            $0.from.value.isEmpty || RelayNetworkMatch.matches(client, $0.from.value)
        }) {
            let which = rule.from.value.isEmpty ? "the rule for every client" : "the rule for \(rule.from.value)"
            if rule.deny.value {
                note(&effects, "drops the connection (tcprules: \(which) denies)")
                record("tcpserver", .refuses, .ruleDenies, effects, at: rule.from.location)
                simulation.outcome = .refusedBy("tcpserver")
                return false
            }
            for setting in rule.set {
                environment[setting.name.value] = setting.value.value
                note(
                    &effects,
                    "sets \(setting.name.value)=\(ShellQuoting.quoted(setting.value.value)) (tcprules: \(which))")
            }
            reason = .ruleSets
        }
        record("tcpserver", .runsNext, reason, effects, at: smtpd.port.location)
        return true
    }

    /// `source`: where this host's check reads the store, in words.
    mutating func relayCtrlCheck(
        _ window: RelayWindow, granted: Set<String>, _ smtpd: QmailSMTPD, source: String
    ) -> Bool {
        var effects: [String] = []
        let reason: ChainSimulation.Reason
        let store = window.store.value
        let length = window.length.value.seconds
        if environment["RELAYCLIENT"] != nil {
            note(&effects, "RELAYCLIENT is already set: does not look")
            reason = .alreadyRelayClient
        } else if case .loggedIn(let ago) = simulation.clientClass, granted.contains(store), ago <= length {
            environment["RELAYCLIENT"] = window.relayClient.value
            note(
                &effects,
                "finds a grant \(ago)s old in \(source) (window \(length)s): "
                    + "sets RELAYCLIENT=\(ShellQuoting.quoted(window.relayClient.value))")
            if environment["RBLSMTPD"] == nil {
                environment["RBLSMTPD"] = ""
                note(&effects, "sets RBLSMTPD=''")
            }
            for name in window.carry {
                note(&effects, "sets \(name.value) from the grant")
                environment[name.value] = "<from the grant>"
            }
            reason = .freshGrant
        } else if case .loggedIn(let ago) = simulation.clientClass, granted.contains(store) {
            let removes = window.redis == nil ? " (and removes it)" : ""
            note(&effects, "the grant is \(ago)s old, past the \(length)s window: no relay\(removes)")
            reason = .expiredGrant
        } else if case .loggedIn = simulation.clientClass {
            note(&effects, "no login service records grants in \(store): nothing to find")
            reason = .noLoginService
        } else {
            note(&effects, "no grant for \(client) in \(source)")
            reason = .noGrant
        }
        record("relay-ctrl-check", .runsNext, reason, effects, at: smtpd.checks?.location)
        return true
    }

    mutating func ifRelayClient(_ settings: [EnvironmentSetting]) -> Bool {
        guard environment["RELAYCLIENT"] != nil else {
            record(
                "ifrelayclient", .runsNext, .relayClientNotSet, ["RELAYCLIENT is not set: skips the env settings"],
                at: nil)
            return true
        }
        for setting in settings { environment[setting.name.value] = setting.value.value }
        let set = settings.map { "\($0.name.value)=\(ShellQuoting.quoted($0.value.value))" }
        record(
            "ifrelayclient", .runsNext, .relayClientSet, ["RELAYCLIENT is set: runs env " + set.joined(separator: " ")],
            at: nil)
        return true
    }

    mutating func wrapper(_ wrapper: ChainPlan.Resolved) -> Bool {
        var effects: [String] = []
        if describing { effects += wrapper.readings }
        if wrapper.known?.traits.contains(.dropsRoot) == true {
            if rootGivenUp {
                note(&effects, "an earlier setuidgid gave up root: cannot change users, exits 111")
                record(wrapper.name, .endsChain, .rootAlreadyGivenUp, effects, at: wrapper.location)
                simulation.outcome = .chainEndsAt(wrapper.name)
                return false
            }
            rootGivenUp = true
        }
        for setting in wrapper.sets {
            environment[setting.name.value] = setting.value.value
            note(&effects, "sets \(setting.name.value)=\(ShellQuoting.quoted(setting.value.value)) for every client")
            if setting.name.value == "RELAYCLIENT", simulation.relayClientOrigin == nil {
                simulation.relayClientOrigin = (wrapper.name, setting.name.location)
            }
        }
        if wrapper.known?.traits.contains(.setsVariablesFromDirectory) == true {
            note(&effects, "sets whatever its directory holds (RELAYCLIENT too, if a file says so)")
        }
        let verdict = ChainSimulator.filter(wrapper, environment)
        note(&effects, verdict.why)
        switch verdict.decision {
        case .refuses:
            simulation.blockedBy.append((wrapper.name, wrapper.location))
            record(wrapper.name, .refuses, verdict.reason, effects, at: wrapper.location)
            simulation.outcome = .refusedBy(wrapper.name)
            return false
        case .stepsAside: simulation.steppedAside.append(wrapper.name)
        default: break
        }
        guard wrapper.chainLoader else {
            record(wrapper.name, .endsChain, .notAChainLoader, effects, at: wrapper.location)
            simulation.outcome = .chainEndsAt(wrapper.name)
            return false
        }
        if wrapper.grammar != nil { note(&effects, "then runs the next program") }
        record(wrapper.name, verdict.decision, verdict.reason, effects, at: wrapper.location)
        return true
    }

    mutating func qmailSMTPD() -> Bool {
        guard let value = environment["RELAYCLIENT"] else {
            simulation.outcome = .refusesForeignRecipients
            record(
                "qmail-smtpd", .refusesForeignRecipients, .relayClientNotSet,
                ["RELAYCLIENT is not set: only recipients in rcpthosts"], at: nil)
            return true
        }
        simulation.outcome = .relays
        let suffix = value.isEmpty ? "" : " and appends \(ShellQuoting.quoted(value)) to it"
        record(
            "qmail-smtpd", .relays, .relayClientSet,
            ["RELAYCLIENT=\(ShellQuoting.quoted(value)): accepts any recipient\(suffix)"], at: nil)
        return true
    }
}
