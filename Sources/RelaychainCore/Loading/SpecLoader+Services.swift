import RelayCtrlCore

/// Services: Dovecot and qmail-pop3d logins that grant, qmail-smtpd services that check, and
/// the keys they share (listen, port, accounts, counts).
extension SpecLoader {
    func service(_ name: Written<String>, _ node: YAMLNode) -> Service? {
        let what = "service '\(name.value)'"
        guard case .mapping(let mapping) = node else {
            reader.report(
                .error(.wrongType, "\(what) must be a mapping, found \(NodeReader.describe(node))", at: node.location))
            return nil
        }
        guard let serverNode = mapping["server"] else {
            reader.report(
                .error(
                    .missingKey, "missing required key 'server' in \(what)", at: node.location,
                    notes: [
                        DiagnosticNote(
                            "expected one of: \(ServerKind.allCases.map(\.rawValue).joined(separator: ", "))")
                    ]))
            return nil
        }
        guard let kind = reader.choice(serverNode, "server", as: ServerKind.self) else { return nil }
        let allowed = [ServiceKey.server] + kind.value.keys
        guard
            let fields = reader.fields(
                of: node, what, allowed: allowed,
                misplaced: { key in
                    .error(
                        .keyNotForServer, "'\(key.rawValue)' does not apply to a \(kind.value.rawValue) service",
                        at: node.location,
                        notes: [
                            DiagnosticNote(
                                "a \(kind.value.rawValue) service takes: "
                                    + "\(kind.value.keys.map(\.rawValue).joined(separator: ", "))"
                            )
                        ])
                })
        else { return nil }
        var complete = true
        for key in kind.value.requiredKeys where fields[key] == nil && !fields.suggested.contains(key.rawValue) {
            reader.report(.error(.missingKey, "missing required key '\(key.rawValue)' in \(what)", at: fields.location))
            complete = false
        }
        for key in [ServiceKey.grants, .checks] {
            if let node = fields[key], case .scalar(let scalar) = node, scalar.style != .plain || node.tagName == .str {
                outline.windowReferences.append(
                    .init(service: name.value, verb: key.rawValue, window: Written(scalar.string, at: node.location)))
            }
        }
        var host: Located<String>?
        if let node = fields[.host] {
            host = reader.string(node, "host")
            if host == nil { complete = false }
        }
        outline.hostReferences.append(
            .init(service: name, host: fields[.host].flatMap { node in host?.written(at: node.location) }))
        if let defaultPort = kind.value.defaultPort {
            let written = fields[.port]
            if let port = written.map({ Int($0.scalar?.string ?? "") }) ?? defaultPort {
                outline.ports.append(
                    .init(
                        service: name.value, port: Written(port, at: written?.location ?? name.location),
                        listen: fields[.listen]?.scalar?.string, host: host?.value))
            }
        }
        let role: ServiceRole?
        switch kind.value {
        case .dovecot: role = dovecot(fields).map { .dovecot($0) }
        case .qmailPOP3D: role = qmailPOP3D(fields).map { .qmailPOP3D($0) }
        case .qmailSMTPD: role = qmailSMTPD(fields).map { .qmailSMTPD($0) }
        }
        guard complete, let role else { return nil }
        var service = Service(name: name, role: role)
        service.host = host
        return service
    }

    func dovecot(_ fields: Fields<ServiceKey>) -> DovecotLogin? {
        var version: Written<DovecotVersion>?
        if let node = fields[.version], let text = reader.string(node, "version") {
            if let parsed = DovecotVersion(parsing: text.value), parsed.isSupported {
                version = Written(parsed, at: node.location)
            } else {
                reader.report(
                    .error(
                        .unsupportedDovecotVersion, "unsupported Dovecot version '\(text.value)'", at: node.location,
                        notes: [
                            DiagnosticNote(
                                "supported: \(DovecotVersion.supportedLines.joined(separator: ", ")), optionally with "
                                    + "a patch level such as \"2.4.4\""
                            )
                        ]))
            }
        }
        let protocols = fields[.protocols].flatMap { mailProtocols($0) }
        let grants = fields[.grants].flatMap { node in reader.string(node, "grants")?.written(at: node.location) }
        var postLoginUser: Located<String>?
        var complete = true
        if let node = fields[.postLoginUser] {
            if let version, version.value.mechanism == .mailExecutable {
                reader.report(
                    .error(
                        .keyNotForServer, "'post-login-user' applies to Dovecot 2.0 and later",
                        at: fields.keyLocation(.postLoginUser) ?? fields.location,
                        notes: [
                            DiagnosticNote(
                                "Dovecot \(version.value) grants through mail_executable; there is no post-login "
                                    + "service to configure"
                            )
                        ]))
                complete = false
            } else if let user = accountName(node, "post-login-user") {
                postLoginUser = user
            } else {
                complete = false
            }
        }
        guard complete, let version, let protocols, let grants else { return nil }
        return DovecotLogin(version: version, protocols: protocols, grants: grants, postLoginUser: postLoginUser)
    }

