/// Copies of a window's Redis on several hosts of a cluster, and the sentinels that choose the
/// primary: `redis: { host: store1, replication: { replicas: [mx1, mx2], sentinels: [...] } }`.
///
/// Every copy and every sentinel is reached at the same loopback address on every host: the
/// host's own server or sentinel there, another host's through a spiped tunnel on that port.
/// So what a sentinel announces (127.0.0.1 and a port) names one server everywhere, and no
/// Redis or Sentinel connection leaves a host in clear.
public struct RedisReplication: Sendable, Equatable {
    /// The hosts that hold a replica, in the spec's order (the primary, `redis: {host}`, is not one).
    public var replicas: [Located<String>]
    /// The hosts that run a sentinel.
    public var sentinels: [Located<String>]
    /// Sentinel's name for the set of servers (`sentinel monitor <master>`); default the window's.
    public var master: Located<String>
    /// Sentinels that must agree the primary is down; default a majority of them.
    public var quorum: Located<Int>
    /// How long the primary may be silent before a sentinel calls it down.
    public var downAfter: Located<WindowLength>
    public var failoverTimeout: Located<WindowLength>
    /// How long a replica that lost its primary is still believed by the host's checks.
    public var staleAfter: Located<WindowLength>
    /// Replicas each grant must reach before relay-ctrl-allow calls it written (`WAIT`); 0: none.
    public var wait: Located<Int>
    /// Each copy's Unix socket on its own host, which that host's checks read.
    public var socket: String
    /// The loopback port of the first sentinel; each next sentinel host takes the next port.
    public var sentinelPort: Located<Int>
    /// The user each replica connects to its primary as (`masteruser`): replication's commands only.
    public var replicationUser: Located<String>
    /// The user sentinels connect as, to the servers and to each other.
    public var sentinelUser: Located<String>
    /// Where `replication:` was written.
    public var location: SourceLocation?

    /// The copy's socket, in a directory its run script makes for the copy and the SMTP account.
    public static func socket(window: String) -> String { "\(socketDirectory(window: window))/redis.sock" }

    public static func socketDirectory(window: String) -> String { "\(Spiped.socketDirectory)/\(window)-copy" }
    /// The supervised services of a host's copy and of its sentinel (doctor names them in its fixes).
    public static func copyService(window: String) -> String { "redis-\(window)" }
    public static func sentinelService(window: String) -> String { "sentinel-\(window)" }
    public static let defaultSentinelPort = 26_379
    public static let defaultReplicationUser = "relay-replication"
    public static let defaultSentinelUser = "relay-sentinel"
    public static let defaultDownAfter = WindowLength(seconds: 5)
    public static let defaultFailoverTimeout = WindowLength(seconds: 60)
    public static let defaultStaleAfter = WindowLength(seconds: 10)
    /// The login side's RELAY_CTRL_REDIS_TIMEOUT when the spec sets none: it asks a sentinel,
    /// then the primary, each through a spiped connection of its own, and waits for a replica.
    /// spiped listens with a queue of 10; at 20 logins at once a connection that overflows it
    /// waits for TCP's retry, 1 s later (1 in 200 in e2e/replicated-cluster). A login can wait.
    public static let defaultWriterTimeout = 2000

    /// The hosts that hold a copy: the primary first, then the replicas.
    public func dataHosts(primary: String) -> [String] { [primary] + replicas.map(\.value) }

    /// The loopback port of `host`'s server: the primary's as the spec says, then one more for each
    /// replica, in order; nil for a host without a copy.
    public func serverPort(of host: String, primary: String, base: Int) -> Int? {
        dataHosts(primary: primary).firstIndex(of: host).map { base + $0 }
    }

    /// The loopback port of `host`'s sentinel; nil for a host without one.
    public func sentinelPort(of host: String) -> Int? {
        sentinels.firstIndex { $0.value == host }.map { sentinelPort.value + $0 }
    }

    /// The sentinels as relay-ctrl-allow reaches them: loopback, a port each.
    public var sentinelAddresses: [String] {
        sentinels.indices.map { "127.0.0.1:\(sentinelPort.value + $0)" }
    }
}
