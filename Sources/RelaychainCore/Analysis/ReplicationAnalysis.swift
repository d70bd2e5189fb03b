/// The rules of a replicated window's topology: sentinels that can still agree when any one
/// host is gone, no link in clear, every copy and sentinel reachable, every check served by a
/// copy on its own host.
enum ReplicationAnalysis {
    static func analyze(_ spec: Spec, into diagnostics: inout [Diagnostic]) {
        for window in spec.windows {
            guard let redis = window.redis, let replication = redis.replication, let primary = redis.host else {
                continue
            }
            agreement(window, replication, into: &diagnostics)
            if redis.spiped == nil {
                diagnostics.append(
                    .error(
                        .replicationInClear,
                        "window '\(window.name.value)' replicates Redis between hosts without 'spiped': "
                            + "replication, Sentinel and the writer's password would cross the network in clear",
                        at: replication.location ?? window.store.location,
                        notes: [DiagnosticNote("the tools and this Redis traffic have no TLS of their own")],
                        fix: "add 'spiped: {}' to the window's redis: its tunnels carry every port between hosts"))
            }
            reachable(window, replication, primary: primary, spec, into: &diagnostics)
            if redis.admin == nil {
                diagnostics.append(
                    .error(
                        .replicatedDefaultUser,
                        "window '\(window.name.value)' replicates Redis but names no 'admin': setup would set the "
                            + "users as Redis's default user, which every account of every host reaches through "
                            + "the tunnels",
                        at: replication.location ?? window.store.location,
                        notes: [
                            DiagnosticNote(
                                "Debian's default user has no password and every command: it could write grants")
                        ],
                        fix: "add 'admin:' (a Redis user with its password) and turn the default user off"))
            }
        }
    }

    /// Sentinel needs a quorum to call the primary down and a majority of all sentinels to
    /// promote a replica; both must survive the loss of any one host (each runs one sentinel).
    static func agreement(_ window: RelayWindow, _ replication: RedisReplication, into diagnostics: inout [Diagnostic])
    {
        let count = replication.sentinels.count
        let place = replication.sentinels.first?.location ?? replication.location ?? window.store.location
        if count < 3 {
            diagnostics.append(
                .error(
                    .sentinelsCannotAgree,
                    "window '\(window.name.value)' has "
                        + (count == 1
                            ? "one sentinel: with its host gone, none is left to promote a replica"
                            : "two sentinels: with one host gone, the one left is not a majority and cannot promote "
                                + "a replica"),
                    at: place,
                    notes: [DiagnosticNote("a failover needs a majority of all sentinels")],
                    fix: "run sentinels on at least three hosts"))
            return
        }
        let quorum = replication.quorum
        guard quorum.value > count - 1 else { return }
        diagnostics.append(
            .error(
                .sentinelsCannotAgree,
                "window '\(window.name.value)' needs all \(count) sentinels to agree its primary is down "
                    + "(quorum \(quorum.value)): when the primary's host is lost, its sentinel is too",
                at: quorum.location ?? place, fix: "set 'quorum' to \(count / 2 + 1) or less"))
    }

    /// Tunnels reach a host at its address; a check reads the copy on its own host.
    static func reachable(
        _ window: RelayWindow, _ replication: RedisReplication, primary: Located<String>, _ spec: Spec,
        into diagnostics: inout [Diagnostic]
    ) {
        let addressed = Set(spec.hosts.filter { $0.address != nil }.map(\.name.value))
        let declared = Set(spec.hosts.map(\.name.value))
        let named: [(what: String, host: Located<String>)] =
            [("the primary", primary)] + replication.replicas.map { ("a replica", $0) }
            + replication.sentinels.map { ("a sentinel", $0) }
        var reported: Set<String> = []
        for (what, host) in named
        where declared.contains(host.value) && !addressed.contains(host.value) && reported.insert(host.value).inserted {
            diagnostics.append(
                .error(
                    .copyUnreachable,
                    "host '\(host.value)' runs \(what) of window '\(window.name.value)' but has no address: the "
                        + "other hosts' tunnels cannot reach it",
                    at: host.location ?? replication.location ?? window.store.location,
                    fix: "give host '\(host.value)' an 'address'"))
        }
        let copies = Set(replication.dataHosts(primary: primary.value))
        var seen: Set<String> = []
        for service in spec.services {
            guard let checks = service.checks, checks.value == window.name.value, let host = service.host?.value,
                !copies.contains(host), seen.insert(host).inserted
            else { continue }
            diagnostics.append(
                .error(
                    .copyUnreachable,
                    "service '\(service.name.value)' on host '\(host)' checks window '\(window.name.value)', but "
                        + "'\(host)' holds no copy of its Redis to read",
                    at: checks.location,
                    notes: [DiagnosticNote("checks read the copy on their own host: no network on the SMTP path")],
                    fix: "add '\(host)' to 'replicas'"))
        }
    }
}
