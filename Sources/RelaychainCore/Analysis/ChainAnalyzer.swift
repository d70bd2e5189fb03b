/// The analysis: runs the model of every SMTP chain for a client who never logged in and one
/// who just did, and checks the spec for the classic mistakes around it.
enum ChainAnalyzer {
    static func analyze(_ spec: Spec) -> [Diagnostic] {
        let simulator = ChainSimulator(spec: spec, describing: false)
        let plan = simulator.plan
        var diagnostics: [Diagnostic] = []
        let grantedStores = simulator.grantedStores
        let checkedStores = Set(spec.services.compactMap { plan.window($0.checks)?.store.value })

        for service in spec.services {
            loginRules(service, plan, checkedStores, into: &diagnostics)
            guard case .qmailSMTPD(let smtpd) = service.role else { continue }
            analyzeSMTP(service, smtpd, simulator, grantedStores, into: &diagnostics)
        }

        ClusterAnalysis.analyze(spec, plan, into: &diagnostics)
        RedisKeySpaces.analyze(spec, into: &diagnostics)
        ReplicationAnalysis.analyze(spec, into: &diagnostics)

        storeRules(spec, into: &diagnostics)
        return diagnostics
    }

    /// RC403, RC410: a login service whose grants nobody checks, or that cannot write them.
    private static func loginRules(
        _ service: Service, _ plan: ChainPlan, _ checkedStores: Set<String>, into diagnostics: inout [Diagnostic]
    ) {
        if let grants = service.grants, let window = plan.window(grants),
            !checkedStores.contains(window.store.value)
        {
            diagnostics.append(
                .warning(
                    .grantNeverChecked,
                    "service '\(service.name.value)' records grants in \(window.store.value), which no SMTP "
                        + "service checks",
                    at: grants.location,
                    notes: [DiagnosticNote("logins there will never let anyone relay")]))
        }
        if case .dovecot(let login) = service.role, login.version.value.major == 2, login.version.value.minor == 4,
            (login.version.value.patch ?? 0) >= 4,
            login.postLoginUser == nil, let window = plan.window(login.grants), window.redis == nil
        {
            diagnostics.append(
                .warning(
                    .postLoginUserMustWriteStore,
                    "from Dovecot 2.4.4 script-login drops root for good: default_internal_user must be able to "
                        + "write \(window.store.value)",
                    at: login.version.location,
                    fix:
                        "set 'post-login-user' to an account that owns the store, or make the store writable for "
                        + "Dovecot's internal user"
                ))
        }
    }

    /// RC404, RC409, RC415: windows that share a store but not its settings, stores others can
    /// reach, windows too short to use.
    private static func storeRules(_ spec: Spec, into diagnostics: inout [Diagnostic]) {
        var byStore: [String: RelayWindow] = [:]
        for window in spec.windows {
            if let first = byStore[window.store.value] {
                if first.length.value != window.length.value || first.carry.map(\.value) != window.carry.map(\.value)
                    || first.relayClient.value != window.relayClient.value
                {
                    diagnostics.append(
                        .warning(
                            .sharedStoreDiffers,
                            "windows '\(first.name.value)' and '\(window.name.value)' share \(window.store.value) but "
                                + "not their length, carry or relayclient",
                            at: window.store.location,
                            notes: [DiagnosticNote("a grant written for one is judged by the other's settings")]))
                }
            } else {
                byStore[window.store.value] = window
            }
            if window.redis == nil, let shared = Self.sharedAncestor(of: window.store.value) {
                diagnostics.append(
                    .warning(
                        .storeInWorldWritableDirectory,
                        "the store \(window.store.value) sits in \(shared.path), which \(shared.writers) can write",
                        at: window.store.location,
                        notes: [
                            DiagnosticNote(
                                "they can put their own directory or link where the store or a directory above it "
                                    + "belongs; keep the store inside directories only root can write "
                                    + "(relay-ctrl's own: a parent of mode 0700)"
                            )
                        ]))
            }
            if window.length.value.seconds < 60 {
                diagnostics.append(
                    .warning(
                        .shortWindow,
                        "a window of \(window.length.value.seconds)s is shorter than it takes to write a message "
                            + "after checking mail",
                        at: window.length.location ?? window.name.location,
                        notes: [DiagnosticNote("relay-ctrl's default is 15m")]))
            }
        }
    }

    /// The rules for one SMTP service, each in a function of its own below.
    private static func analyzeSMTP(
        _ service: Service, _ smtpd: QmailSMTPD, _ simulator: ChainSimulator, _ grantedStores: Set<String>,
        into diagnostics: inout [Diagnostic]
    ) {
        let chain = smtpd.chain.map(simulator.plan.resolve)
        openRelay(service, smtpd, simulator, into: &diagnostics)
        windowRules(service, smtpd, simulator, grantedStores, into: &diagnostics)
        chainOrder(service.name.value, chain, into: &diagnostics)
        rulesThatDisableFilters(smtpd, chain, into: &diagnostics)
        relayNetworkRules(service.name.value, smtpd, into: &diagnostics)
    }

