/// Checks what refers to what: windows named by services, programs named in chains, ports and
/// path overrides. Works on the loader's outline, so it runs even when other parts are broken.
enum SpecValidator {
    /// `complete` says the whole spec loaded; findings that would be noise otherwise wait for it.
    static func validate(_ outline: SpecOutline, complete: Bool) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let windowNames = outline.windows.map(\.value)

        for reference in outline.windowReferences where !windowNames.contains(reference.window.value) {
            diagnostics.append(
                .error(
                    .undefinedWindow,
                    "service '\(reference.service)' \(reference.verb) window '\(reference.window.value)', which is "
                        + "not defined",
                    at: reference.window.location,
                    notes: windowNames.isEmpty
                        ? [] : [DiagnosticNote("defined windows: \(windowNames.joined(separator: ", "))")],
                    fix: Suggestion.closest(to: reference.window.value, among: windowNames).map {
                        "did you mean '\($0)'?"
                    }))
        }

        for program in outline.chainPrograms {
            if let diagnostic = validateChainProgram(program, wrappers: outline.wrappers.map(\.value)) {
                diagnostics.append(diagnostic)
            }
        }

        // Two services clash on a port when their addresses overlap (no address: every address).
        var earlier: [SpecOutline.PortUse] = []
        for use in outline.ports {
            if let owner = earlier.first(where: {
                $0.host == use.host && $0.port.value == use.port.value
                    && ($0.listen == nil || use.listen == nil || $0.listen == use.listen)
            }) {
                diagnostics.append(
                    .error(
                        .portInUse,
                        "service '\(use.service)' listens on port \(use.port.value), like service '\(owner.service)'",
                        at: use.port.location))
            } else {
                earlier.append(use)
            }
        }

        let hostNames = Set(outline.hosts.map(\.value))
        for reference in outline.hostReferences {
            if let host = reference.host, hostNames.isEmpty {
                diagnostics.append(
                    .error(
                        .undefinedHost,
                        "service '\(reference.service.value)' names host '\(host.value)', but the spec declares no "
                            + "'hosts'",
                        at: host.location, fix: "declare it under 'hosts', or remove 'host' for a single machine"))
            } else if let host = reference.host, !hostNames.contains(host.value) {
                diagnostics.append(
                    .error(
                        .undefinedHost,
                        "service '\(reference.service.value)' names host '\(host.value)', which 'hosts' does not "
                            + "declare",
                        at: host.location,
                        fix: Suggestion.closest(to: host.value, among: hostNames.sorted()).map {
                            "did you mean '\($0)'?"
                        }
                    ))
            } else if reference.host == nil, !hostNames.isEmpty {
                diagnostics.append(
                    .error(
                        .undefinedHost,
                        "service '\(reference.service.value)' names no host, but the spec declares 'hosts'",
                        at: reference.service.location,
                        fix: "add 'host:' with one of: \(hostNames.sorted().joined(separator: ", "))"))
            }
        }

        for host in outline.redisHosts where !hostNames.contains(host.value) {
            diagnostics.append(
                .error(
                    .undefinedHost,
                    hostNames.isEmpty
                        ? "'redis' names host '\(host.value)', but the spec declares no 'hosts'"
                        : "'redis' names host '\(host.value)', which 'hosts' does not declare",
                    at: host.location,
                    fix: hostNames.isEmpty
                        ? "declare the hosts under 'hosts'"
                        : Suggestion.closest(to: host.value, among: hostNames.sorted()).map { "did you mean '\($0)'?" })
            )
        }

        for name in outline.pathOverrides where Catalog.program(named: name.value) == nil {
            diagnostics.append(
                .error(
                    .undefinedProgram, "'paths' sets a path for '\(name.value)', which relaychain does not know",
                    at: name.location,
                    notes: [DiagnosticNote("define your own programs under 'wrappers', with their path")],
                    fix: Suggestion.closest(to: name.value, among: Catalog.programs.map(\.name)).map {
                        "did you mean '\($0)'?"
                    }))
        }

        if complete, !diagnostics.hasErrors {
            let used = Set(outline.windowReferences.map(\.window.value))
            for window in outline.windows where !used.contains(window.value) {
                diagnostics.append(
                    .warning(
                        .unusedWindow, "window '\(window.value)' is not granted or checked by any service",
                        at: window.location))
            }
        }
        return diagnostics
    }

    private static func validateChainProgram(_ program: Written<String>, wrappers: [String]) -> Diagnostic? {
        let name = program.value
        let location = program.location
        if wrappers.contains(name) { return nil }
        if let known = Catalog.program(named: name) {
            switch known.role {
            case .wrapper:
                return nil
            case .relayCtrl:
                return .error(
                    .placedByRelaychain, "'\(name)' must not be written in a chain; relaychain places it itself",
                    at: location,
                    notes: [DiagnosticNote("a chain lists only the wrappers between relay-ctrl-check and qmail-smtpd")])
            case .server:
                return .error(
                    .serverInChain, "'\(name)' cannot stand in a wrapper chain", at: location,
                    notes: [
                        DiagnosticNote(
                            "relaychain starts each chain with tcpserver and ends it with qmail-smtpd; set their "
                                + "paths under 'platform: paths:'"
                        )
                    ])
            }
        }
        if name.hasPrefix("/") {
            return .error(
                .unknownWrapper,
                "chain entry '\(name)' is a path; define the program under 'wrappers' so relaychain knows how it "
                    + "treats relay clients",
                at: location)
        }
        return .error(
            .unknownWrapper, "unknown wrapper '\(name)'", at: location,
            notes: [
                DiagnosticNote(
                    "built in: \(Catalog.wrapperNames.joined(separator: ", ")); define others under 'wrappers'")
            ],
            fix: Suggestion.closest(to: name, among: Catalog.wrapperNames + wrappers).map { "did you mean '\($0)'?" })
    }
}
