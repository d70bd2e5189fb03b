import CRelayLibc

#if hasFeature(Embedded)
    import RelayCtrlCoreEmbedded
#else
    import RelayCtrlCore
#endif

/// The writer's SETEX, within the tool's one deadline. Behind sentinels it is tried again while
/// time is left when the server they named is gone or is not the primary: during a failover they
/// name the old primary until they switch, and a login a second before the switch should still
/// find the new one.
extension RedisGrants {
    /// What became of a grant the writer sent.
    enum Written: Equatable {
        case written
        /// On the primary, but fewer replicas than RELAY_CTRL_REDIS_WAIT said so in time: a
        /// failover now could lose it (never grant one: a lost grant costs a login).
        case unreplicated(acknowledged: Int, wanted: Int)
        case failed(String)
    }

    /// One try: done, or failed before the SETEX was answered in a way a failover explains.
    enum Attempt: Equatable {
        case done(Written)
        case again(String)
    }

    /// How much of the deadline a WAIT leaves for Redis's late answer to come back.
    static let waitMargin = 120
    /// The pause before the sentinels are asked again, and the least time a try needs after it.
    static let retryPause = 100
    static let retryLeast = 200

    /// Records a grant that Redis itself forgets after `window` seconds. With sentinels, the
    /// server they name must answer ROLE master in the same pipeline (a replica would refuse the
    /// SETEX anyway; the ROLE says why); with RELAY_CTRL_REDIS_WAIT, WAIT follows the SETEX.
    static func store(
        _ settings: RedisSettings, _ address: ClientAddress, records: [GrantRecord], window: Int, now: Int
    ) -> Written {
        let set = [
            Array("SETEX".utf8), key(settings, address), Array(String(window).utf8),
            value(records: records, loginTime: now),
        ]
        let deadline = RedisConnection.now() + Double(settings.timeoutMilliseconds) / 1000
        while true {
            switch attempt(settings, set, deadline: deadline) {
            case .done(let written): return written
            case .again(let reason):
                let left = Int((deadline - RedisConnection.now()) * 1000)
                guard left >= retryPause + retryLeast else { return .failed(reason) }
                usleep(UInt32(retryPause) * 1000)
            }
        }
    }

    /// One SETEX (after ROLE behind sentinels, before WAIT when asked) on the primary.
    static func attempt(_ settings: RedisSettings, _ set: [[UInt8]], deadline: Double) -> Attempt {
        let behindSentinels = { if case .sentinels = settings.endpoint { true } else { false } }()
        let connection: RedisConnection
        switch RedisConnection.openPrimary(settings, deadline: deadline) {
        case .failure(let reason) where behindSentinels && !reason.fromSentinels: return .again(reason.description)
        case .failure(let reason): return .done(.failed(reason.description))
        case .success(let opened): connection = opened
        }
        var pipeline = commands(settings, set)
        if behindSentinels { pipeline.insert([Array("ROLE".utf8)], at: pipeline.count - 1) }
        if settings.waitReplicas > 0 {
            // What is left of the deadline, less a margin: Redis answers a WAIT its replicas leave
            // unconfirmed on its next timer tick, up to 100 ms late (hz 10), and then the reply travels.
            let milliseconds = max(1, Int(connection.remainingMilliseconds) - waitMargin)
            pipeline.append([
                Array("WAIT".utf8), Array(String(settings.waitReplicas).utf8), Array(String(milliseconds).utf8),
            ])
        }
        let exchanged = connection.exchange(pipeline)
        var replies = exchanged.replies
        var acknowledged: RedisConnection.Reply?
        switch exchanged.failure {
        case nil: acknowledged = settings.waitReplicas > 0 ? replies.removeLast() : nil
        // Everything but the WAIT answered: the grant is on the primary, and no replica said so in time.
        case _? where settings.waitReplicas > 0 && replies.count == pipeline.count - 1: acknowledged = .integer(0)
        // Hung up on before any answer: spiped in front of a primary that is down does that at once.
        case let failure? where behindSentinels && replies.isEmpty: return .again(failure.description)
        case let failure?: return .done(.failed(failure.description))
        }
        if behindSentinels, replies.count >= 2, let problem = notPrimary(replies[replies.count - 2]) {
            return .again(problem)
        }
        switch outcome(replies) {
        case .failure(let reason): return .done(.failed(reason.description))
        case .success(.status(let text)) where text == Array("OK".utf8): break
        case .success: return .done(.failed("Redis did not answer OK to SETEX"))
        }
        switch acknowledged {
        case nil: return .done(.written)
        case .integer(let count)? where count >= settings.waitReplicas: return .done(.written)
        case .integer(let count)?: return .done(.unreplicated(acknowledged: count, wanted: settings.waitReplicas))
        case .error(let text)?: return .done(.failed("Redis refused WAIT: \(printable(text))"))
        default: return .done(.failed("Redis did not answer WAIT with a number"))
        }
    }

    /// Why the server the sentinels named is not the one to write to, or nil when it says ROLE master.
    static func notPrimary(_ role: RedisConnection.Reply) -> String? {
        switch role {
        case .array(let parts):
            guard case .bulk(let name)? = parts.first else { break }
            return name == Array("master".utf8)
                ? nil : "the server the sentinels named is not the primary (ROLE \(printable(name)))"
        case .error(let text): return "Redis refused ROLE: \(printable(text))"
        default: break
        }
        return "the server the sentinels named answered ROLE with no role"
    }
}
