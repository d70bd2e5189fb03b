/// What the targets cannot express (RC3xx), found from the words the plan would write, before
/// anything is rendered: `check` stops here, and `build` renders only a spec with no error, so
/// the renderers cannot fail. In a cluster each host's part is checked, each problem said once.
enum TargetProblems {
    static func find(_ spec: Spec) -> [Diagnostic] {
        guard !spec.hosts.isEmpty else { return find(inPart: spec) }
        var diagnostics: [Diagnostic] = []
        for host in spec.hosts {
            let part = Emitter.part(of: spec, on: host)
            for diagnostic in find(inPart: part.spec)
            where !diagnostics.contains(where: {
                $0.code == diagnostic.code && $0.location == diagnostic.location && $0.message == diagnostic.message
            }) {
                diagnostics.append(diagnostic)
            }
        }
        return diagnostics
    }

    /// One host's services, in the order the emitters see them.
    private static func find(inPart listed: Spec) -> [Diagnostic] {
        let spec = listed.inCanonicalOrder
        let plan = ChainPlan(spec: spec)
        let dovecot = DovecotTarget(plan: plan, header: "")
        let qmailRun = QmailRunTarget(plan: plan, header: "")
        let systemd = SystemdTarget(plan: plan, header: "")
        var diagnostics: [Diagnostic] = []
        var qmailRunOwners: [String: Service] = [:]

        /// pkgsrc's qmail-run starts one service of each kind: RC302 for a second.
        func claimQmailRun(_ kind: String, _ service: Service) -> Bool {
            if let owner = qmailRunOwners[kind] {
                diagnostics.append(
                    .error(
                        .qmailRunSingleService,
                        "pkgsrc's qmail-run starts one \(kind) service, and service '\(owner.name.value)' is it",
                        at: service.name.location,
                        fix: "run service '\(service.name.value)' under daemontools or runit"))
                return false
            }
            qmailRunOwners[kind] = service
            return true
        }

        // Two services compiling their rules into one file would each overwrite the other's; the
        // later one in the spec is the one reported.
        var rulesCDBOwners: [String: Service] = [:]
        let compiled = spec.services.compactMap { service -> (Service, Located<String>)? in
            guard case .qmailSMTPD(let smtpd) = service.role, let cdb = smtpd.rulesCDB else { return nil }
            return (service, cdb)
        }
        let unplaced = SourceLocation(line: 0, column: 0)
        for (service, cdb) in compiled.sorted(by: { ($0.1.location ?? unplaced) < ($1.1.location ?? unplaced) }) {
            if let owner = rulesCDBOwners[cdb.value] {
                diagnostics.append(
                    .error(
                        .duplicateEntry,
                        "service '\(owner.name.value)' already compiles its rules to \(cdb.value) on this host",
                        at: cdb.location ?? service.name.location,
                        fix: "give each service its own 'rules-cdb'"))
            } else {
                rulesCDBOwners[cdb.value] = service
            }
        }
        for service in spec.services {
            switch service.role {
            case .dovecot(let login):
                diagnostics += dovecot.problems(service, login)
            case .qmailPOP3D(let login):
                switch login.runBy.value {
                case .qmailRun:
                    guard claimQmailRun("qmail-pop3d", service) else { continue }
                    diagnostics += QmailRunTarget.patternDiagnostics(
                        qmailRun.pop3dAssignments(service, login), service: service)
                case .systemd:
                    diagnostics += systemd.pop3dProblems(service, login, checkpassword: qmailRun.checkpassword(login))
                case .daemontools, .runit: break
                }
            case .qmailSMTPD(let smtpd):
                switch smtpd.runBy.value {
                case .qmailRun:
                    guard claimQmailRun("qmail-smtpd", service) else { continue }
                    diagnostics += QmailRunTarget.patternDiagnostics(
                        qmailRun.smtpAssignments(service, smtpd), service: service)
                    if let concurrency = smtpd.concurrency {
                        diagnostics.append(
                            .error(
                                .targetCannotCarry, "pkgsrc's qmail-run has no rc.conf variable for tcpserver's -c",
                                at: concurrency.location,
                                notes: [DiagnosticNote("service '\(service.name.value)' is run by qmail-run")],
                                fix: "remove 'concurrency', or run the service under daemontools, runit or systemd"))
                    }
                    for (key, location) in [
                        ("local-name", smtpd.localName?.location), ("remote-host", smtpd.remoteHost?.location),
                        ("remote-info", smtpd.remoteInfo?.location),
                        ("backlog", smtpd.backlog?.location),
                        ("rules-cdb", smtpd.rulesCDB?.location), ("tls", smtpd.tls?.location),
                    ] {
                        guard let location else { continue }
                        var notes = [DiagnosticNote("service '\(service.name.value)' is run by qmail-run")]
                        if key == "tls" {
                            notes.append(
                                DiagnosticNote(
                                    "qmail-run runs sslserver itself (qmailsmtpd_tcpserver, flags -ne) and names its "
                                        + "files in qmailsmtpd_tls_cert and qmailsmtpd_tls_dhparams"))
                        }
                        diagnostics.append(
                            .error(
                                .targetCannotCarry, "relaychain cannot say '\(key)' in qmail-run's rc.conf variables",
                                at: location, notes: notes,
                                fix: "remove '\(key)', or run the service under daemontools, runit or systemd"))
                    }
                case .systemd:
                    diagnostics += systemd.smtpProblems(service, smtpd)
                case .daemontools, .runit: break
                }
            }
        }
        return diagnostics
    }
}
