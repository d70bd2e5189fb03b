import RelayCtrlCore

/// The keys of a qmail-smtpd service that become tcpserver's (or sslserver's) options: where the
/// rules' cdb is, the connection limit, the local name, and TLS.
extension SpecLoader {
    /// `rules-cdb: /etc/tcp.smtp.cdb`: an absolute path ending in .cdb, so that tcprules's
    /// temporary file beside it is the same name with .tmp, as qmail's own instructions write.
    func rulesCDB(_ node: YAMLNode?) -> Located<String>?? {
        guard let node else { return .some(nil) }
        guard let path = reader.path(node, ServiceKey.rulesCDB.rawValue) else { return nil }
        guard RulesCDB.isValidPath(path.value) else {
            reader.report(
                .error(
                    .wrongType,
                    "'rules-cdb' must name a file ending in .cdb, with no '.' or '..' in its path, "
                        + "found '\(path.value)'",
                    at: node.location,
                    notes: [DiagnosticNote("tcprules writes NAME.tmp beside it, then renames it to NAME.cdb")]))
            return nil
        }
        return .some(path)
    }

    /// `concurrency: 20` or `{contents-of: /var/qmail/control/concurrencyincoming}`: `.some(nil)`
    /// when absent, nil when bad.
    func concurrency(_ node: YAMLNode?) -> Located<Concurrency>?? {
        guard let node else { return .some(nil) }
        guard case .mapping = node else {
            guard let count = count(node, ServiceKey.concurrency.rawValue, at: 1), let count else { return nil }
            return .some(Located(.count(count.value), at: count.location))
        }
        guard let fields = reader.fields(of: node, "'concurrency'", allowed: ConcurrencyKey.allCases) else {
            return nil
        }
        guard let pathNode = fields[.contentsOf] else {
            reader.report(
                .error(
                    .missingKey,
                    "'concurrency' as a mapping needs 'contents-of', the file read when the service starts",
                    at: node.location))
            return nil
        }
        return reader.path(pathNode, ConcurrencyKey.contentsOf.rawValue).map {
            .some(Located(.contentsOf($0.value), at: $0.location))
        }
    }

    /// `local-name: mail.example.org`, `{first-line-of: /var/qmail/control/me}`, `{host-name: true}` or
    /// `{dns: true}`.
    func localName(_ node: YAMLNode?) -> Located<LocalName>?? {
        guard let node else { return .some(nil) }
        let key = ServiceKey.localName.rawValue
        guard case .mapping = node else {
            guard let name = reader.string(node, key, numbersAllowed: true) else { return nil }
            guard LocalName.isValidName(name.value) else {
                reader.report(
                    .error(
                        .wrongType, "'\(key)' must be a host name (letters, digits, '.', '-'), found '\(name.value)'",
                        at: node.location))
                return nil
            }
            return .some(Located(.name(name.value), at: name.location))
        }
        guard let fields = reader.fields(of: node, "'\(key)'", allowed: LocalNameKey.allCases) else { return nil }
        // A flag that must be true: `host-name: true`, `dns: true`.
        func flag(_ node: YAMLNode, _ key: LocalNameKey, _ value: LocalName) -> Located<LocalName>?? {
            guard let flag = reader.bool(node, key.rawValue) else { return nil }
            guard flag.value else {
                reader.report(
                    .error(
                        .wrongType, "'\(key.rawValue): false' names no local name", at: flag.location ?? node.location,
                        fix: "leave 'local-name' out for tcpserver's -l 0"))
                return nil
            }
            return .some(Located(value, at: flag.location))
        }
        switch (fields[.firstLineOf], fields[.hostName], fields[.dns]) {
        case (let path?, nil, nil):
            return reader.path(path, LocalNameKey.firstLineOf.rawValue).map {
                .some(Located(.firstLineOf($0.value), at: $0.location))
            }
        case (nil, let node?, nil): return flag(node, .hostName, .hostName)
        case (nil, nil, let node?): return flag(node, .dns, .dnsLookup)
        default:
            reader.report(
                .error(
                    .wrongType, "'\(key)' as a mapping takes one of 'first-line-of', 'host-name' and 'dns'",
                    at: node.location))
            return nil
        }
    }

    /// `remote-info: skip`, `lookup`, or `{timeout: 5}` (a lookup waiting at most that long).
    func remoteInfo(_ node: YAMLNode?) -> Located<RemoteInfo>?? {
        guard let node else { return .some(nil) }
        let key = ServiceKey.remoteInfo.rawValue
        guard case .mapping = node else {
            return reader.choice(node, key, as: RemoteInfoChoice.self).map { choice in
                .some(Located(choice.value == .skip ? .skip : .lookup(timeout: nil), at: choice.location))
            }
        }
        guard let fields = reader.fields(of: node, "'\(key)'", allowed: RemoteInfoKey.allCases) else { return nil }
        guard let timeout = fields[.timeout] else {
            reader.report(
                .error(
                    .missingKey, "'\(key)' as a mapping needs 'timeout', the seconds tcpserver waits (-t)",
                    at: node.location))
            return nil
        }
        guard let seconds = count(timeout, RemoteInfoKey.timeout.rawValue, at: 1), let seconds else { return nil }
        return .some(Located(.lookup(timeout: seconds.value), at: seconds.location))
    }

    /// `tls: {certificate: /var/qmail/control/servercert.pem, starttls: false}`: sslserver in
    /// tcpserver's place. `.some(nil)` when absent, nil when bad; every bad key is reported.
    func tls(_ node: YAMLNode?) -> Located<TLSSettings>?? {
        guard let node else { return .some(nil) }
        guard let fields = reader.fields(of: node, "'tls'", allowed: TLSKey.allCases) else { return nil }
        var settings = TLSSettings()
        var bad = false
        for file in TLSFile.allCases {
            guard let value = fields.values[file.rawValue]?.value else { continue }
            guard let path = reader.path(value, file.rawValue) else {
                bad = true
                continue
            }
            switch file {
            case .certificate: settings.certificate = path
            case .key: settings.key = path
            case .dhParameters: settings.dhParameters = path
            }
        }
        if let value = fields[.starttls] {
            if let flag = reader.bool(value, TLSKey.starttls.rawValue) { settings.starttls = flag } else { bad = true }
        }
        return bad ? nil : .some(Located(settings, at: node.location))
    }
}
