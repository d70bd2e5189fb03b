import RelayCtrlCore
import Yams

/// Builds a `Spec` from a composed YAML tree, reporting every problem of shape and value with
/// its position. Cross-references (windows, wrappers, ports) are the validator's job.
final class SpecLoader {
    static let supportedVersion = 1

    private let reader = NodeReader()
    private var outline = SpecOutline()
    /// Wrappers defined so far (their own args and grammar), for checking chain entries that use them.
    private var declaredWrappers: [String: (args: [Located<String>], grammar: ArgumentGrammar?)] = [:]

    static func load(_ root: YAMLNode) -> (spec: Spec?, outline: SpecOutline, diagnostics: [Diagnostic]) {
        let loader = SpecLoader()
        let spec = loader.spec(root)
        return (spec, loader.outline, loader.reader.diagnostics)
    }

    private func spec(_ root: YAMLNode) -> Spec? {
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

    private func host(_ name: Located<String>, _ node: YAMLNode) -> Host? {
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

    private func required<T>(
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
    private func namedSection<T>(_ node: YAMLNode, _ what: String, _ read: (Located<String>, YAMLNode) -> T?) -> [T]? {
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

    private func checkName(_ name: Located<String>, _ what: String) {
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
                at: name.location!, notes: [DiagnosticNote("names become file names in the generated output")]))
    }

    // MARK: platform

    private func platform(_ node: YAMLNode?) -> Platform? {
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
        var overrides: [String: Located<String>] = [:]
        if let node = fields?[.paths] {
            guard let entries = reader.namedEntries(of: node, "'paths'") else { return nil }
            for (name, value) in entries {
                outline.pathOverrides.append(name)
                guard let path = reader.path(value, name.value) else { continue }
                overrides[name.value] = path
            }
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
        return platform
    }

    // MARK: windows

    private func window(_ name: Located<String>, _ node: YAMLNode) -> RelayWindow? {
        let what = "window '\(name.value)'"
        guard let fields = reader.fields(of: node, what, allowed: WindowKey.allCases) else { return nil }
        var complete = true
        var store: Located<String>?
        var redis: RedisStore?
        if let value = fields[.store] {
            store = reader.path(value, "store")
            if let other = fields[.redis] {
                reader.report(
                    .error(
                        .wrongType, "\(what) has both 'store' and 'redis'; grants live in one place", at: other.location
                    ))
                complete = false
            }
        } else if let value = fields[.redis] {
            redis = redisStore(value)
            store = redis.map { Located($0.identity, at: value.location) }
            if redis == nil { complete = false }
        } else if !fields.suggested.contains(WindowKey.store.rawValue) {
            reader.report(
                .error(
                    .missingKey, "missing required key 'store' in \(what)", at: fields.location,
                    fix: "add 'store: /var/spool/relay-ctrl/allow' (or 'redis:' for a store that hosts share)"))
        }
        var length = Located.byDefault(WindowLength.relayCtrlDefault)
        if let value = fields[.length] {
            if let parsed = windowLength(value) { length = parsed } else { complete = false }
        }
        var relayClient = Located.byDefault("")
        if let value = fields[.relayclient] {
            if let text = reader.string(value, "relayclient") {
                if let bad = text.value.unicodeScalars.first(where: {
                    $0.properties.isWhitespace || "<>\"\\".unicodeScalars.contains($0)
                }) {
                    reader.report(
                        .error(
                            .badRelayClient,
                            "'relayclient' contains '\(bad.escaped(asASCII: true))'; qmail-smtpd appends it to every "
                                + "recipient address",
                            at: value.location,
                            notes: [
                                DiagnosticNote("use \"\" (the usual) or an address suffix such as '@relay.example.org'")
                            ]))
                    complete = false
                } else {
                    relayClient = text
                }
            } else {
                complete = false
            }
        }
        var log = Located.byDefault(false)
        if let value = fields[.log] {
            if let flag = reader.bool(value, "log") { log = flag } else { complete = false }
        }
        var carry = RelayWindow.defaultCarry.map { Located.byDefault($0) }
        if let value = fields[.carry] {
            if let names = carriedVariables(value) { carry = names } else { complete = false }
        }
        guard complete, let store else { return nil }
        var window = RelayWindow(
            name: name, store: store, length: length, relayClient: relayClient, log: log, carry: carry)
        window.redis = redis
        return window
    }

    private func redisStore(_ node: YAMLNode) -> RedisStore? {
        guard let fields = reader.fields(of: node, "'redis'", allowed: RedisKey.allCases) else { return nil }
        var complete = true
        var endpoint: RedisStore.Endpoint?
        if fields[.address] != nil, let socket = fields[.socket] {
            reader.report(.error(.wrongType, "'redis' has both 'address' and 'socket'; name one", at: socket.location))
            complete = false
        }
        if let value = fields[.address], let text = reader.string(value, "address") {
            let host: Substring
            let port: Substring
            if text.value.hasPrefix("["), let close = text.value.firstIndex(of: "]") {
                host = text.value[text.value.index(after: text.value.startIndex)..<close]
                port = text.value[text.value.index(after: close)...].drop { $0 == ":" }
            } else if let colon = text.value.lastIndex(of: ":"), text.value.firstIndex(of: ":") == colon {
                host = text.value[..<colon]
                port = text.value[text.value.index(after: colon)...]
            } else {
                host = Substring(text.value)
                port = "6379"
            }
            if ClientAddress(String(host)) != nil, let number = Int(port), (1...65_535).contains(number) {
                endpoint = .tcp(address: String(host), port: number)
            } else {
                reader.report(
                    .error(
                        .wrongType,
                        "'address' must be an IP address and port, such as 192.0.2.4:6379 or [2001:db8::4]:6379",
                        at: value.location,
                        notes: [DiagnosticNote("names are not allowed: a DNS lookup could hang every login")]))
                complete = false
            }
        } else if let value = fields[.socket] {
            if let path = reader.path(value, "socket") {
                endpoint = .unix(socket: path.value)
            } else {
                complete = false
            }
        } else {
            reader.report(
                .error(
                    .missingKey, "'redis' needs 'address' (IP:port) or 'socket' (a Unix socket)", at: fields.location))
            complete = false
        }
        let database = fields[.db].map { self.reader.int($0, "db")?.value } ?? 0
        let prefix = fields[.prefix].map { self.reader.string($0, "prefix")?.value } ?? RedisStore.defaultPrefix
        let writer = fields[.writer].map { self.reader.string($0, "writer") } ?? Located.byDefault("relay-writer")
        let readerUser = fields[.reader].map { self.reader.string($0, "reader") } ?? Located.byDefault("relay-reader")
        let directory =
            fields[.passwordDirectory].map { self.reader.path($0, "password-dir")?.value }
            ?? "/etc/relaychain/redis"
        let timeout = fields[.timeout].map { self.reader.int($0, "timeout")?.value }
        if let prefix,
            prefix.isEmpty
                || !prefix.unicodeScalars.allSatisfy({
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0)
                        || ("0"..."9").contains($0) || ":._-/".unicodeScalars.contains($0)
                })
        {
            self.reader.report(
                .error(
                    .wrongType,
                    "'prefix' may hold letters, digits and : . _ - / only (it goes into Redis ACL key patterns)",
                    at: fields[.prefix]!.location))
            complete = false
        }
        for user in [writer, readerUser].compactMap({ $0 })
        where !user.value.unicodeScalars.allSatisfy({
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-".unicodeScalars.contains($0)
        }) {
            self.reader.report(
                .error(
                    .badName, "Redis user '\(user.value)' may hold letters, digits and . _ - only", at: user.location!))
            complete = false
        }
        var host: Located<String>?
        if let node = fields[.host] {
            host = reader.string(node, "host")
            if host == nil { complete = false }
        }
        var spiped: Spiped?
        if let node = fields[.spiped] {
            spiped = self.spiped(node)
            if spiped == nil { complete = false }
            if host == nil, fields[.host] == nil {
                reader.report(
                    .error(
                        .missingKey,
                        "'spiped' needs 'host': the host redis-server runs on, where spiped hands connections to it",
                        at: node.location))
                complete = false
            }
        }
        outline.redisHosts += host.map { [$0] } ?? []
        guard complete, let endpoint, let database, let prefix, !prefix.isEmpty, let writer, let readerUser,
            let directory,
            timeout.map({ $0 != nil }) ?? true
        else { return nil }
        var store = RedisStore(
            endpoint: endpoint, database: database, prefix: prefix, writer: writer, reader: readerUser,
            passwordDirectory: directory, timeout: timeout ?? nil)
        store.host = host
        store.spiped = spiped
        return store
    }

    private func spiped(_ node: YAMLNode) -> Spiped? {
        guard let fields = reader.fields(of: node, "'spiped'", allowed: SpipedKey.allCases) else { return nil }
        var complete = true
        let port = fields[.port].map { self.reader.int($0, "port") } ?? .byDefault(Spiped.defaultPort)
        if let port, !(1...65_535).contains(port.value) {
            reader.report(
                .error(.wrongType, "'port' must be between 1 and 65535, found \(port.value)", at: port.location!))
            complete = false
        }
        let keyFile = fields[.keyFile].map { self.reader.path($0, "key-file") }
        let user = fields[.user].map { self.reader.string($0, "user") } ?? .byDefault("nobody")
        let runBy =
            fields[.runBy].map { self.reader.choice($0, "run-by", as: Supervisor.self) } ?? .byDefault(.daemontools)
        if let runBy, runBy.value == .qmailRun {
            reader.report(
                .error(
                    .unknownValue, "spiped runs under daemontools, runit or systemd, not qmail-run",
                    at: runBy.location!))
            complete = false
        }
        guard complete, let port, let user, let runBy, keyFile.map({ $0 != nil }) ?? true else { return nil }
        return Spiped(port: port, keyFile: keyFile ?? nil, user: user, runBy: runBy)
    }

    private func windowLength(_ node: YAMLNode) -> Located<WindowLength>? {
        let text: Located<String>
        if case .scalar(let scalar) = node, scalar.style == .plain, node.tagName == .int {
            reader.report(
                .error(
                    .badDuration, "window length \(scalar.string) has no unit", at: node.location,
                    fix: "write \(scalar.string)s for seconds, or use m or h"))
            return nil
        }
        guard let written = reader.string(node, "length") else { return nil }
        text = written
        guard let length = WindowLength(parsing: text.value) else {
            reader.report(
                .error(
                    .badDuration, "invalid window length '\(text.value)'", at: node.location,
                    notes: [DiagnosticNote("write a number and a unit: 900s, 15m, 1h, 1h30m")]))
            return nil
        }
        if length.seconds == 0 {
            reader.report(
                .error(
                    .windowLength, "a window of 0s would never relay (relay-ctrl reads 0 as its 900s default)",
                    at: node.location))
            return nil
        }
        if length.seconds > 86_400 {
            reader.report(
                .error(
                    .windowLength,
                    "a window of \(text.value) is longer than a day; whoever gets the address next could relay all "
                        + "that time",
                    at: node.location))
            return nil
        }
        if length.seconds > 3_600 {
            reader.report(
                .warning(
                    .windowLength,
                    "a window of \(text.value) is long; whoever gets the address next can relay until it ends",
                    at: node.location,
                    notes: [DiagnosticNote("relay-ctrl's default is 15m")]))
        }
        return Located(length, at: node.location)
    }

    private func carriedVariables(_ node: YAMLNode) -> [Located<String>]? {
        guard let items = reader.list(node, "carry") else { return nil }
        var names: [Located<String>] = []
        var complete = true
        for item in items {
            guard let name = reader.string(item, "carry") else {
                complete = false
                continue
            }
            guard EnvironmentName.isValid(name.value) else {
                reader.report(
                    .error(
                        .badVariableName, "'\(name.value)' is not an environment variable name", at: item.location,
                        notes: [DiagnosticNote("names are letters, digits and '_', not starting with a digit")]))
                complete = false
                continue
            }
            if let reason = EnvironmentName.carryRisk(name.value) {
                reader.report(
                    .error(
                        .unsafeCarry, "carrying \(name.value) from grant files would let \(reason)", at: item.location,
                        notes: [
                            DiagnosticNote("any local user who can write the store can put any value in a grant file")
                        ]))
                complete = false
                continue
            }
            if let earlier = names.first(where: { $0.value == name.value }) {
                reader.report(
                    .error(
                        .duplicateEntry, "'\(name.value)' is listed twice in 'carry'", at: item.location,
                        notes: [DiagnosticNote("first listed here", at: earlier.location)]))
                complete = false
                continue
            }
            names.append(name)
        }
        return complete ? names : nil
    }

    // MARK: wrappers

    private func wrapper(_ name: Located<String>, _ node: YAMLNode) -> WrapperDefinition? {
        let what = "wrapper '\(name.value)'"
        if let builtin = Catalog.program(named: name.value) {
            reader.report(
                .error(
                    .shadowsBuiltin, "wrapper '\(name.value)' has the name of a built-in program", at: name.location!,
                    notes: [DiagnosticNote("built in: \(builtin.summary)")],
                    fix:
                        "use it in chains without defining it, set its path under 'platform: paths:', or choose "
                        + "another name"
                ))
        }
        guard let fields = reader.fields(of: node, what, allowed: WrapperKey.allCases) else { return nil }
        var complete = true
        var path: Located<String>?
        if let value = fields[.path] {
            path = reader.path(value, "path")
        } else if !fields.suggested.contains(WrapperKey.path.rawValue) {
            reader.report(.error(.missingKey, "missing required key 'path' in \(what)", at: fields.location))
        }
        let args = fields[.args].map { arguments($0) } ?? []
        let sets = fields[.sets].map { environment($0, "sets") } ?? []
        var bypass: Located<Bypass>?
        if let value = fields[.bypass] {
            bypass = self.bypass(value)
        } else if !fields.suggested.contains(WrapperKey.bypass.rawValue) {
            reader.report(
                .error(
                    .missingKey, "missing required key 'bypass' in \(what)", at: fields.location,
                    notes: [
                        DiagnosticNote(
                            "say how it treats a client that has logged in: 'bypass: { env: { NAME: \"\" } }', "
                                + "'bypass: honours-relayclient', 'bypass: not-a-filter' or 'bypass: none'"
                        )
                    ]))
        }
        var chainLoader = Located.byDefault(true)
        if let value = fields[.chainLoader] {
            if let flag = reader.bool(value, "chain-loader") { chainLoader = flag } else { complete = false }
        }
        var grammar: ArgumentGrammar?
        if let value = fields[.grammar] {
            if let read = self.grammar(value) { grammar = read } else { complete = false }
        }
        if let args { declaredWrappers[name.value] = (args, grammar) }
        guard complete, let path, let args, let sets, let bypass else { return nil }
        return WrapperDefinition(
            name: name, path: path, args: args, sets: sets, bypass: bypass, chainLoader: chainLoader, grammar: grammar)
    }

    /// `grammar: { options: "z:v", operands: 1 }`: a getopt option string and the number of
    /// words read before the program to run.
    private func grammar(_ node: YAMLNode) -> ArgumentGrammar? {
        guard let fields = reader.fields(of: node, "a wrapper's grammar", allowed: GrammarKey.allCases) else {
            return nil
        }
        var optionString = ""
        if let value = fields[.options] {
            guard let text = reader.string(value, "options") else { return nil }
            optionString = text.value
        }
        var operands = 0
        if let value = fields[.operands] {
            guard let number = reader.int(value, "operands") else { return nil }
            operands = number.value
        }
        guard operands <= 8, let grammar = ArgumentGrammar(optionString: optionString, operands: operands) else {
            reader.report(
                .error(
                    .badGrammar, "a grammar of options '\(optionString)' and \(operands) operands cannot be read",
                    at: node.location,
                    notes: [
                        DiagnosticNote(
                            "options is a getopt string such as 'bv:' (a letter, ':' after one that takes a value); "
                                + "operands is 0 to 8")
                    ]))
            return nil
        }
        return grammar
    }

    private func bypass(_ node: YAMLNode) -> Located<Bypass>? {
        if case .scalar = node {
            guard let keyword = reader.choice(node, "bypass", as: BypassKeyword.self) else { return nil }
            let bypass: Bypass =
                switch keyword.value {
                case .honoursRelayClient: .honoursRelayClient
                case .notAFilter: .notAFilter
                case .none: .none
                }
            return Located(bypass, at: node.location)
        }
        guard let fields = reader.fields(of: node, "'bypass'", allowed: BypassKey.allCases) else { return nil }
        guard let envNode = fields[.env] else {
            reader.report(.error(.missingKey, "missing required key 'env' in 'bypass'", at: fields.location))
            return nil
        }
        guard let settings = environment(envNode, "env"), !settings.isEmpty else {
            if case .mapping(let mapping) = envNode, mapping.count == 0 {
                reader.report(.error(.emptyCollection, "'env' must set at least one variable", at: envNode.location))
            }
            return nil
        }
        return Located(.environment(settings), at: node.location)
    }

    private func environment(_ node: YAMLNode, _ what: String) -> [EnvironmentSetting]? {
        guard let entries = reader.namedEntries(of: node, "'\(what)'") else { return nil }
        var settings: [EnvironmentSetting] = []
        var complete = true
        for (name, value) in entries {
            guard EnvironmentName.isValid(name.value) else {
                reader.report(
                    .error(.badVariableName, "'\(name.value)' is not an environment variable name", at: name.location!))
                complete = false
                continue
            }
            guard let text = reader.string(value, name.value, numbersAllowed: true) else {
                complete = false
                continue
            }
            settings.append(EnvironmentSetting(name: name, value: text))
        }
        return complete ? settings : nil
    }

    private func arguments(_ node: YAMLNode) -> [Located<String>]? {
        guard let items = reader.list(node, "args") else { return nil }
        let args = items.compactMap { reader.string($0, "args", numbersAllowed: true) }
        return args.count == items.count ? args : nil
    }

    // MARK: services

    private func service(_ name: Located<String>, _ node: YAMLNode) -> Service? {
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
                    .init(service: name.value, verb: key.rawValue, window: Located(scalar.string, at: node.location)))
            }
        }
        var host: Located<String>?
        if let node = fields[.host] {
            host = reader.string(node, "host")
            if host == nil { complete = false }
        }
        outline.hostReferences.append(.init(service: name, host: host))
        if let defaultPort = kind.value.defaultPort {
            let written = fields[.port]
            if let port = written.map({ Int($0.scalar?.string ?? "") }) ?? defaultPort {
                outline.ports.append(
                    .init(
                        service: name.value, port: Located(port, at: written?.location ?? name.location),
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

    private func dovecot(_ fields: Fields<ServiceKey>) -> DovecotLogin? {
        var version: Located<DovecotVersion>?
        if let node = fields[.version], let text = reader.string(node, "version") {
            if let parsed = DovecotVersion(parsing: text.value), parsed.isSupported {
                version = Located(parsed, at: node.location)
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
        let grants = fields[.grants].flatMap { reader.string($0, "grants") }
        var postLoginUser: Located<String>?
        var complete = true
        if let node = fields[.postLoginUser] {
            if let version, version.value.mechanism == .mailExecutable {
                reader.report(
                    .error(
                        .keyNotForServer, "'post-login-user' applies to Dovecot 2.0 and later",
                        at: fields.keyLocation(.postLoginUser)!,
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

    private func mailProtocols(_ node: YAMLNode) -> [Located<MailProtocol>]? {
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

    private func accountName(_ node: YAMLNode, _ key: String) -> Located<String>? {
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
    private func listen(_ fields: Fields<ServiceKey>) -> Located<String>?? {
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

    private func port(_ fields: Fields<ServiceKey>, default value: Int) -> Located<Int>? {
        guard let node = fields[.port] else { return .byDefault(value) }
        guard let port = reader.int(node, "port") else { return nil }
        guard (1...65_535).contains(port.value) else {
            reader.report(.error(.badPort, "port must be between 1 and 65535, found \(port.value)", at: node.location))
            return nil
        }
        return port
    }

    private func qmailPOP3D(_ fields: Fields<ServiceKey>) -> QmailPOP3DLogin? {
        let runBy = fields[.runBy].flatMap { reader.choice($0, "run-by", as: Supervisor.self) }
        let port = port(fields, default: ServerKind.qmailPOP3D.defaultPort!)
        let grants = fields[.grants].flatMap { reader.string($0, "grants") }
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
    private func programReference(_ node: YAMLNode, _ key: String) -> Located<String>? {
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

    private func qmailSMTPD(_ fields: Fields<ServiceKey>) -> QmailSMTPD? {
        let runBy = fields[.runBy].flatMap { reader.choice($0, "run-by", as: Supervisor.self) }
        let port = port(fields, default: ServerKind.qmailSMTPD.defaultPort!)
        var checks: Located<String>?? = .some(nil)
        if let node = fields[.checks] {
            checks = reader.string(node, "checks").map { .some($0) } ?? nil
        }
        var chain: [ChainEntry]? = []
        if let node = fields[.chain] { chain = self.chain(node) }
        var relayNetworks: [Located<String>]? = []
        if let node = fields[.relayNetworks] { relayNetworks = networks(node) }
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
        let concurrency = count(fields[.concurrency], "concurrency", at: 1)
        let smtpdArgs: [Located<String>]? = fields[.smtpdArgs].map { words($0, "smtpd-args") } ?? []
        var logCommand: [Located<String>]? = fields[.logCommand].map { words($0, "log-command") } ?? []
        if let program = logCommand?.first, !program.value.hasPrefix("/"), Catalog.program(named: program.value) == nil
        {
            reader.report(
                .error(
                    .relativePath,
                    "the log command must start with an absolute path or a program relaychain knows, found "
                        + "'\(program.value)'",
                    at: program.location!, fix: "write its full path, e.g. /usr/bin/\(program.value)"))
            logCommand = nil
        }
        guard let runBy, let listen, let port, let checks, let chain, let relayNetworks, let environment, let rules,
            let datalimit, let concurrency, let smtpdArgs, let logCommand, let relayClientEnvironment
        else { return nil }
        var smtpd = QmailSMTPD(
            runBy: runBy, listen: listen, port: port, checks: checks, chain: chain, relayNetworks: relayNetworks)
        smtpd.environment = environment
        smtpd.rules = rules
        smtpd.relayClientEnvironment = relayClientEnvironment
        smtpd.datalimit = datalimit
        smtpd.concurrency = concurrency
        smtpd.smtpdArguments = smtpdArgs
        smtpd.logCommand = logCommand
        return smtpd
    }

    /// An optional whole number of at least `minimum`: `.some(nil)` when absent, nil when bad.
    private func count(_ node: YAMLNode?, _ key: String, at minimum: Int) -> Located<Int>?? {
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
    private func words(_ node: YAMLNode, _ key: String) -> [Located<String>]? {
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
    private func rules(_ node: YAMLNode) -> [AccessRule]? {
        guard let items = reader.list(node, "rules") else { return nil }
        var rules: [AccessRule] = []
        var complete = true
        for item in items {
            guard let fields = reader.fields(of: item, "a rule", allowed: RuleKey.allCases) else {
                complete = false
                continue
            }
            guard let fromNode = fields[.from] else {
                reader.report(
                    .error(
                        .missingKey, "missing required key 'from' in a rule", at: fields.location,
                        notes: [DiagnosticNote("write from: \"\" for every client")]))
                complete = false
                continue
            }
            guard let from = reader.string(fromNode, "from") else {
                complete = false
                continue
            }
            if !from.value.isEmpty, let problem = RelayNetwork.problem(with: from.value) {
                reader.report(
                    .error(
                        .badNetwork, "rule address '\(from.value)' \(problem.message)", at: fromNode.location,
                        fix: problem.fix))
                complete = false
                continue
            }
            let deny = fields[.deny].flatMap { reader.bool($0, "deny") } ?? Located(false, at: nil)
            let set = fields[.set].flatMap { environment($0, "set") } ?? []
            if fields[.set] != nil, set.isEmpty { complete = false }
            for setting in set {
                let value = setting.value.value
                if value.contains("\n") || (value.contains("\"") && value.contains("'")) {
                    reader.report(
                        .error(
                            .targetCannotCarry,
                            "tcprules cannot carry the value of \(setting.name.value): it holds a newline or both "
                                + "kinds of quote",
                            at: setting.value.location!))
                    complete = false
                }
                if setting.name.value == "RELAYCLIENT", from.value.isEmpty, !deny.value {
                    reader.report(
                        .error(
                            .unsafeEnvironment, "this rule sets RELAYCLIENT for every client: an open relay",
                            at: setting.name.location!,
                            fix: "name the network in 'from', or let clients relay by logging in"))
                    complete = false
                }
                if setting.name.value == "QMAILQUEUE", !value.hasPrefix("/") {
                    reader.report(
                        .error(
                            .unsafeEnvironment, "QMAILQUEUE '\(value)' is not an absolute path",
                            at: setting.value.location!,
                            notes: [DiagnosticNote("qmail-smtpd runs it for every message")],
                            fix: "write the queue program's full path"))
                    complete = false
                }
            }
            if !deny.value || set.isEmpty {
                rules.append(AccessRule(from: from, deny: deny, set: set))
            } else {
                reader.report(
                    .error(
                        .wrongType, "a rule that denies cannot set variables", at: fields[.set]!.location))
                complete = false
            }
        }
        return complete ? rules : nil
    }

    /// `environment: { QMAILQUEUE: /usr/pkg/bin/qmail-qfilter-queue, DATABYTES: "10000000" }`.
    /// RELAYCLIENT is refused (it would relay for everyone), and so is a relative QMAILQUEUE
    /// (qmail-smtpd would run whatever program of that name its directory holds).
    private func serviceEnvironment(_ node: YAMLNode) -> [EnvironmentSetting]? {
        guard let settings = environment(node, "environment") else { return nil }
        var complete = true
        for setting in settings {
            switch setting.name.value {
            case "RELAYCLIENT":
                reader.report(
                    .error(
                        .unsafeEnvironment,
                        "'environment' sets RELAYCLIENT, which lets every client relay: an open relay",
                        at: setting.name.location!, fix: "remove it; relay networks go under 'relay-networks'"))
                complete = false
            case "QMAILQUEUE" where !setting.value.value.hasPrefix("/"):
                reader.report(
                    .error(
                        .unsafeEnvironment, "QMAILQUEUE '\(setting.value.value)' is not an absolute path",
                        at: setting.value.location!, notes: [DiagnosticNote("qmail-smtpd runs it for every message")],
                        fix: "write the queue program's full path"))
                complete = false
            default:
                break
            }
        }
        return complete ? settings : nil
    }

    private func chain(_ node: YAMLNode) -> [ChainEntry]? {
        guard let items = reader.list(node, "chain") else { return nil }
        let entries = items.compactMap(chainEntry)
        return entries.count == items.count ? entries : nil
    }

    /// `"rblsmtpd -r zen.spamhaus.org"` (words split on spaces) or `{ use: rblsmtpd, args: [...] }`.
    private func chainEntry(_ node: YAMLNode) -> ChainEntry? {
        if case .mapping = node {
            guard let fields = reader.fields(of: node, "a chain entry", allowed: ChainEntryKey.allCases) else {
                return nil
            }
            guard let useNode = fields[.use] else {
                reader.report(.error(.missingKey, "missing required key 'use' in a chain entry", at: fields.location))
                return nil
            }
            guard let program = reader.string(useNode, "use") else { return nil }
            guard let args = fields[.args].map({ arguments($0) }) ?? [] else { return nil }
            outline.chainPrograms.append(program)
            checkArguments(program, args)
            return ChainEntry(program: program, args: args)
        }
        guard let text = reader.string(node, "chain entry"), case .scalar(let scalar) = node else { return nil }
        // Columns of the words are exact for plain and simple quoted scalars on one line.
        let start = scalar.style == .plain ? text.location! : text.location!.advanced(by: 1)
        var words: [Located<String>] = []
        var offset = 0
        for piece in text.value.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false) {
            if !piece.isEmpty {
                words.append(Located(String(String.UnicodeScalarView(piece)), at: start.advanced(by: offset)))
            }
            offset += piece.count + 1
        }
        guard let program = words.first else {
            reader.report(.error(.emptyChainEntry, "empty chain entry", at: node.location))
            return nil
        }
        outline.chainPrograms.append(program)
        checkArguments(program, Array(words.dropFirst()))
        return ChainEntry(program: program, args: Array(words.dropFirst()))
    }

    /// The entry's words as its program reads them (a declared wrapper's own `args` first).
    private func checkArguments(_ program: Located<String>, _ args: [Located<String>]) {
        if let declared = declaredWrappers[program.value] {
            guard let grammar = declared.grammar else { return }
            if let problem = ArgumentDiagnostics.check(program, declared.args + args, grammar) {
                reader.report(problem)
            }
        } else if let known = Catalog.program(named: program.value), known.role == .wrapper,
            let grammar = known.grammar
        {
            if let problem = ArgumentDiagnostics.check(program, args, grammar) { reader.report(problem) }
        }
    }

    private func networks(_ node: YAMLNode) -> [Located<String>]? {
        guard let items = reader.list(node, "relay-networks") else { return nil }
        var networks: [Located<String>] = []
        var complete = true
        for item in items {
            guard let text = reader.string(item, "relay-networks") else {
                complete = false
                continue
            }
            if let problem = RelayNetwork.problem(with: text.value) {
                reader.report(
                    .error(
                        .badNetwork, "relay network '\(text.value)' \(problem.message)", at: item.location,
                        fix: problem.fix))
                complete = false
                continue
            }
            networks.append(text)
        }
        return complete ? networks : nil
    }
}
