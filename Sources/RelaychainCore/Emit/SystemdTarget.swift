/// systemd units that run the same tcpserver chains as the daemontools run scripts, logging to
/// the journal. There is no shell: envuidgid hands tcpserver the SMTP user's ids (`-U`) where a
/// run script computes them with id(1), and tcpserver's rules live in the service's
/// configuration directory (`<prefix>/etc/relaychain/<service>`), where setup compiles them.
struct SystemdTarget {
    let plan: ChainPlan
    let header: String
    var spec: Spec { plan.spec }

    static func unitName(_ service: Service) -> String { OutputPath.unitName(service.name.value) }

    /// Every unit of ours, in [Unit] after its Description: start once the network is up (tcpserver
    /// or spiped may bind one address of the host, which must exist by then), and restart however
    /// often it fails, as supervise does; systemd would otherwise give up after 5 starts in 10 s.
    static let startConditions =
        "Wants=network-online.target\nAfter=network-online.target\nStartLimitIntervalSec=0\n"

    /// ExecStart's words for an SMTP service, one group per line.
    func smtpGroups(_ smtpd: QmailSMTPD) -> [[Word]] {
        var groups: [[Word]] = [[Word(spec.platform.env.value, from: spec.platform.env.location), Word("-")]]
        if let window = plan.window(smtpd.checks) {
            groups.append(plan.checkEnvironment(window) + plan.serviceEnvironment(smtpd))
        } else {
            groups.append(plan.serviceEnvironment(smtpd))
        }
        var launch = [plan.path(.envuidgid), Word(spec.platform.users.smtp)]
        launch += plan.chdirWords(plan.window(smtpd.checks))
        groups.append(launch + plan.datalimitWords(smtpd))
        groups.append(
            plan.tcpserverOptions(smtpd, in: .systemd)
                + [
                    Word("-U"), SupervisorTarget.host(smtpd.listen),
                    Word(String(smtpd.port.value), from: smtpd.port.location),
                ])
        groups.append(plan.smtpCommand(smtpd))
        return groups
    }

    /// What a unit cannot carry of an SMTP service (RC301), before anything is written.
    func smtpProblems(_ service: Service, _ smtpd: QmailSMTPD) -> [Diagnostic] {
        var diagnostics = wordProblems(smtpGroups(smtpd), service)
        let readAtStart: [(SourceLocation?, String)] = [
            smtpd.localName.flatMap { name in
                if case .firstLineOf = name.value { (name.location, "local-name") } else { nil }
            },
            smtpd.concurrency.flatMap { concurrency in
                if case .contentsOf = concurrency.value { (concurrency.location, "concurrency") } else { nil }
            },
        ].compactMap { $0 }
        for (location, key) in readAtStart {
            diagnostics.append(
                .error(
                    .targetCannotCarry, "a systemd unit has no shell to read '\(key)' from a file when it starts",
                    at: location ?? service.name.location,
                    notes: [DiagnosticNote("service '\(service.name.value)' is run by systemd")],
                    fix: "write the value itself, or run the service under daemontools or runit"))
        }
        if let first = smtpd.logCommand.first {
            diagnostics.append(
                .error(
                    .targetCannotCarry, "a systemd service logs to the journal, not through a log command",
                    at: first.location,
                    notes: [DiagnosticNote("service '\(service.name.value)' is run by systemd")],
                    fix: "remove 'log-command'"))
        }
        return diagnostics
    }

    func pop3dProblems(_ service: Service, _ login: QmailPOP3DLogin, checkpassword: Word) -> [Diagnostic] {
        wordProblems(pop3dGroups(login, checkpassword: checkpassword) ?? [], service)
    }

    func smtpFiles(_ service: Service, _ smtpd: QmailSMTPD) -> [OutputFile] {
        let groups = smtpGroups(smtpd)
        let relay =
            smtpd.checks.map { "relays for clients that logged in within window '\($0.value)'" }
            ?? "checks no relay window"
        let unit = self.unit(
            service,
            description:
                "qmail-smtpd on port \(smtpd.port.value) (relaychain service '\(service.name.value)'; \(relay))",
            groups: groups, workingDirectory: "\(spec.platform.configDirectory)/\(service.name.value)")
        return [
            unit,
            OutputFile(
                .systemdRules(service: service.name.value), contents: SupervisorTarget.tcpRules(header, smtpd)),
        ]
    }

