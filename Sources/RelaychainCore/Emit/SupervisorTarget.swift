/// daemontools and runit service directories: `run`, `log/run`, and tcprules for SMTP.
struct SupervisorTarget {
    let plan: ChainPlan
    let header: String
    var spec: Spec { plan.spec }

    /// Joins words into an `exec` line, one program per continuation line for readability.
    static func execLines(_ groups: [[Word]]) -> String {
        "exec "
            + groups.filter { !$0.isEmpty }.map { $0.map(\.shell).joined(separator: " ") }.joined(separator: " \\\n  ")
            + "\n"
    }

    func smtpFiles(_ service: Service, _ smtpd: QmailSMTPD) -> [OutputFile] {
        let name = service.name.value
        var groups: [[Word]] = [[Word(spec.platform.env.value, from: spec.platform.env.location), Word("-")]]
        if let window = plan.window(smtpd.checks) {
            groups.append(plan.checkEnvironment(window) + plan.serviceEnvironment(smtpd))
            groups.append(plan.chdirWords(window) + plan.datalimitWords(smtpd))
        } else {
            groups.append(plan.serviceEnvironment(smtpd))
            groups.append(plan.datalimitWords(smtpd))
        }
        groups.append(
            plan.tcpserverOptions(smtpd, in: .runScript)
                + [
                    Word("-u"), .shellCode("\"$QMAILDUID\""), Word("-g"), .shellCode("\"$NOFILESGID\""),
                    Self.host(smtpd.listen),
                    Word(String(smtpd.port.value), from: smtpd.port.location),
                ])
        groups.append(plan.smtpCommand(smtpd))
        var run = "#!/bin/sh\n\(header)\n"
        run +=
            "# \(supervisorName(smtpd.runBy.value)) service for qmail-smtpd on port \(smtpd.port.value). "
            + "\(smtpd.tls == nil ? "tcpserver" : "sslserver") reads its\n"
        if let cdb = smtpd.rulesCDB?.value {
            run += "# access rules from \(cdb), compiled from tcp.rules in this directory:\n"
            run += "# tcprules \(cdb) \(cdb.dropLast(4)).tmp < tcp.rules\n"
        } else {
            run += "# access rules from tcp.cdb in this directory: tcprules tcp.cdb tcp.tmp < tcp.rules\n"
        }
        run += "exec 2>&1\n"
        let user = ShellQuoting.word(spec.platform.users.smtp)
        run += "QMAILDUID=$(id -u \(user))\n"
        run += "NOFILESGID=$(id -g \(user))\n"
        run += plan.startReadings(smtpd)
        run += Self.execLines(groups)
        return [
            OutputFile(.runScript(service: name), contents: run, executable: true),
            logRun(name, smtpd.runBy.value, command: plan.logCommandWords(smtpd)),
            OutputFile(.serviceRules(service: name), contents: Self.tcpRules(header, smtpd)),
        ]
    }

    func pop3dFiles(_ service: Service, _ login: QmailPOP3DLogin, checkpassword: Word) -> [OutputFile] {
        guard let window = plan.window(login.grants) else { return [] }
        let name = service.name.value
        let hostname = login.hostname.map { Word($0.value, from: $0.location) } ?? .shellCode("\"$(uname -n)\"")
        let groups: [[Word]] = [
            [Word(spec.platform.env.value, from: spec.platform.env.location), Word("-")],
            plan.storeWords(window, as: .writer) + plan.carryWords(window),
            plan.chdirWords(window),
            [
                plan.path(.tcpserver), Word("-v"), Word("-R"), Word("-l"), Word("0"), Self.host(login.listen),
                Word(String(login.port.value), from: login.port.location),
            ],
            [plan.path(.qmailPopup), hostname, checkpassword],
            [
                plan.path(.relayCtrlAllow), plan.path(.qmailPop3d),
                Word(login.maildir.value, from: login.maildir.location),
            ],
        ]
        var run = "#!/bin/sh\n\(header)\n"
        run +=
            "# \(supervisorName(login.runBy.value)) service for qmail-pop3d on port \(login.port.value): "
            + "relay-ctrl-allow records\n"
        run += "# a relay grant between the password check and qmail-pop3d.\n"
        run += "exec 2>&1\n"
        run += Self.execLines(groups)
        return [
            OutputFile(.runScript(service: name), contents: run, executable: true), logRun(name, login.runBy.value),
        ]
    }

    /// tcpserver's host argument: the listen address, or 0 for every address.
    static func host(_ listen: Located<String>?) -> Word {
        listen.map { Word($0.value, from: $0.location) } ?? Word("0")
    }

    private func supervisorName(_ supervisor: Supervisor) -> String {
        supervisor == .runit ? "runit" : "daemontools"
    }

    func logRun(_ service: String, _ supervisor: Supervisor, command: [Word] = []) -> OutputFile {
        var text = "#!/bin/sh\n\(header)\n"
        let user = ShellQuoting.word(spec.platform.users.log)
        if !command.isEmpty {
            let words = command.map(\.shell).joined(separator: " ")
            text +=
                supervisor == .runit
                ? "exec \(plan.path(.chpst).shell) -u \(user) \(words)\n"
                : "exec \(plan.path(.setuidgid).shell) \(user) \(words)\n"
            return OutputFile(.logRunScript(service: service), contents: text, executable: true)
        }
        text +=
            supervisor == .runit
            ? "exec \(plan.path(.chpst).shell) -u \(user) \(plan.path(.svlogd).shell) -tt ./main\n"
            : "exec \(plan.path(.setuidgid).shell) \(user) \(plan.path(.multilog).shell) t ./main\n"
        return OutputFile(.logRunScript(service: service), contents: text, executable: true)
    }

    /// tcprules source: declared relay networks get RELAYCLIENT, then the rules in order, then
    /// everyone else is allowed in (unless a rule already matched every client).
    static func tcpRules(_ header: String, _ smtpd: QmailSMTPD) -> String {
        let cdb = smtpd.rulesCDB?.value ?? "tcp.cdb"
        var text = "\(header)\n# Compile with: tcprules \(cdb) \(cdb.dropLast(4)).tmp < tcp.rules\n"
        for network in smtpd.relayNetworks { text += "\(network.value):allow,RELAYCLIENT=\"\"\n" }
        for rule in smtpd.rules {
            text += rule.from.value + (rule.deny.value ? ":deny" : ":allow")
            for setting in rule.set {
                let value = setting.value.value
                let quote = value.contains("\"") ? "'" : "\""
                text += ",\(setting.name.value)=\(quote)\(value)\(quote)"
            }
            text += "\n"
        }
        return smtpd.rules.contains { $0.from.value.isEmpty } ? text : text + ":allow\n"
    }
}
