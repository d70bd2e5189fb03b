extension Deployment {
    /// What doctor asks of a replicated window on this host, in the tools' own words: its copy as
    /// this host's checks read it (the reader's URL and password file), and the sentinels as this
    /// host's logins ask them (the writer's), each at the loopback port its tunnel gives here.
    public struct ReplicaWatch: Sendable, Equatable {
        public var window: String
        /// RELAY_CTRL_REDIS of this host's checks; nil on a host with no copy.
        public var copyURL: String?
        /// The copy's own loopback port, as the sentinels name it when it is the primary.
        public var copyPort: Int?
        public var readerPasswordFile: String
        /// How long a replica is believed without its primary (RELAY_CTRL_REDIS_STALE_AFTER).
        public var staleAfter: Int
        /// RELAY_CTRL_REDIS of the login side; nil on a host that asks no sentinel (a copy alone).
        public var sentinelURL: String?
        public var writerPasswordFile: String
        public var sentinelCount: Int
        /// Sentinel's quorum: how many must think the primary down before a failover.
        public var quorum: Int

        public init(
            window: String, copyURL: String?, copyPort: Int?, readerPasswordFile: String, staleAfter: Int,
            sentinelURL: String?, writerPasswordFile: String, sentinelCount: Int, quorum: Int
        ) {
            self.window = window
            self.copyURL = copyURL
            self.copyPort = copyPort
            self.readerPasswordFile = readerPasswordFile
            self.staleAfter = staleAfter
            self.sentinelURL = sentinelURL
            self.writerPasswordFile = writerPasswordFile
            self.sentinelCount = sentinelCount
            self.quorum = quorum
        }
    }

    static func replicaWatches(_ spec: Spec, _ replicated: [ReplicatedHost]) -> [ReplicaWatch] {
        replicated.compactMap { hosted in
            guard let redis = spec.window(named: hosted.window)?.redis, let replication = redis.replication else {
                return nil
            }
            guard hosted.copy != nil || hosted.asksSentinels else { return nil }
            return ReplicaWatch(
                window: hosted.window,
                copyURL: hosted.copy.map { _ in redis.url(as: redis.reader.value, role: .reader) },
                copyPort: hosted.copy?.port,
                readerPasswordFile: redis.passwordFile(of: redis.reader.value),
                staleAfter: replication.staleAfter.value.seconds,
                sentinelURL: hosted.asksSentinels ? redis.url(as: redis.writer.value, role: .writer) : nil,
                writerPasswordFile: redis.passwordFile(of: redis.writer.value),
                sentinelCount: replication.sentinels.count,
                quorum: replication.quorum.value)
        }
    }
}
