/// rc.conf variables for pkgsrc's qmail-run (qmailsmtpd.sh, qmailpop3d.sh).
///
/// rc.d assembles `pgrphack env - ${qmailsmtpd_postenv} softlimit ... ${qmailsmtpd_pretcpserver}
/// argv0 tcpserver ... ${qmailsmtpd_presmtpd} ${qmailsmtpd_smtpdcmd} ${qmailsmtpd_postsmtpd}` and
/// evals it: each value is double-quoted in rc.conf, then read again as shell words. NetBSD's
/// rc.subr runs `eval $_doit` unquoted (and qmailsmtpd.sh's fallback `eval ${command}`): the
/// assembled string is split on whitespace and each field expanded as a file name pattern, the
/// fields joined with single spaces, and only then evaluated. So a value is written such that
/// both passes leave it alone: never two spaces in a row (a run of spaces inside quotes is broken
/// up with `''`), and no `*`, `?` or `[`, which are refused at their spec position (a quoted
/// pattern still matches file names in rc.d's current directory).
struct QmailRunTarget {
    let plan: ChainPlan
    let header: String
    var spec: Spec { plan.spec }

    struct Assignment {
        var name: String
        var words: [Word]
    }

    func smtpAssignments(_ service: Service, _ smtpd: QmailSMTPD) -> [Assignment] {
        var assignments: [Assignment] = []
        let window = plan.window(smtpd.checks)
        let postenv = (window.map(plan.checkEnvironment) ?? []) + plan.serviceEnvironment(smtpd)
        if !postenv.isEmpty {
            assignments.append(Assignment(name: "qmailsmtpd_postenv", words: postenv))
        }
        if window != nil, window?.redis == nil {
            assignments.append(Assignment(name: "qmailsmtpd_pretcpserver", words: [plan.path(.relayCtrlChdir)]))
        }
        // presmtpd replaces qmail-run's default chain whole; qmail-smtpd itself is smtpdcmd.
        assignments.append(Assignment(name: "qmailsmtpd_presmtpd", words: plan.wrapperCommand(smtpd)))
        if spec.platform.path(of: .qmailSMTPD) != "\(spec.platform.prefix.value)/bin/qmail-smtpd" {
            assignments.append(Assignment(name: "qmailsmtpd_smtpdcmd", words: [plan.path(.qmailSMTPD)]))
        }
        if !smtpd.smtpdArguments.isEmpty {
            assignments.append(
                Assignment(
                    name: "qmailsmtpd_postsmtpd", words: smtpd.smtpdArguments.map { Word($0.value, from: $0.location) })
            )
        }
        if let limit = smtpd.datalimit {
            assignments.append(
                Assignment(name: "qmailsmtpd_datalimit", words: [Word(String(limit.value), from: limit.location)]))
        }
        if !smtpd.logCommand.isEmpty {
            assignments.append(
                Assignment(
                    name: "qmailsmtpd_logcmd", words: plan.logCommandWords(smtpd)))
        }
        if let listen = smtpd.listen {
            assignments.append(
                Assignment(name: "qmailsmtpd_tcphost", words: [Word(listen.value, from: listen.location)]))
        }
        if smtpd.port.value != 25 {
            assignments.append(
                Assignment(
                    name: "qmailsmtpd_tcpport", words: [Word(String(smtpd.port.value), from: smtpd.port.location)]))
        }
        return assignments
    }

    /// relay-ctrl-allow goes between checkpassword and qmail-pop3d, after qmail-run's own
    /// checknotroot (setting prepop3d replaces that default).
    func pop3dAssignments(_ service: Service, _ login: QmailPOP3DLogin) -> [Assignment] {
        guard let window = plan.window(login.grants) else { return [] }
        var assignments = [
            Assignment(
                name: "qmailpop3d_postenv", words: plan.storeWords(window, as: .writer) + plan.carryWords(window))
        ]
        if window.redis == nil {
            assignments.append(Assignment(name: "qmailpop3d_pretcpserver", words: [plan.path(.relayCtrlChdir)]))
        }
        if login.checkpassword.value != "nbcheckpassword" {
            assignments.append(Assignment(name: "qmailpop3d_checkpassword", words: [checkpassword(login)]))
        }
        assignments.append(
            Assignment(name: "qmailpop3d_prepop3d", words: [plan.path(.checknotroot), plan.path(.relayCtrlAllow)]))
        if login.maildir.value != "Maildir" {
            assignments.append(
                Assignment(
                    name: "qmailpop3d_postpop3d", words: [Word(login.maildir.value, from: login.maildir.location)]))
        }
        if let listen = login.listen {
            assignments.append(
                Assignment(name: "qmailpop3d_tcphost", words: [Word(listen.value, from: listen.location)]))
        }
        if login.port.value != 110 {
            assignments.append(
                Assignment(
                    name: "qmailpop3d_tcpport", words: [Word(String(login.port.value), from: login.port.location)]))
        }
        return assignments
    }

    func checkpassword(_ login: QmailPOP3DLogin) -> Word {
        login.checkpassword.value.hasPrefix("/")
            ? Word(login.checkpassword.value, from: login.checkpassword.location)
            : plan.path(named: login.checkpassword.value)
    }

    static func render(_ assignments: [Assignment]) -> String {
        assignments.map { assignment in
            let words = assignment.words.map { ShellQuoting.survivingFieldSplitting($0.shell) }
            return "\(assignment.name)=\"\(ShellQuoting.insideDoubleQuotes(words.joined(separator: " ")))\"\n"
        }.joined()
    }

    /// RC301 for each word rc.d's unquoted eval would expand as a file name pattern.
    static func patternDiagnostics(_ assignments: [Assignment], service: Service) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for word in assignments.flatMap(\.words) {
            guard let bad = word.text.first(where: { "*?[".contains($0) }), let origin = word.origin,
                !diagnostics.contains(where: { $0.location == origin })
            else { continue }
            diagnostics.append(
                .error(
                    .targetCannotCarry,
                    "qmail-run cannot carry '\(word.text)': rc.d runs the command through an unquoted eval, "
                        + "which expands '\(bad)' as a file name pattern",
                    at: origin,
                    notes: [
                        DiagnosticNote(
                            "service '\(service.name.value)' runs under qmail-run; choose a value without '*', '?' or "
                                + "'['"
                        )
                    ]))
        }
        return diagnostics
    }

    /// rc.conf: each service's assignments under a comment saying what they are for.
    func file(services: [(assignments: [Assignment], comment: String)]) -> OutputFile {
        var text = "\(header)\n"
        text += "# For pkgsrc's qmail-run: merge into /etc/rc.conf (relaychain build --merge-into does it),\n"
        text += "# replacing earlier values of these variables.\n"
        for (assignments, comment) in services {
            text += "\n\(comment)\n" + Self.render(assignments)
        }
        return OutputFile(.rcConf, contents: text)
    }
}
