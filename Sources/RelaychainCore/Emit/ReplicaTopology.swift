/// A replicated window as one host of the cluster runs it: its copy of Redis, its sentinel, and
/// the spiped tunnels that put every other copy and sentinel at the same loopback port here as
/// on its own host.
struct ReplicatedHost: Sendable, Equatable {
    struct Copy: Sendable, Equatable {
        var port: Int
        /// The first primary's port, for a replica; nil on the first primary.
        var replicaOf: Int?
    }

    struct Sentinel: Sendable, Equatable {
        var port: Int
        /// Where the first primary is: the sentinels learn any later one themselves.
        var primaryPort: Int
    }

    var window: String
    var copy: Copy?
    var sentinel: Sentinel?
    /// Whether this host asks the sentinels (a sentinel's host, or one that logs users in).
    var asksSentinels = false
    var ends: [SpipedEnd]
}

enum ReplicaTopology {
    /// Connections a tunnel end keeps beside what the host's logins need: replication's link,
    /// Sentinel's two per server and one per peer, redis-cli by hand.
    static let overhead = 8

    /// What `host` runs for the window; nil when it has no part in it.
    static func part(_ window: RelayWindow, on host: String, in spec: Spec) -> ReplicatedHost? {
        guard let redis = window.redis, let replication = redis.replication, let spiped = redis.spiped,
            let primary = redis.host?.value, case .tcp(_, let base) = redis.endpoint
        else { return nil }
        let name = window.name.value
        let data = replication.dataHosts(primary: primary)
        let sentinels = replication.sentinels.map(\.value)
        let logins = Set(spec.services.filter { $0.grants?.value == name }.compactMap { $0.host?.value })
        let checks = Set(spec.services.filter { $0.checks?.value == name }.compactMap { $0.host?.value })
        let involved = Set(data).union(sentinels).union(logins).union(checks)
        guard involved.contains(host) else { return nil }
        let address = { (host: String) in spec.hosts.first { $0.name.value == host }?.address?.value }
        // Every host of the window reaches every copy (a sentinel or a login may need any as the
        // primary); sentinels reach each other, and logins ask them.
        let needsSentinels = { (host: String) in sentinels.contains(host) || logins.contains(host) }
        let clientConnections = { (host: String) in
            Spiped.connections(of: spec.services.filter { $0.host?.value == host && $0.grants?.value == name })
                + overhead
        }
        var part = ReplicatedHost(window: name, asksSentinels: needsSentinels(host), ends: [])
        // This host's end of the tunnels that bring the other hosts to its copy or its sentinel.
        let serve = { (listen: String, peers: [String], carries: SpipedEnd.Carried, port: Int) in
            part.ends.append(
                SpipedEnd(
                    window: name,
                    side: .copyServer(
                        listen: listen, peers: peers.compactMap(address), carries: carries, loopbackPort: port),
                    spiped: spiped, endpoint: redis.endpoint,
                    connections: peers.map(clientConnections).reduce(0, +)))
        }
        if let port = replication.serverPort(of: host, primary: primary, base: base), let listen = address(host) {
            part.copy = .init(port: port, replicaOf: host == primary ? nil : base)
            serve(listen, involved.subtracting([host]).sorted(), .redis, port)
        }
        if let port = replication.sentinelPort(of: host), let listen = address(host) {
            part.sentinel = .init(port: port, primaryPort: base)
            serve(listen, involved.filter { $0 != host && needsSentinels($0) }.sorted(), .sentinel, port)
        }
        var remote: [(host: String, carries: SpipedEnd.Carried, port: Int)] = []
        for other in data where other != host {
            if let port = replication.serverPort(of: other, primary: primary, base: base) {
                remote.append((other, .redis, port))
            }
        }
        if needsSentinels(host) {
            for other in sentinels where other != host {
                if let port = replication.sentinelPort(of: other) { remote.append((other, .sentinel, port)) }
            }
        }
        for (other, carries, port) in remote {
            guard let target = address(other) else { continue }
            part.ends.append(
                SpipedEnd(
                    window: name,
                    side: .copyClient(host: other, address: target, carries: carries, loopbackPort: port),
                    spiped: spiped, endpoint: redis.endpoint, connections: clientConnections(host)))
        }
        return part
    }
}
