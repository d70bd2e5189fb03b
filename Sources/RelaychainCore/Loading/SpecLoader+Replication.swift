import RelayCtrlCore

/// `redis: { replication: {...} }`: the hosts with a copy, the sentinels, their timing and users.
extension SpecLoader {
    /// `users`: the window's other Redis users, which replication's and Sentinel's must not be.
    func replication(
        _ node: YAMLNode, window: Written<String>, primary: Located<String>?,
        users: [(what: String, user: Located<String>?)]
    ) -> RedisReplication? {
        guard let fields = reader.fields(of: node, "'replication'", allowed: ReplicationKey.allCases) else {
            return nil
        }
        var complete = true
        let replicas = hostList(fields[.replicas], "replicas", at: fields.location, complete: &complete)
        let sentinels = hostList(fields[.sentinels], "sentinels", at: fields.location, complete: &complete)
        if let sentinels, sentinels.count > RedisLocation.sentinelLimit {
            reader.report(
                .error(
                    .limitExceeded,
                    "\(sentinels.count) sentinels: relay-ctrl-allow asks at most \(RedisLocation.sentinelLimit), each "
                        + "within its share of the one timeout",
                    at: sentinels[RedisLocation.sentinelLimit].location ?? fields.location))
            complete = false
        }
        if let primary, let same = replicas?.first(where: { $0.value == primary.value }) {
            reader.report(
                .error(
                    .duplicateEntry, "host '\(same.value)' is the primary ('host'); it cannot be a replica too",
                    at: same.location ?? fields.location))
            complete = false
        }
        let master = fields[.master].map { reader.string($0, "master") } ?? .byDefault(window.value)
        if let master, !Self.isRedisName(master.value) {
            reader.report(
                .error(
                    .badName, "master name '\(master.value)' may hold letters, digits and . _ - only",
                    at: master.location ?? fields.location))
            complete = false
        }
        let count = sentinels?.count ?? 0
        let quorum = fields[.quorum].map { reader.int($0, "quorum") } ?? .byDefault(count / 2 + 1)
        if let quorum, count > 0, !(1...count).contains(quorum.value) {
            reader.report(
                .error(
                    .wrongType, "'quorum' must be between 1 and the \(count) sentinels, found \(quorum.value)",
                    at: quorum.location ?? fields.location))
            complete = false
        }
        let downAfter = seconds(fields[.downAfter], "down-after", RedisReplication.defaultDownAfter)
        let failoverTimeout = seconds(
            fields[.failoverTimeout], "failover-timeout", RedisReplication.defaultFailoverTimeout)
        let staleAfter = seconds(fields[.staleAfter], "stale-after", RedisReplication.defaultStaleAfter)
        if let downAfter, let failoverTimeout, failoverTimeout.value.seconds <= downAfter.value.seconds {
            reader.report(
                .error(
                    .badDuration,
                    "'failover-timeout' (\(failoverTimeout.value)) must be longer than 'down-after' "
                        + "(\(downAfter.value)): a failover starts only once the primary is down",
                    at: failoverTimeout.location ?? fields.location))
            complete = false
        }
        let wait = fields[.wait].map { reader.int($0, "wait") } ?? .byDefault(replicas.map { min(1, $0.count) } ?? 0)
        if let wait, let replicas, wait.value > replicas.count {
            reader.report(
                .error(
                    .wrongType,
                    "'wait' asks \(wait.value) replicas to confirm each grant, but there are \(replicas.count)",
                    at: wait.location ?? fields.location,
                    notes: [DiagnosticNote("every login would then wait for the whole timeout and log a warning")]))
            complete = false
        }
        let port =
            fields[.sentinelPort].map { reader.int($0, "sentinel-port") }
            ?? .byDefault(RedisReplication.defaultSentinelPort)
        if let port, !(1...(65_536 - max(1, count))).contains(port.value) {
            reader.report(
                .error(
                    .badPort, "'sentinel-port' \(port.value) leaves no port for each of the \(count) sentinels",
                    at: port.location ?? fields.location))
            complete = false
        }
        let replicationUser =
            fields[.replicationUser].map { reader.string($0, "replication-user") }
            ?? .byDefault(RedisReplication.defaultReplicationUser)
        let sentinelUser =
            fields[.sentinelUser].map { reader.string($0, "sentinel-user") }
            ?? .byDefault(RedisReplication.defaultSentinelUser)
        var roles = users
        for (what, user) in [("replication-user", replicationUser), ("sentinel-user", sentinelUser)] {
            defer { roles.append((what, user)) }
            guard let user else { continue }
            if !Self.isRedisName(user.value) {
                reader.report(
                    .error(
                        .badName, "Redis user '\(user.value)' may hold letters, digits and . _ - only",
                        at: user.location ?? fields.location))
                complete = false
            } else if let other = roles.first(where: { $0.user?.value == user.value }) {
                reader.report(
                    .error(
                        .badName,
                        "the \(what) '\(user.value)' is also the \(other.what): replication's and Sentinel's "
                            + "users may do what the others may not",
                        at: user.location ?? fields.location))
                complete = false
            }
        }
        guard complete, let replicas, let sentinels, let master, let quorum, let downAfter, let failoverTimeout,
            let staleAfter, let wait, let port, let replicationUser, let sentinelUser
        else { return nil }
        return RedisReplication(
            replicas: replicas, sentinels: sentinels, master: master, quorum: quorum, downAfter: downAfter,
            failoverTimeout: failoverTimeout, staleAfter: staleAfter, wait: wait,
            socket: RedisReplication.socket(window: window.value),
            sentinelPort: port, replicationUser: replicationUser, sentinelUser: sentinelUser,
            location: fields.location)
    }

