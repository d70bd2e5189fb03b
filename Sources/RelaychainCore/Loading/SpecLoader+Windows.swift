import RelayCtrlCore

/// Relay windows: the store (a directory, or Redis with its users and spiped), the length,
/// the carried variables and RELAYCLIENT.
extension SpecLoader {
    func window(_ name: Written<String>, _ node: YAMLNode) -> RelayWindow? {
        let what = "window '\(name.value)'"
        guard let fields = reader.fields(of: node, what, allowed: WindowKey.allCases) else { return nil }
        var complete = true
        var store: Written<String>?
        var redis: RedisStore?
        if let value = fields[.store] {
            store = reader.path(value, "store")?.written(at: value.location)
            if let other = fields[.redis] {
                reader.report(
                    .error(
                        .wrongType, "\(what) has both 'store' and 'redis'; grants live in one place", at: other.location
                    ))
                complete = false
            }
        } else if let value = fields[.redis] {
            redis = redisStore(value, window: name)
            store = redis.map { Written($0.identity, at: value.location) }
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
        var group: Located<String>?
        if let value = fields[.group] {
            group = accountName(value, "group")
            if group == nil {
                complete = false
            } else if fields[.redis] != nil {
                reader.report(
                    .error(
                        .wrongType, "'group' is a directory store's; a Redis window's writers need none",
                        at: fields.keyLocation(.group) ?? fields.location))
                complete = false
            }
        }
        guard complete, let store else { return nil }
        var window = RelayWindow(
            name: name, store: store, length: length, relayClient: relayClient, log: log, carry: carry)
        window.redis = redis
        window.group = group
        return window
    }

    func redisStore(_ node: YAMLNode, window: Written<String>) -> RedisStore? {
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
        let writer =
            fields[.writer].map { self.reader.string($0, "writer") } ?? Located.byDefault(RedisStore.defaultWriter)
        let readerUser =
            fields[.reader].map { self.reader.string($0, "reader") } ?? Located.byDefault(RedisStore.defaultReader)
        let auditor = fields[.auditor].flatMap { self.reader.string($0, "auditor") }
        if fields[.auditor] != nil, auditor == nil { complete = false }
        let admin = fields[.admin].flatMap { self.reader.string($0, "admin") }
        if fields[.admin] != nil, admin == nil { complete = false }
        if let admin, [writer?.value, readerUser?.value, auditor?.value].contains(admin.value) {
            self.reader.report(
                .error(
                    .badName,
                    "the admin '\(admin.value)' must be a user of its own: setup sets the window's users as it",
                    at: admin.location ?? fields.location))
            complete = false
        }
        var config: Located<String>?
        if let node = fields[.config] {
            config = reader.path(node, "config")
            if config == nil { complete = false }
        }
        if let auditor, auditor.value == writer?.value || auditor.value == readerUser?.value {
            self.reader.report(
                .error(
                    .badName,
                    "the auditor '\(auditor.value)' must be a user of its own: the writer and the reader "
                        + "may not list keys", at: auditor.location ?? fields.location))
            complete = false
        }
        let directory =
            fields[.passwordDirectory].map { self.reader.path($0, "password-dir")?.value }
            ?? RedisStore.defaultPasswordDirectory
        let timeout = fields[.timeout].map { self.reader.int($0, "timeout")?.value }
        if let prefix, let prefixNode = fields[.prefix],
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
                    at: prefixNode.location))
            complete = false
        }
        for user in [writer, readerUser, auditor, admin].compactMap({ $0 })
        where !user.value.unicodeScalars.allSatisfy({
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-".unicodeScalars.contains($0)
        }) {
            self.reader.report(
                .error(
                    .badName, "Redis user '\(user.value)' may hold letters, digits and . _ - only",
                    at: user.location ?? fields.location))
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
        var replication: RedisReplication?
        if let node = fields[.replication] {
            let users: [(what: String, user: Located<String>?)] = [
                ("writer", writer), ("reader", readerUser), ("auditor", auditor), ("admin", admin),
            ]
            replication = self.replication(node, window: window, primary: host, users: users)
            if replication == nil { complete = false }
            if !replicatedEndpoint(endpoint, replication, host: host, at: fields, replication: node) {
                complete = false
            }
        }
        if let replication, let runBy = spiped?.runBy, runBy.value == .systemd {
            reader.report(
                .error(
                    .unknownValue,
                    "a replicated window's copies, sentinels and tunnels run under daemontools or runit; relaychain "
                        + "does not write their systemd units yet",
                    at: runBy.location ?? replication.location ?? fields.location))
            complete = false
        }
        outline.redisHosts += fields[.host].flatMap { node in host.map { [$0.written(at: node.location)] } } ?? []
        guard complete, let endpoint, let database, let prefix, !prefix.isEmpty, let writer, let readerUser,
            let directory,
            timeout.map({ $0 != nil }) ?? true
        else { return nil }
        var store = RedisStore(
            endpoint: endpoint, database: database, prefix: prefix, writer: writer, reader: readerUser,
            passwordDirectory: directory, timeout: timeout ?? nil)
        store.host = host
        store.spiped = spiped
        store.auditor = auditor
        store.admin = admin
        store.config = config
        store.replication = replication
        return store
    }

    /// Replication names a primary host and announces every copy at a loopback port.
    private func replicatedEndpoint(
        _ endpoint: RedisStore.Endpoint?, _ replication: RedisReplication?, host: Located<String>?,
        at fields: Fields<RedisKey>, replication node: YAMLNode
    ) -> Bool {
        var complete = true
        if host == nil, fields[.host] == nil {
            reader.report(
                .error(
                    .missingKey, "'replication' needs 'host': the host of the first primary",
                    at: fields.keyLocation(.replication) ?? node.location))
            complete = false
        }
        let copies = (replication?.replicas.count ?? 1) + 1
        switch endpoint {
        case .tcp("127.0.0.1", let port) where port + copies - 1 <= 65_535: break
        case nil: complete = false
        default:
            reader.report(
                .error(
                    .wrongType,
                    "a replicated Redis is at 'address: \"127.0.0.1:PORT\"': each copy is reached at a "
                        + "loopback port, the same on every host",
                    at: (fields[.address] ?? fields[.socket])?.location ?? fields.location,
                    notes: [
                        DiagnosticNote(
                            "the primary's port is PORT, each replica's the next; spiped carries the ports between "
                                + "hosts")
                    ]))
            complete = false
        }
        return complete
    }

    func spiped(_ node: YAMLNode) -> Spiped? {
        guard let fields = reader.fields(of: node, "'spiped'", allowed: SpipedKey.allCases) else { return nil }
        var complete = true
        let port = fields[.port].map { self.reader.int($0, "port") } ?? .byDefault(Spiped.defaultPort)
        if let port, !(1...65_535).contains(port.value) {
            reader.report(
                .error(
                    .wrongType, "'port' must be between 1 and 65535, found \(port.value)",
                    at: port.location ?? fields.location))
            complete = false
        }
        let keyFile = fields[.keyFile].map { self.reader.path($0, "key-file") }
        let user = fields[.user].map { self.reader.string($0, "user") } ?? .byDefault(Spiped.defaultUser)
        let runBy =
            fields[.runBy].map { self.reader.choice($0, "run-by", as: Supervisor.self) } ?? .byDefault(.daemontools)
        if let runBy, runBy.value == .qmailRun {
            reader.report(
                .error(
                    .unknownValue, "spiped runs under daemontools, runit or systemd, not qmail-run",
                    at: runBy.location ?? fields.location))
            complete = false
        }
        guard complete, let port, let user, let runBy, keyFile.map({ $0 != nil }) ?? true else { return nil }
        return Spiped(port: port, keyFile: keyFile ?? nil, user: user, runBy: runBy)
    }

    func windowLength(_ node: YAMLNode) -> Located<WindowLength>? {
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

    func carriedVariables(_ node: YAMLNode) -> [Located<String>]? {
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
}