    func mailProtocols(_ node: YAMLNode) -> [Located<MailProtocol>]? {
        guard let items = reader.list(node, "protocols") else { return nil }
        if items.isEmpty {
            reader.report(.error(.emptyCollection, "'protocols' must list imap, pop3 or both", at: node.location))
            return nil
        }
        var protocols: [Located<MailProtocol>] = []
        var complete = true
        for item in items {
            guard let mailProtocol = reader.choice(item, "protocol", as: MailProtocol.self) else {
                complete = false
                continue
            }
            if let earlier = protocols.first(where: { $0.value == mailProtocol.value }) {
                reader.report(
                    .error(
                        .duplicateEntry, "protocol '\(mailProtocol.value.rawValue)' is listed twice", at: item.location,
                        notes: [DiagnosticNote("first listed here", at: earlier.location)]))
                complete = false
                continue
            }
            protocols.append(mailProtocol)
        }
        return complete ? protocols : nil
    }

    func accountName(_ node: YAMLNode, _ key: String) -> Located<String>? {
        guard let name = reader.string(node, key) else { return nil }
        let valid =
            !name.value.isEmpty && name.value.count <= 32
            && name.value.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "_.-".unicodeScalars.contains($0)
            }
            && name.value.first != "-"
        guard valid else {
            reader.report(.error(.badUser, "'\(name.value)' is not an account name", at: node.location))
            return nil
        }
        return name
    }

    /// tcpserver's local address: an IPv4 or IPv6 address (nil inside: every address).
    func listen(_ fields: Fields<ServiceKey>) -> Located<String>?? {
        guard let node = fields[.listen] else { return .some(nil) }
        guard let text = reader.string(node, "listen") else { return nil }
        guard ClientAddress(text.value) != nil, !text.value.contains("%") else {
            reader.report(
                .error(
                    .badListenAddress, "'listen' must be an IPv4 or IPv6 address, found '\(text.value)'",
                    at: node.location,
                    notes: [DiagnosticNote("leave it out to listen on every address")]))
            return nil
        }
        return .some(text)
    }

    func port(_ fields: Fields<ServiceKey>, default value: Int) -> Located<Int>? {
        guard let node = fields[.port] else { return .byDefault(value) }
        guard let port = reader.int(node, "port") else { return nil }
        guard (1...65_535).contains(port.value) else {
            reader.report(.error(.badPort, "port must be between 1 and 65535, found \(port.value)", at: node.location))
            return nil
        }
        return port
    }

    func qmailPOP3D(_ fields: Fields<ServiceKey>) -> QmailPOP3DLogin? {
        let runBy = fields[.runBy].flatMap { reader.choice($0, "run-by", as: Supervisor.self) }
        let port = port(fields, default: ServerKind.qmailPOP3D.defaultPort ?? 110)
        let grants = fields[.grants].flatMap { node in reader.string(node, "grants")?.written(at: node.location) }
        var checkpassword: Located<String>?? = .some(nil)
        if let node = fields[.checkpassword] {
            checkpassword = programReference(node, "checkpassword").map { .some($0) } ?? nil
        }
        var hostname: Located<String>?? = .some(nil)
        if let node = fields[.hostname] {
            hostname = reader.string(node, "hostname").map { .some($0) } ?? nil
        }
        var maildir: Located<String>? = .byDefault("Maildir")
        if let node = fields[.maildir] { maildir = reader.string(node, "maildir") }
        let listen = self.listen(fields)
        guard let runBy, let listen, let port, let grants, let checkpassword, let hostname, let maildir else {
            return nil
        }
        let defaultCheckpassword = runBy.value == .qmailRun ? "nbcheckpassword" : "checkpassword"
        return QmailPOP3DLogin(
            runBy: runBy, listen: listen, port: port, grants: grants,
            checkpassword: checkpassword ?? .byDefault(defaultCheckpassword),
            hostname: hostname, maildir: maildir)
    }

    /// A catalog program name or an absolute path.
    func programReference(_ node: YAMLNode, _ key: String) -> Located<String>? {
        guard let text = reader.string(node, key) else { return nil }
        if text.value.hasPrefix("/") || Catalog.program(named: text.value) != nil { return text }
        reader.report(
            .error(
                .relativePath, "'\(key)' must be an absolute path or a program relaychain knows, found '\(text.value)'",
                at: node.location,
                fix: Suggestion.closest(to: text.value, among: Catalog.programs.map(\.name)).map {
                    "did you mean '\($0)'?"
                }))
        return nil
    }

    func qmailSMTPD(_ fields: Fields<ServiceKey>) -> QmailSMTPD? {
        let runBy = fields[.runBy].flatMap { reader.choice($0, "run-by", as: Supervisor.self) }
        let port = port(fields, default: ServerKind.qmailSMTPD.defaultPort ?? 25)
        var checks: Written<String>?? = .some(nil)
        if let node = fields[.checks] {
            checks = reader.string(node, "checks").map { .some($0.written(at: node.location)) } ?? nil
        }
        var chain: [ChainEntry]? = []
        if let node = fields[.chain] { chain = self.chain(node) }
        var relayNetworks: [Written<String>]? = []
        if let node = fields[.relayNetworks] { relayNetworks = networks(node)?.map { $0.written(at: node.location) } }
        let listen = self.listen(fields)
        var environment: [EnvironmentSetting]? = []
        if let node = fields[.environment] { environment = self.serviceEnvironment(node) }
        var relayClientEnvironment: [EnvironmentSetting]? = []
        if let node = fields[.relayClientEnvironment] {
            relayClientEnvironment = self.environment(node, "relay-client-env")
        }
        var rules: [AccessRule]? = []
        if let node = fields[.rules] { rules = self.rules(node) }
        let datalimit = count(fields[.datalimit], "datalimit", at: 1)
        let concurrency = self.concurrency(fields[.concurrency])
        let backlog = count(fields[.backlog], "backlog", at: 1)
        let localName = self.localName(fields[.localName])
        let rulesCDB = self.rulesCDB(fields[.rulesCDB])
        let tls = self.tls(fields[.tls])
        let remoteInfo = self.remoteInfo(fields[.remoteInfo])
        var remoteHost: Located<RemoteHostLookup>?? = .some(nil)
        if let node = fields[.remoteHost] {
            remoteHost = reader.choice(node, ServiceKey.remoteHost.rawValue, as: RemoteHostLookup.self).map {
                .some($0)
            }
        }
        let smtpdArgs: [Located<String>]? = fields[.smtpdArgs].map { words($0, "smtpd-args") } ?? []
        var logCommand: [Written<String>]? =
            fields[.logCommand].map { node in words(node, "log-command")?.map { $0.written(at: node.location) } } ?? []
        if let program = logCommand?.first, !program.value.hasPrefix("/"), Catalog.program(named: program.value) == nil
        {
            reader.report(
                .error(
                    .relativePath,
                    "the log command must start with an absolute path or a program relaychain knows, found "
                        + "'\(program.value)'",
                    at: program.location, fix: "write its full path, e.g. /usr/bin/\(program.value)"))
            logCommand = nil
        }
        if let tls = tls ?? nil, let settings = environment {
            for setting in settings {
                guard let file = TLSFile.allCases.first(where: { $0.variable == setting.name.value }) else { continue }
                reader.report(
                    .error(
                        .duplicateEntry,
                        "'environment' sets \(setting.name.value), which 'tls' says as '\(file.rawValue)'",
                        at: setting.name.location ?? fields.location,
                        notes: tls.location.map { [DiagnosticNote("'tls' is here", at: $0)] } ?? [],
                        fix: "write the file as 'tls: {\(file.rawValue): PATH}' and remove \(setting.name.value)"))
                environment = nil
            }
        }
        guard let runBy, let listen, let port, let checks, let chain, let relayNetworks, let environment, let rules,
            let datalimit, let concurrency, let backlog, let localName, let remoteHost, let rulesCDB, let smtpdArgs,
            let logCommand, let relayClientEnvironment, let tls, let remoteInfo
        else { return nil }
        var smtpd = QmailSMTPD(
            runBy: runBy, listen: listen, port: port, checks: checks, chain: chain, relayNetworks: relayNetworks)
        smtpd.environment = environment
        smtpd.rules = rules
        smtpd.relayClientEnvironment = relayClientEnvironment
        smtpd.datalimit = datalimit
        smtpd.concurrency = concurrency.map { $0.written(at: fields.location) }
        smtpd.backlog = backlog
        smtpd.localName = localName
        smtpd.remoteHost = remoteHost
        smtpd.remoteInfo = remoteInfo
        smtpd.rulesCDB = rulesCDB
        smtpd.tls = tls
        smtpd.smtpdArguments = smtpdArgs
        smtpd.logCommand = logCommand
        return smtpd
    }

    /// An optional whole number of at least `minimum`: `.some(nil)` when absent, nil when bad.
    func count(_ node: YAMLNode?, _ key: String, at minimum: Int) -> Located<Int>?? {
        guard let node else { return .some(nil) }
        guard let value = reader.int(node, key) else { return nil }
        guard value.value >= minimum else {
            reader.report(
                .error(.wrongType, "'\(key)' must be at least \(minimum), found \(value.value)", at: node.location))
            return nil
        }
        return .some(value)
    }

    /// Words: a list of strings, or one string split on spaces.
    func words(_ node: YAMLNode, _ key: String) -> [Located<String>]? {
        if case .sequence = node {
            guard let items = reader.list(node, key) else { return nil }
            let words = items.compactMap { reader.string($0, key, numbersAllowed: true) }
            return words.count == items.count ? words : nil
        }
        guard let text = reader.string(node, key, numbersAllowed: true) else { return nil }
        return text.value.split(separator: " ").map { Located(String($0), at: text.location) }
    }

    /// `rules: [{ from: "10.", set: { RELAYCLIENT: "" } }, { from: "192.0.2.66", deny: true }]`.
    /// The values must be writable in tcprules (between double or single quotes, on one line);
    /// RELAYCLIENT for every client is an open relay, and QMAILQUEUE must be absolute.
}