    /// ExecStart's words for a POP3 service; nil when its window is not there.
    func pop3dGroups(_ login: QmailPOP3DLogin, checkpassword: Word) -> [[Word]]? {
        guard let window = plan.window(login.grants) else { return nil }
        // %H is systemd's host name, what the run script gets from uname -n.
        var hostname = Word("%H")
        hostname.kind = .shellCode
        let groups: [[Word]] = [
            [Word(spec.platform.env.value, from: spec.platform.env.location), Word("-")],
            plan.storeWords(window, as: .writer) + plan.carryWords(window),
            plan.chdirWords(window),
            [
                plan.path(.tcpserver), Word("-v"), Word("-R"), Word("-l"), Word("0"),
                SupervisorTarget.host(login.listen),
                Word(String(login.port.value), from: login.port.location),
            ],
            [
                plan.path(.qmailPopup), login.hostname.map { Word($0.value, from: $0.location) } ?? hostname,
                checkpassword,
            ],
            [
                plan.path(.relayCtrlAllow), plan.path(.qmailPop3d),
                Word(login.maildir.value, from: login.maildir.location),
            ],
        ]
        return groups
    }

    func pop3dFiles(_ service: Service, _ login: QmailPOP3DLogin, checkpassword: Word) -> [OutputFile] {
        guard let window = plan.window(login.grants), let groups = pop3dGroups(login, checkpassword: checkpassword)
        else { return [] }
        return [
            unit(
                service,
                description: "qmail-pop3d on port \(login.port.value) (relaychain service '\(service.name.value)'; "
                    + "logins grant window '\(window.name.value)')", groups: groups, workingDirectory: nil)
        ]
    }

    private func unit(_ service: Service, description: String, groups: [[Word]], workingDirectory: String?)
        -> OutputFile
    {
        let lines = groups.filter { !$0.isEmpty }.map { group in
            // A word systemd cannot carry is a problem found before rendering; none reaches here.
            group.map { word in
                if case .shellCode = word.kind { word.text } else { SystemdQuoting.word(word.text) ?? "" }
            }.joined(separator: " ")
        }
        var text = "\(header)\n"
        text +=
            "# Install into /etc/systemd/system (setup does), then: systemctl enable --now \(Self.unitName(service))\n"
        text += "[Unit]\nDescription=\(description)\n\(Self.startConditions)\n"
        text += "[Service]\n"
        if let workingDirectory { text += "WorkingDirectory=\(workingDirectory)\n" }
        text += "ExecStart=" + lines.joined(separator: " \\\n  ") + "\n"
        text += "Restart=always\nRestartSec=1\n"
        text += "StandardOutput=journal\nStandardError=journal\nSyslogIdentifier=relaychain-\(service.name.value)\n\n"
        text += "[Install]\nWantedBy=multi-user.target\n"
        return OutputFile(.systemdUnit(service: service.name.value), contents: text)
    }

    /// RC301 for each word ExecStart cannot carry (a control character).
    private func wordProblems(_ groups: [[Word]], _ service: Service) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for word in groups.joined() {
            if case .shellCode = word.kind { continue }
            if SystemdQuoting.word(word.text) == nil {
                diagnostics.append(
                    .error(
                        .targetCannotCarry, "a systemd unit cannot carry '\(word.text.debugDescription)' in ExecStart",
                        at: word.origin ?? service.name.location,
                        notes: [
                            DiagnosticNote(
                                "service '\(service.name.value)' is run by systemd; control characters cannot be "
                                    + "written there"
                            )
                        ]))
            }
        }
        return diagnostics
    }
}

/// Quoting for systemd's ExecStart.
public enum SystemdQuoting {
    /// One ExecStart word: as is when plain, else in double quotes with `\`, `"` escaped; `$` and
    /// `%` doubled everywhere (systemd expands variables and specifiers). nil: a control character.
    public static func word(_ word: String) -> String? {
        guard !word.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { return nil }
        var body = ""
        for character in word {
            switch character {
            case "$": body += "$$"
            case "%": body += "%%"
            case "\\": body += "\\\\"
            case "\"": body += "\\\""
            default: body.append(character)
            }
        }
        let plain = !word.isEmpty && !word.contains(where: { " \t\"'\\;".contains($0) })
        return plain ? body : "\"\(body)\""
    }
}
