/// What one host runs, as a spec of its own (its services; the windows it reaches through
/// spiped pointing at spiped's socket) and the spiped ends it needs.
struct HostPart {
    var spec: Spec
    var spipedEnds: [SpipedEnd]
    /// The copies of Redis and the sentinels this host runs for replicated windows.
    var replicated: [ReplicatedHost] = []
}

/// What a build makes for one host: the files of its directory and what setup does with them.
public struct HostPlan: Sendable {
    /// The host's name in a cluster spec; nil for a spec without hosts.
    public var name: String?
    /// What the host runs, services and windows in canonical (name) order.
    public var spec: Spec
    /// Relative to the host's own output directory (`<output>/<name>` in a cluster).
    public var files: [OutputFile]
    public var deployment: Deployment
}

/// Everything a build makes: each host's part, and the files of no single host (the Redis
/// ACLs of a cluster, under `redis/`).
public struct BuildPlan: Sendable {
    public var hosts: [HostPlan]
    public var shared: [OutputFile]

    /// Every file as build writes it, host directories included, sorted by path.
    public var files: [OutputFile] {
        let placed = hosts.flatMap { host in
            host.files.map { file in
                guard let name = host.name else { return file }
                var placed = file
                placed.output = .onHost(name, file.output)
                return placed
            }
        }
        return (placed + shared).sorted { $0.path < $1.path }
    }

    public func host(named name: String) -> HostPlan? {
        hosts.first { $0.name == name }
    }
}
