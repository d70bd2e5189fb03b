import Foundation

/// Real Redis replication with real Sentinel on loopback: a primary and a replica (redis-server,
/// each also on a Unix socket, which is how a host's own checks read), and three sentinels
/// (`redis-server --sentinel`, the program Debian's redis-sentinel runs) watching them as
/// `relay`. The users are those a spec's cluster gets: `writer` (SETEX, ROLE, WAIT on the servers;
/// on the sentinels only the question which server is the primary), `reader` (GET, INFO replication),
/// `replicator` (what replication needs) and `sentinel` (what Sentinel needs); the default user
/// is off everywhere. Everything is stopped and removed when the value goes.
public final class RedisSentinelCluster {
    public let directory: URL
    public let serverPorts: [Int]
    public let sentinelPorts: [Int]
    private var servers: [Spawned?]
    private var sentinels: [Spawned?]

    public static let masterName = "relay"
    /// Sentinel's `down-after-milliseconds`: how long a primary may be silent before a sentinel
    /// thinks it down.
    public static let downAfterMilliseconds = 1000
    /// Sentinel's `failover-timeout`: a sentinel whose election split retries after twice this,
    /// so that even then a failover ends well within the tests' 10 s.
    public static let failoverTimeoutMilliseconds = 3000
    /// RELAY_CTRL_REDIS_STALE_AFTER for the checks: how long a replica is believed without
    /// hearing from its primary (which pings it every second: repl-ping-replica-period 1).
    public static let staleAfterSeconds = 3

