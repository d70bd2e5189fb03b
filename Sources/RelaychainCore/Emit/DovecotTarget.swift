/// dovecot.conf fragments and the Dovecot 2 post-login script.
struct DovecotTarget {
    let plan: ChainPlan
    let header: String
    var spec: Spec { plan.spec }

    static let postLoginService = "relaychain-postlogin"

    func files(for service: Service, _ login: DovecotLogin) -> [OutputFile] {
        guard let window = plan.window(login.grants) else { return [] }
        switch login.version.value.mechanism {
        case .mailExecutable:
            return [mailExecutableConfig(service, login, window)]
        case .postLogin, .postLogin24:
            return postLoginFiles(service, login, window)
        }
    }

    /// What Dovecot cannot carry of this service's words (RC301), before anything is written.
    func problems(_ service: Service, _ login: DovecotLogin) -> [Diagnostic] {
        guard let window = plan.window(login.grants) else { return [] }
        var diagnostics: [Diagnostic] = []
        switch login.version.value.mechanism {
        case .mailExecutable:
            for mailProtocol in login.protocols {
                for word in mailExecutableWords(login, window, mailProtocol.value)
                where !diagnostics.contains(where: { $0.code == .targetCannotCarry && $0.location == word.origin }) {
                    guard let bad = Self.unwritable(word.text, forbidden: "\"'\\#") else { continue }
                    diagnostics.append(
                        .error(
                            .targetCannotCarry,
                            "Dovecot \(login.version.value.line)'s mail_executable cannot carry '\(word.text)': it "
                                + "splits on spaces and has no quoting (found '\(bad.escaped(asASCII: true))')",
                            at: word.origin ?? login.version.location,
                            notes: [
                                DiagnosticNote(
                                    "service '\(service.name.value)' uses Dovecot \(login.version.value); choose a "
                                        + "path without spaces, quotes, backslashes or '#'"
                                )
                            ]))
                }
            }
        case .postLogin, .postLogin24:
            let scriptPath = "\(spec.platform.libexec.value)/\(scriptName(service))"
            // script-login's arguments are split on spaces too; dovecot.conf also expands $.
            if let bad = Self.unwritable(scriptPath, forbidden: "\"'\\#$") {
                diagnostics.append(
                    .error(
                        .targetCannotCarry,
                        "Dovecot's script-login cannot run '\(scriptPath)': its path holds "
                            + "'\(bad.escaped(asASCII: true))'",
                        at: spec.platform.libexec.location ?? spec.platform.prefix.location ?? service.name.location))
            }
        }
        return diagnostics
    }

    /// The mail_executable line of one protocol: the grant's settings, the tools, Dovecot's binary.
    private func mailExecutableWords(_ login: DovecotLogin, _ window: RelayWindow, _ mailProtocol: MailProtocol)
        -> [Word]
    {
        [Word(spec.platform.env.value, from: spec.platform.env.location)] + plan.storeWords(window, as: .writer)
            + plan.carryWords(window) + plan.chdirWords(window)
            + [
                plan.path(.dovecotSettcpremoteip), plan.path(.relayCtrlAllow),
                Word(
                    "\(spec.platform.dovecotLibexec.value)/\(mailProtocol.rawValue)",
                    from: spec.platform.dovecotLibexec.location),
            ]
    }

    // MARK: Dovecot 1.x

    /// `mail_executable` is split on single spaces and exec'd without a shell, so a word with a
    /// space, tab, quote, backslash or `#` (a comment in dovecot.conf) cannot be written.
    private func mailExecutableConfig(_ service: Service, _ login: DovecotLogin, _ window: RelayWindow) -> OutputFile {
        var text = "\(header)\n"
        text += "# Dovecot \(login.version.value): merge into dovecot.conf. After each login the mail process\n"
        text += "# chain records a relay grant in \(window.store.value), then runs Dovecot's own binary.\n"
        for mailProtocol in login.protocols {
            let words = mailExecutableWords(login, window, mailProtocol.value)
            text += "protocol \(mailProtocol.value.rawValue) {\n"
            text += "  mail_executable = \(words.map(\.text).joined(separator: " "))\n"
            text += "}\n"
        }
        return OutputFile(.dovecotFragment(service: service.name.value), contents: text)
    }

    // MARK: Dovecot 2.x

    func scriptName(_ service: Service) -> String { OutputPath.postLoginScriptName(service.name.value) }

    /// The first character of `text` that dovecot.conf cannot carry in a space-split value:
    /// whitespace, or one of `forbidden`.
    static func unwritable(_ text: String, forbidden: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { $0.properties.isWhitespace || forbidden.unicodeScalars.contains($0) }
    }

    private func postLoginFiles(_ service: Service, _ login: DovecotLogin, _ window: RelayWindow) -> [OutputFile] {
        let scriptPath = "\(spec.platform.libexec.value)/\(scriptName(service))"
        let is24 = login.version.value.mechanism == .postLogin24
        let user = login.postLoginUser?.value ?? (is24 ? "$SET:default_internal_user" : "$default_internal_user")
        var config = "\(header)\n"
        config += "# Dovecot \(login.version.value): include from dovecot.conf (!include). After each login,\n"
        config += "# \(scriptPath) records a relay grant in \(window.store.value);\n"
        if let group = window.group?.value {
            config += "# it runs with group \(group), which alone may pass the store's private parent.\n"
        } else {
            config += "# its user (\(user)) must be able to write there.\n"
        }
        for mailProtocol in login.protocols {
            config +=
                "service \(mailProtocol.value.rawValue) {\n  executable = \(mailProtocol.value.rawValue) "
                + "\(Self.postLoginService)\n}\n"
        }
        config += "service \(Self.postLoginService) {\n"
        config += "  executable = script-login \(scriptPath)\n"
        config += "  user = \(user)\n"
        if let group = window.group?.value { config += "  group = \(group)\n" }
        config += "  unix_listener \(Self.postLoginService) {\n  }\n"
        config += "}\n"

        let settings = plan.storeWords(window, as: .writer) + plan.carryWords(window)
        var script = "#!/bin/sh\n\(header)\n"
        script += "# Dovecot's post-login script: install as \(scriptPath).\n"
        script += "# script-login runs it after each login with an emptied environment (IP, USER and the\n"
        script += "# userdb fields), so every program is named in full. It records a relay grant for the\n"
        if window.redis == nil {
            script += "# client address; failing to record one never denies the login. relay-ctrl-chdir hands\n"
            script += "# the store over as a descriptor, so the grant is readable by the SMTP side (mode 0644).\n"
        } else {
            script += "# client address in Redis, within its timeout; failing to record one never denies the login.\n"
        }
        script += "if [ -n \"${IP-}\" ]; then\n"
        let programs = (plan.chdirWords(window) + [plan.path(.relayCtrlAllow)]).map(\.shell).joined(separator: " ")
        script += "  TCPREMOTEIP=$IP \(settings.map(\.shell).joined(separator: " ")) \(programs)\n"
        script += "fi\n"
        script += "exec \"$@\"\n"
        return [
            OutputFile(.dovecotFragment(service: service.name.value), contents: config),
            OutputFile(.postLoginScript(service: service.name.value), contents: script, executable: true),
        ]
    }
}