    /// A list of host names, each once; their being declared is the validator's to check (RC205).
    /// Those it could read, each once, even when it reports others: the checks after it see them.
    private func hostList(_ node: YAMLNode?, _ key: String, at location: SourceLocation, complete: inout Bool)
        -> [Located<String>]?
    {
        guard let node else {
            reader.report(.error(.missingKey, "'replication' needs '\(key)': a list of hosts", at: location))
            complete = false
            return nil
        }
        guard let items = reader.list(node, key) else {
            complete = false
            return nil
        }
        guard !items.isEmpty else {
            reader.report(.error(.emptyCollection, "'\(key)' must name at least one host", at: node.location))
            complete = false
            return nil
        }
        var hosts: [Located<String>] = []
        for item in items {
            guard let name = reader.string(item, key) else {
                complete = false
                continue
            }
            if let earlier = hosts.first(where: { $0.value == name.value }) {
                reader.report(
                    .error(
                        .duplicateEntry, "host '\(name.value)' is listed twice in '\(key)'", at: item.location,
                        notes: [DiagnosticNote("first listed here", at: earlier.location)]))
                complete = false
                continue
            }
            hosts.append(name)
            outline.redisHosts.append(name.written(at: item.location))
        }
        return hosts
    }

    /// A duration of whole seconds, at least one.
    private func seconds(_ node: YAMLNode?, _ key: String, _ fallback: WindowLength) -> Located<WindowLength>? {
        guard let node else { return .byDefault(fallback) }
        guard let text = reader.string(node, key) else { return nil }
        guard let length = WindowLength(parsing: text.value), length.seconds > 0 else {
            reader.report(
                .error(
                    .badDuration, "invalid '\(key)' '\(text.value)'", at: node.location,
                    notes: [DiagnosticNote("write whole seconds and a unit, at least 1s: 2s, 1m, 1m30s")]))
            return nil
        }
        return Located(length, at: node.location)
    }

    /// What Redis accepts in a user's or master's name here: letters, digits and . _ -.
    static func isRedisName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "._-".unicodeScalars.contains($0)
            }
    }
}