    /// RC401: a client that never logged in relays.
    private static func openRelay(
        _ service: Service, _ smtpd: QmailSMTPD, _ simulator: ChainSimulator, into diagnostics: inout [Diagnostic]
    ) {
        let name = service.name.value
        let stranger = strangerAddress(smtpd)
        let strangerRun = simulator.simulate(service, smtpd, client: stranger, as: .stranger)
        if strangerRun.relays {
            diagnostics.append(
                .error(
                    .openRelay,
                    "service '\(name)' relays for a client that never logged in (\(stranger)): an open relay",
                    at: strangerRun.relayClientOrigin?.location ?? service.name.location,
                    notes: [
                        DiagnosticNote(
                            "\(strangerRun.relayClientOrigin.map { "'\($0.program)'" } ?? "something") sets "
                                + "RELAYCLIENT for every client; spammers will find it"
                        )
                    ]))
        }
    }

    /// RC402, RC405, RC411: the window the service checks, and whether a login gets through.
    private static func windowRules(
        _ service: Service, _ smtpd: QmailSMTPD, _ simulator: ChainSimulator, _ grantedStores: Set<String>,
        into diagnostics: inout [Diagnostic]
    ) {
        let plan = simulator.plan
        let name = service.name.value
        let stranger = strangerAddress(smtpd)
        if let checks = smtpd.checks, let window = plan.window(checks) {
            if !grantedStores.contains(window.store.value) {
                diagnostics.append(
                    .error(
                        .grantNeverSeen,
                        "service '\(name)' checks \(window.store.value), but no login service records grants there",
                        at: checks.location,
                        notes: [
                            DiagnosticNote(
                                "roaming users will never be allowed to relay; grant this window (or one with the "
                                    + "same store) from a login service"
                            )
                        ]))
            } else {
                let loggedIn = simulator.simulate(service, smtpd, client: stranger, as: .loggedIn(secondsAgo: 0))
                if case .refusedBy = loggedIn.outcome, let blocker = loggedIn.blockedBy.last {
                    diagnostics.append(
                        .warning(
                            .roamingUsersBlocked,
                            "'\(blocker.name)' refuses clients of service '\(name)' even after they log in",
                            at: blocker.location ?? service.name.location,
                            notes: [
                                DiagnosticNote(
                                    "give it a bypass (an env setting that ifrelayclient sets, or "
                                        + "honours-relayclient), or move it out of this chain"
                                )
                            ]))
                }
            }
        } else if smtpd.relayingPrefixes.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .note, .serviceNeverRelays,
                    "service '\(name)' checks no window and declares no relay networks: it relays for nobody",
                    at: service.name.location,
                    notes: [
                        DiagnosticNote("right for a mail exchanger that only receives; add 'checks' for roaming users")
                    ]))
        }
    }

    /// RC406, RC414, RC408, RC407: what the programs of the chain do to each other.
    private static func chainOrder(_ name: String, _ chain: [ChainPlan.Resolved], into diagnostics: inout [Diagnostic])
    {
        var seen: [String: SourceLocation?] = [:]
        var rootGivenUpAt: SourceLocation?
        for (index, wrapper) in chain.enumerated() {
            if wrapper.known?.traits.contains(.dropsRoot) == true {
                // Found by running the real daemontools setuidgid: without root, setgroups fails.
                if let earlier = rootGivenUpAt {
                    diagnostics.append(
                        .error(
                            .chainNeverReachesServer,
                            "'setuidgid' runs after an earlier one gave up root, so it cannot change users "
                                + "and qmail-smtpd never runs for service '\(name)'",
                            at: wrapper.location, notes: [DiagnosticNote("root given up here", at: earlier)]))
                }
                rootGivenUpAt = rootGivenUpAt ?? wrapper.location
            }
            if let earlier = seen[wrapper.name] {
                diagnostics.append(
                    .warning(
                        .duplicateWrapper, "'\(wrapper.name)' appears twice in the chain of service '\(name)'",
                        at: wrapper.location,
                        notes: earlier.map { [DiagnosticNote("first here", at: $0)] } ?? []))
            }
            seen[wrapper.name] = wrapper.location
            if !wrapper.chainLoader {
                diagnostics.append(
                    .error(
                        .chainNeverReachesServer,
                        "'\(wrapper.name)' does not run the rest of its arguments, so qmail-smtpd never runs for "
                            + "service '\(name)'",
                        at: wrapper.location,
                        notes: [
                            DiagnosticNote(
                                "a program with chain-loader: false can only end a chain, and qmail-smtpd ends every "
                                    + "chain"
                            )
                        ]))
            }
            if wrapper.known?.traits.contains(.setsVariablesFromDirectory) == true {
                diagnostics.append(
                    .warning(
                        .envdirMaySetRelayClient,
                        "envdir in the chain of service '\(name)' sets whatever its directory holds, RELAYCLIENT "
                            + "included",
                        at: wrapper.location,
                        notes: [
                            DiagnosticNote(
                                "a file named RELAYCLIENT there makes every client a relay client; keep the directory "
                                    + "root-owned, or use envdir before tcpserver"
                            )
                        ]))
            }
            for setting in wrapper.sets {
                for later in chain[(index + 1)...] {
                    guard case .environment(let bypass) = later.bypass,
                        bypass.contains(where: {
                            $0.name.value == setting.name.value && $0.value.value == setting.value.value
                        })
                    else { continue }
                    diagnostics.append(
                        .warning(
                            .filterDisabledForEveryone,
                            "'\(wrapper.name)' sets \(setting.name.value)=\(ShellQuoting.quoted(setting.value.value)) "
                                + "for every client, which makes '\(later.name)' step aside for everyone",
                            at: setting.name.location ?? wrapper.location,
                            notes: [DiagnosticNote("ifrelayclient already sets it for clients that logged in")]))
                }
            }
        }
    }

    /// RC407 from tcpserver's rules: a rule for every client that sets a wrapper's bypass.
    private static func rulesThatDisableFilters(
        _ smtpd: QmailSMTPD, _ chain: [ChainPlan.Resolved], into diagnostics: inout [Diagnostic]
    ) {
        let chainBypasses = chain.flatMap { wrapper -> [(String, EnvironmentSetting)] in
            guard case .environment(let list) = wrapper.bypass else { return [] }
            return list.map { (wrapper.name, $0) }
        }
        for rule in smtpd.rules where rule.from.value.isEmpty && !rule.deny.value {
            for setting in rule.set {
                for (wrapper, bypass) in chainBypasses
                where bypass.name.value == setting.name.value && bypass.value.value == setting.value.value {
                    diagnostics.append(
                        .warning(
                            .filterDisabledForEveryone,
                            "this rule sets \(setting.name.value)=\(ShellQuoting.quoted(setting.value.value)) for "
                                + "every client, which makes '\(wrapper)' step aside for everyone",
                            at: setting.name.location ?? rule.from.location,
                            notes: [DiagnosticNote("ifrelayclient already sets it for clients that logged in")]))
                }
            }
        }
    }

    /// RC412, RC413: relay networks of the wrong family, or of public addresses.
    private static func relayNetworkRules(_ name: String, _ smtpd: QmailSMTPD, into diagnostics: inout [Diagnostic]) {
        for network in smtpd.relayingPrefixes {
            let isIPv6 = network.value.contains(":")
            if let listen = smtpd.listen, listen.value.contains(":") != isIPv6 {
                diagnostics.append(
                    .warning(
                        .addressFamilyGap,
                        "relay network '\(network.value)' is \(isIPv6 ? "IPv6" : "IPv4"), but service '\(name)' "
                            + "listens on \(listen.value)",
                        at: network.location,
                        notes: [DiagnosticNote("no client of this service can ever match it")]))
            }
            if !isPrivate(network.value) {
                diagnostics.append(
                    .warning(
                        .publicRelayNetwork,
                        "relay network '\(network.value)' holds public addresses: every host in it may relay through "
                            + "service '\(name)'",
                        at: network.location,
                        notes: [
                            DiagnosticNote(
                                "make sure every such host is yours; roaming users are better served by the relay "
                                    + "window"
                            )
                        ]))
            }
        }
    }

    /// An address outside every declared relay network, of the listener's family.
    static func strangerAddress(_ smtpd: QmailSMTPD) -> String {
        let candidates =
            smtpd.listen?.value.contains(":") == true
            ? ["2001:db8::5ca1:ab1e", "2001:db8:ffff::1", "fd00::bad"]
            : ["192.0.2.123", "198.51.100.77", "203.0.113.9", "10.255.255.254", "172.31.255.254"]
        return candidates.first { address in
            !smtpd.relayingPrefixes.contains { RelayNetworkMatch.matches(address, $0.value) }
        } ?? candidates[0]
    }

    /// Loopback, private, link-local and documentation ranges, written as tcprules prefixes.
    static func isPrivate(_ pattern: String) -> Bool {
        let lower = pattern.lowercased()
        if lower.contains(":") {
            return lower.hasPrefix("::1") || lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("fe8")
                || lower.hasPrefix("fe9")
                || lower.hasPrefix("fea") || lower.hasPrefix("feb") || lower.hasPrefix("2001:db8:")
        }
        let octets = pattern.split(separator: ".").compactMap { Int($0.split(separator: "-").first ?? "") }
        guard let first = octets.first else { return false }
        let second = octets.count > 1 ? octets[1] : -1
        let third = octets.count > 2 ? octets[2] : -1
        switch first {
        case 10, 127: return true
        case 172: return (16...31).contains(second)
        case 192: return second == 168 || (second == 0 && third == 2)
        case 198: return (second == 51 && third == 100) || second == 18 || second == 19
        case 203: return second == 0 && third == 113
        case 169: return second == 254
        case 100: return (64...127).contains(second)
        default: return false
        }
    }
}
