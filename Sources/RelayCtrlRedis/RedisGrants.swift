import CRelayLibc

#if hasFeature(Embedded)
    import RelayCtrlCoreEmbedded
#else
    import RelayCtrlCore
#endif

/// Grants in Redis: one key per client address (`<prefix><canonical address>`), its value the
/// login time as a first record (`relay-ctrl-time=<seconds>`: a name no variable can have, so it
/// is never carried) and then the same NUL-terminated records as a grant file. relay-ctrl-allow
/// writes it with one `SETEX key window value` (SETEX, unlike SET, has no GET option, so the
/// writer's ACL lets it write grants and never read one); relay-ctrl-check reads it with GET and applies
/// its own window to the login time, so a key that outlives its window still grants nothing.
public enum RedisGrants {
    static let timeRecord = Array("relay-ctrl-time=".utf8)

    public enum Lookup {
        /// The records (the login time taken out) and the login time.
        case found(GrantBody, loginTime: Int)
        case missing
        /// Unusable: not a grant relaychain wrote, or larger than a grant file may be.
        case malformed(String)
        case failed(String)
    }

    public static func key(_ settings: RedisSettings, _ address: ClientAddress) -> [UInt8] {
        settings.prefix + Array(address.canonical.utf8)
    }

    static func value(records: [GrantRecord], loginTime: Int) -> [UInt8] {
        timeRecord + Array(String(loginTime).utf8) + [0] + GrantRecords.encode(records)
    }

    /// AUTH as the URL's user (when it names one) with its password, when there is one.
    static func auth(_ settings: RedisSettings) -> [[UInt8]]? {
        settings.password.map { [Array("AUTH".utf8)] + (settings.user.map { [Array($0.utf8)] } ?? []) + [$0] }
    }

    /// AUTH and SELECT, before `command`.
    static func commands(_ settings: RedisSettings, _ command: [[UInt8]]) -> [[[UInt8]]] {
        var commands: [[[UInt8]]] = []
        if let auth = auth(settings) { commands.append(auth) }
        if settings.database != 0 { commands.append([Array("SELECT".utf8), Array(String(settings.database).utf8)]) }
        return commands + [command]
    }

    /// Checks the replies to AUTH and SELECT; the last reply is the command's.
    static func outcome(_ replies: [RedisConnection.Reply]) -> Result<RedisConnection.Reply, RedisFailure> {
        for reply in replies.dropLast() {
            if case .error(let text) = reply { return .failure("Redis refused: \(printable(text))") }
        }
        guard let last = replies.last else { return .failure("no reply") }
        if case .error(let text) = last { return .failure("Redis refused: \(printable(text))") }
        return .success(last)
    }

    /// Records a grant that Redis itself forgets after `window` seconds. nil when it was written
    /// (and replicated, when asked); otherwise what to log.
    public static func write(
        _ settings: RedisSettings, _ address: ClientAddress, records: [GrantRecord], window: Int, now: Int
    ) -> String? {
        switch store(settings, address, records: records, window: window, now: now) {
        case .written: return nil
        case .unreplicated(let acknowledged, let wanted):
            return "only \(acknowledged) of \(wanted) replicas confirmed it in time: a failover now could lose it"
        case .failed(let reason): return reason
        }
    }

    /// Records a login's grant as the login side does (relay-ctrl-allow, relay-ctrl-send), for
    /// the window in RELAY_CTRL_EXPIRY. nil when it was written; otherwise the line to log.
    public static func recordLogin(
        _ configured: Result<RedisSettings, RedisSettings.SettingsError>, _ address: ClientAddress,
        records: [GrantRecord]
    ) -> String? {
        switch configured {
        case .failure(let error): return "\(error); no grant recorded"
        case .success(let settings):
            let window = Settings.window(Environment.lookup("RELAY_CTRL_EXPIRY"))
            switch store(settings, address, records: records, window: window, now: time(nil)) {
            case .written: return nil
            case .unreplicated(let acknowledged, let wanted):
                return "Recorded a grant for \(address) in Redis, but only \(acknowledged) of \(wanted) replicas "
                    + "confirmed it in time: a failover now could lose it"
            case .failed(let reason): return "Could not record a grant for \(address) in Redis: \(reason)"
            }
        }
    }

    /// Ends the grant of `address` with the writer's one permission: SETEX of a grant dated at
    /// the epoch, which every check refuses (it applies its own window to the login time) and
    /// Redis forgets a second later. nil when it was written.
    public static func revoke(_ settings: RedisSettings, _ address: ClientAddress) -> String? {
        write(settings, address, records: [], window: 1, now: 0)
    }

