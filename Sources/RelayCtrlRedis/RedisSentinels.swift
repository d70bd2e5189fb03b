import CRelayLibc

#if hasFeature(Embedded)
    import RelayCtrlCoreEmbedded
#else
    import RelayCtrlCore
#endif

/// Which server is the primary, asked of Redis Sentinel: `SENTINEL get-master-addr-by-name`, of
/// each sentinel in turn until one answers, each within its share of what is left of the tool's
/// one deadline (so a sentinel that never answers cannot use up the time of the next). The
/// sentinels are asked as the URL's user with its password: the spec gives that user nothing on a
/// sentinel but this question. Whoever is named must still say ROLE master to the writer
/// (RedisGrants), since a sentinel cut off from the others can name a primary that no longer is.
enum RedisSentinels {
    static func primary(
        of master: String, asking sentinels: [RedisLocation.Sentinel], _ settings: RedisSettings, deadline: Double
    ) -> Result<RedisLocation.Endpoint, RedisFailure> {
        var reasons: [String] = []
        for (index, sentinel) in sentinels.enumerated() {
            let left = deadline - RedisConnection.now()
            guard left > 0 else {
                reasons.append("no time left for \(describe(sentinel))")
                break
            }
            let share = RedisConnection.now() + left / Double(sentinels.count - index)
            switch ask(sentinel, master: master, settings, deadline: share) {
            case .success(let endpoint): return .success(endpoint)
            case .failure(let reason): reasons.append("\(describe(sentinel)) \(reason)")
            }
        }
        var failure = RedisFailure("no sentinel named the primary of \(master) (\(reasons.joined(separator: "; ")))")
        failure.fromSentinels = true
        return .failure(failure)
    }

    static func describe(_ sentinel: RedisLocation.Sentinel) -> String {
        sentinel.address.utf8.contains(UInt8(ascii: ":"))
            ? "sentinel [\(sentinel.address)]:\(sentinel.port)" : "sentinel \(sentinel.address):\(sentinel.port)"
    }

    static func ask(
        _ sentinel: RedisLocation.Sentinel, master: String, _ settings: RedisSettings, deadline: Double
    ) -> Result<RedisLocation.Endpoint, RedisFailure> {
        let connection: RedisConnection
        switch RedisConnection.open(.tcp(address: sentinel.address, port: sentinel.port), deadline: deadline) {
        case .success(let opened): connection = opened
        case .failure(let reason): return .failure(reason)
        }
        // AUTH, never SELECT: a sentinel has no databases.
        var commands = RedisGrants.auth(settings).map { [$0] } ?? []
        commands.append([Array("SENTINEL".utf8), Array("get-master-addr-by-name".utf8), Array(master.utf8)])
        let replies: [RedisReply]
        switch connection.run(commands) {
        case .success(let answered): replies = answered
        case .failure(let reason): return .failure(reason)
        }
        for reply in replies {
            if case .error(let text) = reply { return .failure("refused: \(printable(text))") }
        }
        switch replies.last {
        case .array(let parts)?:
            guard parts.count == 2, case .bulk(let address) = parts[0], case .bulk(let port) = parts[1],
                let number = RedisLocation.number(port[...], limit: 65_535), number > 0
            else { return .failure("answered with something other than an address and a port") }
            let text = String(decoding: address, as: UTF8.self)
            // An address, as every address the tools use: a name would need the resolver.
            guard RedisLocation.isAddress(text) else {
                return .failure("named '\(printable(address))', not an address")
            }
            return .success(.tcp(address: text, port: Int32(number)))
        case .missing?: return .failure("does not know \(master)")
        default: return .failure("answered with something other than an address and a port")
        }
    }
}