    public static let passwords = [
        "writer": "w-secret", "reader": "r-secret", "admin": "a-secret", "replicator": "p-secret",
        "sentinel": "s-secret", "peer": "q-secret",
    ]

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let ports = try LoopbackPorts.block(5)
        serverPorts = Array(ports[0..<2])
        sentinelPorts = Array(ports[2...])
        servers = []
        sentinels = []
        for (user, password) in Self.passwords {
            try Data("\(password)\n".utf8).write(to: directory.appendingPathComponent("\(user).password"))
        }
        for index in serverPorts.indices {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("server\(index)"), withIntermediateDirectories: true)
            try Data(serverConfiguration(index).utf8).write(to: configuration(server: index))
        }
        for index in sentinelPorts.indices {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("sentinel\(index)"), withIntermediateDirectories: true)
            try Data(sentinelConfiguration(index).utf8).write(to: configuration(sentinel: index))
        }
        for index in serverPorts.indices {
            servers.append(nil)
            try start(server: index)
        }
        for index in sentinelPorts.indices {
            sentinels.append(nil)
            try start(sentinel: index)
        }
    }

    deinit {
        for index in servers.indices { stop(server: index) }
        for index in sentinels.indices { stop(sentinel: index) }
        try? FileManager.default.removeItem(at: directory)
    }

    public func socket(server index: Int) -> String {
        directory.appendingPathComponent("server\(index)/redis.sock").path
    }

    public func password(_ user: String) -> String { directory.appendingPathComponent("\(user).password").path }

    /// RELAY_CTRL_REDIS for the login side: the three sentinels.
    public var sentinelURL: String {
        "redis-sentinel://writer@" + sentinelPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",") + "#"
            + Self.masterName
    }

    /// RELAY_CTRL_REDIS for a host's checks: its own server's Unix socket.
    public func localURL(server index: Int) -> String { "unix:\(socket(server: index))?user=reader" }

    private func configuration(server index: Int) -> URL {
        directory.appendingPathComponent("server\(index)/redis.conf")
    }

    private func configuration(sentinel index: Int) -> URL {
        directory.appendingPathComponent("sentinel\(index)/sentinel.conf")
    }

    private func serverConfiguration(_ index: Int) -> String {
        var lines = [
            "port \(serverPorts[index])", "bind 127.0.0.1", "unixsocket \(socket(server: index))",
            "unixsocketperm 700", "save \"\"", "appendonly no",
            "dir \(directory.appendingPathComponent("server\(index)").path)", "user default off",
            "user admin on >a-secret ~* &* +@all",
            "user writer on >w-secret ~relay-ctrl:* resetchannels -@all +setex +role +wait",
            "user reader on >r-secret ~relay-ctrl:* resetchannels -@all +get +info|replication",
            "user replicator on >p-secret resetchannels -@all +psync +replconf +ping",
            "user sentinel on >s-secret allchannels -@all +multi +slaveof +ping +exec +subscribe +config|rewrite"
                + " +role +publish +info +client|setname +client|kill +script|kill",
            "masteruser replicator", "masterauth p-secret", "repl-ping-replica-period 1",
        ]
        if index > 0 { lines.append("replicaof 127.0.0.1 \(serverPorts[0])") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func sentinelConfiguration(_ index: Int) -> String {
        [
            "port \(sentinelPorts[index])", "bind 127.0.0.1",
            "dir \(directory.appendingPathComponent("sentinel\(index)").path)",
            "sentinel monitor \(Self.masterName) 127.0.0.1 \(serverPorts[0]) 2",
            "sentinel down-after-milliseconds \(Self.masterName) \(Self.downAfterMilliseconds)",
            "sentinel failover-timeout \(Self.masterName) \(Self.failoverTimeoutMilliseconds)",
            "sentinel auth-user \(Self.masterName) sentinel", "sentinel auth-pass \(Self.masterName) s-secret",
            "sentinel sentinel-user peer", "sentinel sentinel-pass q-secret", "user default off",
            "user peer on >q-secret allchannels +@all",
            "user writer on >w-secret resetchannels -@all +sentinel|get-master-addr-by-name",
            "user admin on >a-secret allchannels +@all",
        ].joined(separator: "\n") + "\n"
    }

    public func start(server index: Int) throws {
        try? FileManager.default.removeItem(atPath: socket(server: index))
        servers[index] = try Spawned(RedisServer.binary, [configuration(server: index).path, "--logfile", "/dev/null"])
        guard Spawned.waitForFile(socket(server: index)) else { throw POSIXError(.ETIMEDOUT) }
    }

    /// SIGKILL: a host that dies, with no goodbye to its replicas or the sentinels.
    public func stop(server index: Int) {
        servers[index]?.stop()
        servers[index] = nil
    }

    /// SIGSTOP: the server says nothing more and its connections stay open, as when its host is
    /// cut off; `resume` heals it.
    public func pause(server index: Int) { servers[index]?.signal(SIGSTOP) }

    public func resume(server index: Int) { servers[index]?.signal(SIGCONT) }

    public func start(sentinel index: Int) throws {
        sentinels[index] = try Spawned(
            RedisServer.binary, [configuration(sentinel: index).path, "--sentinel", "--logfile", "/dev/null"])
    }

    public func stop(sentinel index: Int) {
        sentinels[index]?.stop()
        sentinels[index] = nil
    }

    /// redis-cli as `user` against a server's Unix socket or a port.
    public func cli(_ user: String, server index: Int, _ arguments: [String]) throws -> String {
        try cli(user, ["-s", socket(server: index)], arguments)
    }

    public func cli(_ user: String, port: Int, _ arguments: [String]) throws -> String {
        try cli(user, ["-h", "127.0.0.1", "-p", String(port)], arguments)
    }

    private func cli(_ user: String, _ target: [String], _ arguments: [String]) throws -> String {
        let result = try runProcess(
            "/usr/bin/redis-cli",
            target + ["--user", user, "--pass", Self.passwords[user] ?? "", "--no-auth-warning"] + arguments)
        return (result.output + result.errors).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Which port the sentinels name as the primary (each asked; nil unless all that answer agree).
    public func primaryPort() throws -> Int? {
        var answers = Set<Int>()
        for port in sentinelPorts {
            let words = try cli("writer", port: port, ["SENTINEL", "get-master-addr-by-name", Self.masterName])
                .split(separator: "\n")
            if words.count == 2, let answer = Int(words[1]) { answers.insert(answer) }
        }
        return answers.count == 1 ? answers.first : nil
    }

    /// Whether each sentinel has heard the others and the replica: a failover needs a majority's
    /// votes, and a sentinel that knows no peers yet waits out the failover timeout instead.
    public func sentinelsAreReady() throws -> Bool {
        for port in sentinelPorts {
            let peers = try cli("admin", port: port, ["SENTINEL", "sentinels", Self.masterName])
            let replicas = try cli("admin", port: port, ["SENTINEL", "replicas", Self.masterName])
            let count = { (text: String) in text.split(separator: "\n").filter { $0 == "ip" }.count }
            guard count(peers) == sentinelPorts.count - 1, count(replicas) == serverPorts.count - 1 else {
                return false
            }
        }
        return true
    }

    /// Waits until `condition` holds, polling every 50 ms, for at most `seconds`; how long it took.
    public static func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if try condition() { return Date().timeIntervalSince(start) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }
}
