#if !hasFeature(Embedded)
    import RelayCtrlCore

    /// What `relaychain doctor` asks of a replicated window, with the tools' own client, users
    /// and deadline: a host's copy as its checks read it, and each sentinel as the login side asks
    /// it. Not in the tools' build: only the compiler's CLI asks this.
    public enum RedisReplicaHealth {
        /// A copy's own account of its replication.
        public struct Copy: Equatable, Sendable {
            public var freshness: ReplicaFreshness
            /// The primary's port a replica follows (`master_port`); nil on a primary.
            public var primaryPort: Int?
        }

        /// One sentinel's answer: the primary's port, or why it gave none.
        public struct Answer: Equatable, Sendable {
            public var sentinel: String
            public var primary: Result<Int, Failure>
        }

        public struct Failure: Error, Equatable, Sendable {
            public var reason: String

            public init(reason: String) { self.reason = reason }
        }

        /// INFO replication of the one server the settings name (as the reader, on a copy's socket).
        public static func copy(_ settings: RedisSettings) -> Result<Copy, Failure> {
            let connection: RedisConnection
            switch RedisConnection.open(settings) {
            case .failure(let reason): return .failure(Failure(reason: reason.description))
            case .success(let opened): connection = opened
            }
            let pipeline = RedisGrants.commands(settings, [Array("INFO".utf8), Array("replication".utf8)])
            let replies: [RedisReply]
            switch connection.run(pipeline) {
            case .failure(let reason): return .failure(Failure(reason: reason.description))
            case .success(let answered): replies = answered
            }
            switch RedisGrants.outcome(replies) {
            case .failure(let reason): return .failure(Failure(reason: reason.description))
            case .success(.bulk(let text)):
                var port: Int?
                for line in text.split(separator: UInt8(ascii: "\n")) where line.starts(with: "master_port:".utf8) {
                    port = RedisReply.integer(line.dropFirst(12).filter { $0 != UInt8(ascii: "\r") })
                }
                return .success(Copy(freshness: ReplicaFreshness(info: text), primaryPort: port))
            case .success: return .failure(Failure(reason: "Redis did not answer INFO with its text"))
            }
        }

        /// Every sentinel of a `redis-sentinel://` URL asked in turn, each within the whole timeout.
        public static func sentinels(_ settings: RedisSettings) -> [Answer] {
            guard case .sentinels(let sentinels, let master) = settings.endpoint else { return [] }
            return sentinels.map { sentinel in
                let deadline = RedisConnection.now() + Double(settings.timeoutMilliseconds) / 1000
                let answer = RedisSentinels.ask(sentinel, master: master, settings, deadline: deadline)
                switch answer {
                case .success(.tcp(_, let port)):
                    return Answer(sentinel: RedisSentinels.describe(sentinel), primary: .success(Int(port)))
                case .success:
                    return Answer(
                        sentinel: RedisSentinels.describe(sentinel),
                        primary: .failure(Failure(reason: "named no TCP address")))
                case .failure(let reason):
                    return Answer(
                        sentinel: RedisSentinels.describe(sentinel),
                        primary: .failure(Failure(reason: reason.description)))
                }
            }
        }
    }
#endif
