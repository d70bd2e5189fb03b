import Foundation
import RelayCtrlRedis
import RelaychainCore

/// What doctor checks of a replicated window on the host, with the tools' own client: that the
/// host's copy answers and may be believed, that a majority of the sentinels answer here, that
/// they name one primary, and that the copy follows it.
extension HostDoctor {
    mutating func checkReplicas() {
        for watch in deployment.replicaWatches {
            let window = watch.window
            var named: Int?
            if let url = watch.sentinelURL {
                named = checkSentinels(watch, url)
            }
            guard let url = watch.copyURL else { continue }
            let service = RedisReplication.copyService(window: window)
            let what =
                "this host's copy of window '\(window)' answers its checks and may be believed (the primary, or a "
                + "replica that heard from it within \(watch.staleAfter)s)"
            let copy = settings(url, watch.readerPasswordFile).flatMap(RedisReplicaHealth.copy)
            switch copy {
            case .failure(let failure):
                add(
                    "replica-copy:\(window)", what, false, failure.reason,
                    fix: .advice("start service \(service) (its log says why it stops), then run doctor again"))
            case .success(let found):
                let problem = found.freshness.problem(bound: watch.staleAfter)
                add(
                    "replica-copy:\(window)", what, problem == nil, problem ?? "",
                    fix: .advice(
                        "see that the tunnel to the primary is up and the replication user's password file is the "
                            + "same on every host; service \(service)'s log says why the link is down"))
                guard let named else { continue }
                let follows = found.freshness.role == .primary ? watch.copyPort : found.primaryPort
                add(
                    "replica-follows:\(window)",
                    "this host's copy of window '\(window)' is, or follows, the primary the sentinels name "
                        + "(port \(named))", follows == named,
                    found.freshness.role == .primary
                        ? "it is a primary itself (port \(watch.copyPort ?? 0)): a copy restarted after a failover "
                            + "is one until the sentinels make it a replica (some 10 s)"
                        : "it follows port \(follows.map(String.init) ?? "none")",
                    fix: .advice("wait some 10 s and run doctor again; if it stays, restart service \(service)"))
            }
        }
    }

    /// The sentinels as this host's logins ask them; the one primary they name, when they agree.
    private mutating func checkSentinels(_ watch: Deployment.ReplicaWatch, _ url: String) -> Int? {
        let window = watch.window
        // A failover needs the quorum to find the primary down, then a majority's votes.
        let needed = max(watch.quorum, watch.sentinelCount / 2 + 1)
        let answers: [RedisReplicaHealth.Answer]
        switch settings(url, watch.writerPasswordFile) {
        case .failure(let failure):
            add(
                "replica-sentinels:\(window)", "the sentinels of window '\(window)' can be asked here", false,
                failure.reason, fix: setupFix)
            return nil
        case .success(let settings): answers = RedisReplicaHealth.sentinels(settings)
        }
        var ports: [Int: [String]] = [:]
        var silent: [String] = []
        for answer in answers {
            switch answer.primary {
            case .success(let port): ports[port, default: []].append(answer.sentinel)
            case .failure(let failure): silent.append("\(answer.sentinel) \(failure.reason)")
            }
        }
        let answered = answers.count - silent.count
        add(
            "replica-sentinels:\(window)",
            "\(needed) of window '\(window)''s \(watch.sentinelCount) sentinels answer here (a failover needs "
                + "the quorum, \(watch.quorum), to find the primary down and a majority's votes)", answered >= needed,
            "\(answered) answer: \(silent.joined(separator: "; "))",
            fix: .advice(
                "start service \(RedisReplication.sentinelService(window: window)) on the hosts that do not "
                    + "answer, and the tunnels to them (spiped-\(window)-<host>-sentinel)"))
        let what = "the sentinels of window '\(window)' that answer here name one primary"
        guard !ports.isEmpty else {
            skip(("replica-primary:\(window)", what), "no sentinel answers")
            return nil
        }
        let named = ports.keys.sorted().map { "port \($0) by \(ports[$0]!.joined(separator: ", "))" }
        add(
            "replica-primary:\(window)", what, ports.count == 1, "named: \(named.joined(separator: "; "))",
            fix: .advice(
                "a sentinel cut off from the others names an old primary: see that every sentinel's tunnel is up "
                    + "(a login writes only to a server that says ROLE master, so no grant goes astray)"))
        return ports.count == 1 ? ports.keys.first : nil
    }

    /// The tools' settings from the words their run scripts give them; the password file only when
    /// it is a file (not a link) of root's or of the account it is for, since doctor reads it as root.
    private func settings(_ url: String, _ passwordFile: String) -> Result<RedisSettings, RedisReplicaHealth.Failure> {
        var status = stat()
        let account = deployment.passwordFiles.first { $0.path == passwordFile }?.account
        let allowed: Set<uid_t> = [0, account.flatMap { ids($0)?.uid } ?? 0]
        guard lstat(passwordFile, &status) == 0, status.st_mode & S_IFMT == S_IFREG, allowed.contains(status.st_uid)
        else {
            return .failure(
                .init(reason: "\(passwordFile) is not a file of root's or its account's: doctor does not read it"))
        }
        return RedisSettings.settings(url: url, passwordFile: passwordFile, prefix: RedisSettings.defaultPrefix)
            .mapError { .init(reason: $0.description) }
    }
}
