import RelayCtrlCore

/// Builds a `Spec` from a composed YAML tree, reporting every problem of shape and value with
/// its position. Cross-references (windows, wrappers, ports) are the validator's job.
final class SpecLoader {
    static let supportedVersion = 1

    let reader = NodeReader()
    var outline = SpecOutline()
    /// Wrappers defined so far (their own args and grammar), for checking chain entries that use them.
    var declaredWrappers: [String: (args: [Located<String>], grammar: ArgumentGrammar?)] = [:]

    static func load(_ root: YAMLNode) -> (spec: Spec?, outline: SpecOutline, diagnostics: [Diagnostic]) {
        let loader = SpecLoader()
        let spec = loader.spec(root)
        return (spec, loader.outline, loader.reader.diagnostics)
    }

    func spec(_ root: YAMLNode) -> Spec? {
        guard let top = reader.fields(of: root, "the spec", allowed: TopLevelKey.allCases) else { return nil }
        var complete = true
        var version = Self.supportedVersion
        if let node = top[.relaychain] {
            if let number = reader.int(node, "relaychain") {
                if number.value != Self.supportedVersion {
                    reader.report(
                        .error(
                            .unsupportedSpecVersion,
                            "unsupported spec language version \(number.value); this relaychain reads version "
                                + "\(Self.supportedVersion)",
                            at: node.location))
                    complete = false
                }
                version = number.value
            } else {
                complete = false
            }
        } else if !top.suggested.contains(TopLevelKey.relaychain.rawValue) {
            reader.report(
                .error(
                    .missingKey, "missing required key 'relaychain' (the spec language version)", at: top.location,
                    fix: "add 'relaychain: 1' as the first line"))
            complete = false
        }

        let platform = self.platform(top[.platform])
        let windows = required(top, .windows, "windows") { namedSection($0, "windows", self.window) }
        let wrappers = top[.wrappers].map { namedSection($0, "wrappers", wrapper) } ?? []
        let hosts = top[.hosts].map { namedSection($0, "hosts", host) } ?? []
        let services = required(top, .services, "services") { namedSection($0, "services", service) }

        guard complete, let platform, let windows, let wrappers, let services, let hosts, !reader.diagnostics.hasErrors
        else { return nil }
        var spec = Spec(version: version, platform: platform, windows: windows, wrappers: wrappers, services: services)
        spec.hosts = hosts
        return spec
    }

    func host(_ name: Written<String>, _ node: YAMLNode) -> Host? {
        outline.hosts.append(name)
        guard let fields = reader.fields(of: node, "host '\(name.value)'", allowed: HostKey.allCases) else {
            return nil
        }
        guard let value = fields[.address] else { return Host(name: name, address: nil) }
        guard let address = reader.string(value, "address") else { return nil }
        guard ClientAddress(address.value) != nil else {
            reader.report(
                .error(.wrongType, "host address '\(address.value)' is not an IPv4 or IPv6 address", at: value.location)
            )
            return nil
        }
        return Host(name: name, address: address)
    }

    func required<T>(
        _ fields: Fields<TopLevelKey>, _ key: TopLevelKey, _ what: String, _ read: (YAMLNode) -> T?
    ) -> T? {
        guard let node = fields[key] else {
            if !fields.suggested.contains(key.rawValue) {
                reader.report(.error(.missingKey, "missing required key '\(key.rawValue)'", at: fields.location))
            }
            return nil
        }
        return read(node)
    }

    /// A mapping of user-chosen names; every entry is read even after a bad one.
    func namedSection<T>(_ node: YAMLNode, _ what: String, _ read: (Written<String>, YAMLNode) -> T?) -> [T]? {
        guard let entries = reader.namedEntries(of: node, "'\(what)'") else { return nil }
        if entries.isEmpty, what != "wrappers" {
            reader.report(.error(.emptyCollection, "'\(what)' must not be empty", at: node.location))
            return nil
        }
        var items: [T] = []
        var complete = true
        for (name, value) in entries {
            checkName(name, what)
            switch what {
            case "windows": outline.windows.append(name)
            case "wrappers": outline.wrappers.append(name)
            default: break
            }
            if let item = read(name, value) { items.append(item) } else { complete = false }
        }
        return complete ? items : nil
    }

    func checkName(_ name: Written<String>, _ what: String) {
        let characters = name.value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
        let valid =
            characters && (1...64).contains(name.value.count) && name.value.first != "." && name.value.first != "-"
        guard !valid else { return }
        reader.report(
            .error(
                .badName,
                "name '\(name.value)' in '\(what)' must be 1-64 lowercase letters, digits, '-', '_' or '.', not "
                    + "starting with '.' or '-'",
                at: name.location, notes: [DiagnosticNote("names become file names in the generated output")]))
    }

    // MARK: platform

    func platform(_ node: YAMLNode?) -> Platform? {
        let fields = node.flatMap { reader.fields(of: $0, "'platform'", allowed: PlatformKey.allCases) }
        if node != nil, fields == nil { return nil }
        func path(_ key: PlatformKey) -> Located<String>?? {
            guard let value = fields?[key] else { return .some(nil) }
            return reader.path(value, key.rawValue).map { .some($0) } ?? nil
        }
        // Read every path before giving up, so that each bad one is reported.
        let paths = [PlatformKey.prefix, .env, .dovecotLibexec, .libexec, .serviceDirectory, .dovecotConfD, .cronD].map(
            path)
        var profile: Located<PlatformProfile>?
        if let node = fields?[.profile] {
            guard let chosen = reader.choice(node, PlatformKey.profile.rawValue, as: PlatformProfile.self) else {
                return nil
            }
            profile = chosen
        }
        guard let prefix = paths[0], let env = paths[1], let dovecotLibexec = paths[2], let libexec = paths[3],
            let serviceDirectory = paths[4], let confD = paths[5], let cronD = paths[6]
        else { return nil }
        let resolvedPrefix = prefix ?? .byDefault(profile?.value.prefix ?? Platform.defaultPrefix)
        var overrides: [KnownProgram: Located<String>] = [:]
        if let node = fields?[.paths] {
            guard let entries = reader.namedEntries(of: node, "'paths'") else { return nil }
            for (name, value) in entries {
                outline.pathOverrides.append(name)
                guard let path = reader.path(value, name.value), let program = KnownProgram(rawValue: name.value)
                else { continue }
                overrides[program] = path
            }
        }
        var smtpUser: Located<String>?
        if let node = fields?[.smtpUser] {
            guard let user = accountName(node, PlatformKey.smtpUser.rawValue) else { return nil }
            // qmail-smtpd reads what any client sends: it never runs with root's powers.
            guard user.value != "root" else {
                reader.report(
                    .error(
                        .badUser, "qmail-smtpd must not run as root", at: node.location,
                        fix: "name the account qmail-smtpd runs as (qmaild, or vpopmail for vchkpw)"))
                return nil
            }
            smtpUser = user
        }
        let profileLibexec = profile.map { Located<String>.byDefault($0.value.dovecotLibexec) }
        var platform = Platform(
            profile: profile,
            prefix: resolvedPrefix,
            env: env ?? .byDefault(Platform.defaultEnv),
            dovecotLibexec: dovecotLibexec ?? profileLibexec ?? .byDefault("\(resolvedPrefix.value)/libexec/dovecot"),
            libexec: libexec ?? .byDefault("\(resolvedPrefix.value)/libexec/relaychain"),
            paths: overrides,
            serviceDirectory: serviceDirectory)
        platform.dovecotConfDOverride = confD
        platform.cronDOverride = cronD
        if let smtpUser { platform.users.smtp = smtpUser.value }
        return platform
    }
}
