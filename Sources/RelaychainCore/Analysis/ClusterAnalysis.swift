/// The rules about where grants live when services run on several hosts: a store every service
/// of a window can reach, least privilege between hosts, nothing in clear on the network.
enum ClusterAnalysis {
    static func analyze(_ spec: Spec, _ plan: ChainPlan, into diagnostics: inout [Diagnostic]) {
        directoryStores(spec, plan, into: &diagnostics)
        for window in spec.windows {
            guard let redis = window.redis else { continue }
            leastPrivilege(window, redis, into: &diagnostics)
            // A replicated window's routes are its tunnels' (ReplicationAnalysis).
            if redis.replication == nil { route(window, redis, spec, into: &diagnostics) }
        }
    }

    /// A directory is local to a host: a grant written on one is never seen on another.
    static func directoryStores(_ spec: Spec, _ plan: ChainPlan, into diagnostics: inout [Diagnostic]) {
        guard !spec.hosts.isEmpty else { return }
        for checker in spec.services {
            guard let checks = checker.checks, let window = plan.window(checks), window.redis == nil,
                let host = checker.host?.value
            else { continue }
            let writers = spec.services.filter { plan.window($0.grants)?.store.value == window.store.value }
            guard !writers.isEmpty, !writers.contains(where: { $0.host?.value == host }) else { continue }
            let elsewhere = Set(writers.compactMap { $0.host?.value }).sorted().joined(separator: ", ")
            diagnostics.append(
                .error(
                    .storeOnOtherHost,
                    "service '\(checker.name.value)' on host '\(host)' checks \(window.store.value), but logins "
                        + "record grants there only on \(elsewhere)",
                    at: checks.location,
                    notes: [DiagnosticNote("a directory is local to its host: these grants are never seen")],
                    fix: "give window '\(window.name.value)' a 'redis' store that both hosts reach"))
        }
    }

    /// The SMTP side must not be able to grant: an SMTP host that is broken into stays harmless.
    static func leastPrivilege(_ window: RelayWindow, _ redis: RedisStore, into diagnostics: inout [Diagnostic]) {
        guard redis.writer.value == redis.reader.value else { return }
        diagnostics.append(
            .error(
                .redisReaderCanWrite,
                "window '\(window.name.value)' reads and writes Redis as the same user '\(redis.reader.value)': "
                    + "an SMTP host that is broken into could grant relays",
                at: redis.reader.location ?? window.store.location,
                notes: [
                    DiagnosticNote(
                        "the reader may only GET and the writer only SETEX; relaychain emits their ACL lines")
                ],
                fix: "give 'writer' and 'reader' different users"))
    }

    /// Every service of the window must reach Redis, and never in clear across a network
    /// (the tools speak Redis without TLS): from the Redis host itself, or through spiped.
    static func route(_ window: RelayWindow, _ redis: RedisStore, _ spec: Spec, into diagnostics: inout [Diagnostic]) {
        let name = window.name.value
        let users = spec.services.filter { $0.uses(name) }
        let storeHost = redis.host?.value
        if let spiped = redis.spiped {
            if let host = spec.hosts.first(where: { $0.name.value == storeHost }), host.address == nil,
                users.contains(where: { $0.host?.value != storeHost })
            {
                diagnostics.append(
                    .error(
                        .storeUnreachable,
                        "window '\(name)' reaches Redis through spiped, but host '\(host.name.value)' has no address "
                            + "to reach",
                        at: spiped.port.location ?? redis.host?.location ?? window.name.location,
                        fix: "give host '\(host.name.value)' an 'address'"))
            }
            return
        }
        // Services on another host than Redis's (any host but one, when the spec does not say).
        let remote: [Service]
        if let storeHost {
            remote = users.filter { $0.host?.value != storeHost }
        } else {
            let hosts = Set(users.compactMap { $0.host?.value })
            remote = hosts.count > 1 ? users : []
        }
        if redis.endpoint.isHostLocal {
            let place: String
            switch redis.endpoint {
            case .unix(let socket): place = "the Unix socket \(socket)"
            case .tcp(let address, let port): place = "\(address) port \(port)"
            }
            let fix = "say where redis-server runs ('host') and add 'spiped' to window '\(name)''s redis"
            guard let storeHost else {
                guard !remote.isEmpty else { return }
                let hosts = Set(remote.compactMap { $0.host?.value }).sorted().joined(separator: ", ")
                diagnostics.append(
                    .error(
                        .storeUnreachable,
                        "window '\(name)' keeps its grants in Redis at \(place), which only one host reaches, "
                            + "but its services run on \(hosts)",
                        at: window.store.location, fix: fix))
                return
            }
            var reported: Set<String> = []
            for service in remote {
                guard let host = service.host?.value, let reference = service.grants ?? service.checks,
                    reported.insert(host).inserted
                else { continue }
                diagnostics.append(
                    .error(
                        .storeUnreachable,
                        "service '\(service.name.value)' on host '\(host)' uses window '\(name)', whose Redis is "
                            + "\(place), which only host '\(storeHost)' reaches",
                        at: reference.location,
                        notes: [DiagnosticNote("its grants are never seen there, or its logins never recorded")],
                        fix: fix))
            }
            return
        }
        // Over TCP to a non-loopback address: in clear, unless every service runs on Redis's host.
        guard case .tcp(let address, _) = redis.endpoint,
            storeHost == nil || users.contains(where: { $0.host?.value != storeHost })
        else { return }
        diagnostics.append(
            .warning(
                .redisInClear,
                "window '\(name)' reaches Redis at \(address) over TCP: its password and every grant cross the "
                    + "network in clear",
                at: window.store.location,
                notes: [DiagnosticNote("the runtime tools speak Redis without TLS")],
                fix:
                    "add 'host' (where redis-server runs) and 'spiped' to the window's redis: the other hosts then "
                    + "reach it encrypted"))
    }
}