    /// GET of the address's key; with RELAY_CTRL_REDIS_STALE_AFTER, `INFO replication` in the same
    /// pipeline first, and a replica that has not heard from its primary for longer grants nothing.
    public static func lookup(_ settings: RedisSettings, _ address: ClientAddress) -> Lookup {
        switch RedisConnection.open(settings) {
        case .failure(let reason): return .failed(reason.description)
        case .success(let connection):
            var pipeline = commands(settings, [Array("GET".utf8), key(settings, address)])
            if settings.staleAfterSeconds != nil {
                pipeline.insert([Array("INFO".utf8), Array("replication".utf8)], at: pipeline.count - 1)
            }
            var replies: [RedisConnection.Reply]
            switch connection.run(pipeline) {
            case .failure(let reason): return .failed(reason.description)
            case .success(let answered): replies = answered
            }
            let info =
                settings.staleAfterSeconds != nil && replies.count >= 2 ? replies.remove(at: replies.count - 2) : nil
            let answer = outcome(replies)
            if case .failure(let reason) = answer { return .failed(reason.description) }
            if let bound = settings.staleAfterSeconds {
                // Believed only on its word: an INFO that is not its text grants nothing either.
                if case .error(let text)? = info { return .failed("Redis refused INFO: \(printable(text))") }
                guard case .bulk(let text)? = info else { return .failed("Redis did not answer INFO with its text") }
                if let problem = ReplicaFreshness(info: text).problem(bound: bound) { return .failed(problem) }
            }
            switch answer {
            case .failure(let reason): return .failed(reason.description)
            case .success(.missing): return .missing
            case .success(.bulk(let bytes)): return decode(bytes)
            case .success: return .malformed("not a string")
            }
        }
    }

    /// Every grant the check would honour at `now` (its window and the future-time rule on the
    /// login time), found with SCAN over the prefix and read with GET: what `relaychain grants`
    /// shows, as a user allowed those two commands only. At most `limit` rounds of SCAN.
    public static func live(
        _ settings: RedisSettings, now: Int, window: Int, limit: Int = 10_000
    ) -> Result<[LiveGrant], GrantListingFailure> {
        let connection: RedisConnection
        switch RedisConnection.open(settings) {
        case .failure(let reason): return .failure(GrantListingFailure(reason: reason.description))
        case .success(let opened): connection = opened
        }
        var setup = commands(settings, [Array("PING".utf8)])
        setup.removeLast()
        if !setup.isEmpty {
            switch connection.run(setup) {
            case .failure(let reason): return .failure(GrantListingFailure(reason: reason.description))
            case .success(let replies):
                if case .error(let text)? = replies.first(where: { if case .error = $0 { true } else { false } }) {
                    return .failure(GrantListingFailure(reason: "Redis refused: \(printable(text))"))
                }
            }
        }
        var grants: [LiveGrant] = []
        var cursor = Array("0".utf8)
        for _ in 0..<limit {
            let scan = [
                Array("SCAN".utf8), cursor, Array("MATCH".utf8), settings.prefix + Array("*".utf8),
                Array("COUNT".utf8), Array("100".utf8),
            ]
            guard case .success(let replies) = connection.run([scan]), let reply = replies.first else {
                return .failure(GrantListingFailure(reason: "no answer to SCAN"))
            }
            if case .error(let text) = reply {
                return .failure(GrantListingFailure(reason: "Redis refused: \(printable(text))"))
            }
            guard case .array(let parts) = reply, parts.count == 2, case .bulk(let next) = parts[0],
                case .array(let keys) = parts[1]
            else { return .failure(GrantListingFailure(reason: "an answer to SCAN that is not a cursor and keys")) }
            for case .bulk(let key) in keys {
                guard key.starts(with: settings.prefix),
                    let address = ClientAddress(Array(key[settings.prefix.count...])),
                    Array(address.canonical.utf8) == Array(key[settings.prefix.count...])
                else { continue }
                guard case .success(let answers) = connection.run([[Array("GET".utf8), key]]),
                    case .bulk(let value)? = answers.first,
                    case .found(let body, let loginTime) = decode(value)
                else { continue }
                let age = now - loginTime
                guard age <= window, age >= -GrantStore.clockSkewAllowance else { continue }
                grants.append(LiveGrant(address: address, granted: loginTime, records: body.records))
            }
            cursor = next
            if next == Array("0".utf8) {
                return .success(
                    grants.sorted { ($0.granted, $0.address.canonical) < ($1.granted, $1.address.canonical) })
            }
        }
        return .failure(GrantListingFailure(reason: "more than \(limit) rounds of SCAN"))
    }

    static func decode(_ bytes: [UInt8]) -> Lookup {
        guard bytes.count <= timeRecord.count + 21 + GrantRecords.readLimit else {
            return .malformed("larger than a grant may be")
        }
        guard bytes.starts(with: timeRecord), let end = bytes.firstIndex(of: 0) else {
            return .malformed("no login time")
        }
        let digits = bytes[timeRecord.count..<end]
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ (48...57).contains($0) }),
            let loginTime = Int(String(decoding: digits, as: UTF8.self))
        else { return .malformed("a login time that is not a number") }
        let records = bytes[(end + 1)...]
        guard records.count <= GrantRecords.readLimit else { return .malformed("larger than a grant may be") }
        return .found(GrantBody(copying: Array(records)), loginTime: loginTime)
    }
}
