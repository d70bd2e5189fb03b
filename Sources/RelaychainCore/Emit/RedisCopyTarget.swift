/// A replicated window's copy of Redis and its sentinel on one host, as supervised services of
/// relaychain's own (not the Redis package's service): each reads its configuration from its
/// service directory, and its run script adds the secrets from the password files at start, so
/// that the output holds none. The copy gets them on its standard input (`redis-server FILE -`);
/// Sentinel must rewrite a file of its own, so its run script writes that file as the Redis
/// account, keeping the primary Sentinel last knew.
struct RedisCopyTarget {
    let spec: Spec
    let header: String

    func files(_ hosted: ReplicatedHost) -> [OutputFile] {
        guard let window = spec.window(named: hosted.window), let redis = window.redis,
            let replication = redis.replication, let supervisor = redis.spiped?.runBy.value
        else { return [] }
        let logs = SupervisorTarget(plan: ChainPlan(spec: spec), header: header)
        // A service directory: the server's configuration beside its run script, and its log.
        let service = { (name: String, configuration: String, contents: String, run: String) in
            [
                OutputFile(.serviceConfig(service: name, name: configuration), contents: contents),
                OutputFile(.runScript(service: name), contents: run, executable: true),
                logs.logRun(name, supervisor),
            ]
        }
        var files: [OutputFile] = []
        if let copy = hosted.copy {
            files += service(
                RedisReplication.copyService(window: hosted.window), "redis.conf",
                serverConfiguration(hosted.window, copy, replication),
                copyRun(hosted.window, copy, hosted.sentinel != nil, redis, replication, supervisor))
        }
        if let sentinel = hosted.sentinel {
            files += service(
                RedisReplication.sentinelService(window: hosted.window), "sentinel.conf",
                sentinelConfiguration(hosted.window, sentinel, replication),
                sentinelRun(hosted.window, sentinel, redis, replication, supervisor))
        }
        return files
    }

    func dataDirectory(_ window: String) -> String { "\(spec.platform.stateDirectory)/redis-\(window)" }
    func sentinelDirectory(_ window: String) -> String { "\(spec.platform.stateDirectory)/sentinel-\(window)" }

    private func serverConfiguration(
        _ window: String, _ copy: ReplicatedHost.Copy, _ replication: RedisReplication
    ) -> String {
        var text = "\(header)\n"
        text += "# Window '\(window)': this host's copy of Redis, "
        text +=
            copy.replicaOf.map { "at first a replica of the primary at 127.0.0.1 port \($0)" } ?? "the first primary"
        text += ".\n# Service \(RedisReplication.copyService(window: window)) runs redis-server on this file; "
        text += "its run script adds the users,\n# masterauth from the password files and the primary to follow. "
        text += "Every copy is at its own loopback port on "
        text += "every host (spiped\n# carries it between hosts), so the address a sentinel announces is the same "
        text += "everywhere.\n"
        let lines = [
            "port \(copy.port)", "bind 127.0.0.1", "unixsocket \(replication.socket)", "unixsocketperm 660",
            "dir \(dataDirectory(window))", "replica-announce-ip 127.0.0.1", "replica-announce-port \(copy.port)",
            "masteruser \(replication.replicationUser.value)",
            // A replica cut off keeps answering: the checks, not Redis, decide when it is too stale.
            "replica-serve-stale-data yes", "replica-read-only yes", "repl-ping-replica-period 1",
            // A supervisor starts a crashed copy again within a second, before the sentinels call it
            // down: a primary started again empty would have every replica drop every grant. Each
            // write reaches the file before its reply, so a crash of the process loses none.
            "# A copy its supervisor starts again after a crash comes back with every grant it answered.",
            "appendonly yes", "appendfsync everysec",
        ]
        text += lines.map { "\($0)\n" }.joined()
        return text
    }

    private func sentinelConfiguration(
        _ window: String, _ sentinel: ReplicatedHost.Sentinel, _ replication: RedisReplication
    ) -> String {
        let master = replication.master.value
        var text = "\(header)\n"
        text += "# Window '\(window)': this host's sentinel. Service "
        text += "\(RedisReplication.sentinelService(window: window)) writes its state file from this one\n"
        text += "# and the password files, keeping the primary it last knew, then runs "
        text += "redis-server --sentinel on it.\n"
        let lines = [
            "port \(sentinel.port)", "bind 127.0.0.1", "dir \(sentinelDirectory(window))",
            "sentinel resolve-hostnames no", "sentinel announce-ip 127.0.0.1",
            "sentinel announce-port \(sentinel.port)",
            "sentinel monitor \(master) 127.0.0.1 \(sentinel.primaryPort) \(replication.quorum.value)",
            "sentinel down-after-milliseconds \(master) \(replication.downAfter.value.seconds * 1000)",
            "sentinel failover-timeout \(master) \(replication.failoverTimeout.value.seconds * 1000)",
            "sentinel parallel-syncs \(master) 1", "sentinel auth-user \(master) \(replication.sentinelUser.value)",
            "sentinel sentinel-user \(replication.sentinelUser.value)",
        ]
        text += lines.map { "\($0)\n" }.joined()
        return text
    }

    /// The account's words before a command: daemontools' setuidgid or runit's chpst.
    private func asRedis(_ supervisor: Supervisor) -> String {
        let user = ShellQuoting.word(spec.platform.redisUser)
        return supervisor == .runit
            ? "\(ShellQuoting.word(spec.platform.path(of: .chpst))) -u \(user)"
            : "\(ShellQuoting.word(spec.platform.path(of: .setuidgid))) \(user)"
    }

    private func passwordFile(_ redis: RedisStore, _ user: String) -> String {
        ShellQuoting.word(redis.passwordFile(of: user))
    }

    /// `NAME=$(redis_hash FILE) || exit 1` for each user, then the user lines that use them.
    private func hashedUsers(_ users: [(name: String, rules: String)], _ redis: RedisStore) -> (String, String) {
        var assignments = ""
        var lines = "user default off\n"
        for (index, user) in users.enumerated() {
            assignments += "hash\(index)=$(redis_hash \(passwordFile(redis, user.name))) || exit 1\n"
            lines += "user \(user.name) on #$hash\(index) \(user.rules)\n"
        }
        return (assignments, lines)
    }

    /// A run script's first lines: its directories made, the first of them the Redis account's
    /// alone; every other stays for every account to pass (0755).
    private func start(making directories: [String]) -> String {
        let owned = directories[0]
        var text = "exec 2>&1\numask 022\nmkdir -p \(directories.joined(separator: " ")) || exit 1\n"
        text += "chown \(ShellQuoting.word(spec.platform.redisUser)): \(owned) && chmod 700 \(owned) || exit 1\n"
        return text
    }

    /// From here on, what the script makes is secret: the password functions follow.
    private let secretsFollow = "umask 077\n" + RedisPasswordShell.functions

    private func copyRun(
        _ window: String, _ copy: ReplicatedHost.Copy, _ hostsSentinel: Bool, _ redis: RedisStore,
        _ replication: RedisReplication, _ supervisor: Supervisor
    ) -> String {
        let word = ShellQuoting.word
        let data = word(dataDirectory(window))
        let sockets = word(RedisReplication.socketDirectory(window: window))
        let redisUser = word(spec.platform.redisUser)
        var users = RedisTarget.users(redis)
        if let admin = redis.admin { users.append((admin.value, "~* &* +@all")) }
        let (assignments, lines) = hashedUsers(users, redis)
        var text = "#!/bin/sh\n\(header)\n"
        text += "# \(supervisor.rawValue) service of window '\(window)': this host's copy of Redis at 127.0.0.1 "
        text += "port \(copy.port)\n# and \(replication.socket), where this host's checks read it.\n"
        text += "# redis-server reads ./redis.conf, then the users (each password file's SHA-256) and masterauth "
        text += "from\n# its standard input: no file the Redis account can read holds a password.\n"
        text += start(making: [data, sockets])
        text += "# The socket's directory: the copy writes it, the SMTP account's group may enter.\n"
        text += "chown \(redisUser):\"$(id -g \(word(spec.platform.users.smtp)))\" \(sockets) "
        text += "&& chmod 2750 \(sockets) || exit 1\n"
        text += "rm -f \(word(replication.socket))\n" + secretsFollow
        text += "masterauth=$(redis_password \(passwordFile(redis, replication.replicationUser.value))) || exit 1\n"
        text += assignments + follow(window, copy, hostsSentinel, replication, supervisor)
        text += "exec \(asRedis(supervisor)) \(word(spec.platform.redisServer)) ./redis.conf - <<EOF\n"
        text += lines + "masterauth $masterauth\n$replicaof\nEOF\n"
        return text
    }

    /// Sets `replicaof` to the line that makes the copy follow the primary, or to nothing on the
    /// primary: the one this host's sentinel last knew when it knows one, else the spec's first.
    /// Sentinel's CONFIG REWRITE cannot change the root's redis.conf, and a copy its supervisor
    /// starts again at once must not come back a replica of a replica, or a second primary.
    private func follow(
        _ window: String, _ copy: ReplicatedHost.Copy, _ hostsSentinel: Bool, _ replication: RedisReplication,
        _ supervisor: Supervisor
    ) -> String {
        let first = copy.replicaOf ?? copy.port
        var text = "primary=\(first)\n"
        if hostsSentinel {
            text = "# The primary this host's sentinel last knew (its file, read as the Redis account), "
            text += "else the first.\n"
            text += "primary=$(\(asRedis(supervisor)) sed -n 's/^sentinel monitor \(replication.master.value) "
            text += "127\\.0\\.0\\.1 \\([0-9][0-9]*\\) .*/\\1/p' "
            text += "\(ShellQuoting.word(sentinelDirectory(window)))/sentinel.conf 2>/dev/null | head -n 1)\n"
            text += "[ -n \"$primary\" ] || primary=\(first)\n"
        }
        text += "replicaof=\n[ \"$primary\" = \(copy.port) ] || replicaof=\"replicaof 127.0.0.1 $primary\"\n"
        return text
    }

    private func sentinelRun(
        _ window: String, _ sentinel: ReplicatedHost.Sentinel, _ redis: RedisStore, _ replication: RedisReplication,
        _ supervisor: Supervisor
    ) -> String {
        let word = ShellQuoting.word
        let state = word(sentinelDirectory(window))
        let master = replication.master.value
        let (assignments, lines) = hashedUsers(RedisTarget.sentinelUsers(redis), redis)
        let monitor = "sentinel monitor \(master) 127\\.0\\.0\\.1 [0-9][0-9]*"
        var text = "#!/bin/sh\n\(header)\n"
        text += "# \(supervisor.rawValue) service of window '\(window)': this host's sentinel at 127.0.0.1 port "
        text += "\(sentinel.port).\n# Sentinel rewrites its own file, so this script writes it (as the Redis "
        text += "account, in a directory\n# of that account's) from ./sentinel.conf and the password files, with "
        text += "the primary Sentinel last\n# knew when the file names one.\n"
        text += start(making: [state]) + secretsFollow
        text += "secret=$(redis_password \(passwordFile(redis, replication.sentinelUser.value))) || exit 1\n"
        text += assignments
        // Sentinel's rewritten file names the primary after a failover; read as the Redis account.
        text += "primary=$(\(asRedis(supervisor)) sed -n 's/^sentinel monitor \(master) "
        text += "\\(127\\.0\\.0\\.1 [0-9][0-9]*\\) .*/\\1/p' \(state)/sentinel.conf 2>/dev/null | head -n 1)\n"
        text += "[ -n \"$primary\" ] || primary='127.0.0.1 \(sentinel.primaryPort)'\n"
        text += "# shellcheck disable=SC2016 # $1 is the inner shell's: the file, written as the Redis account\n"
        text +=
            "\(asRedis(supervisor)) /bin/sh -c 'cat > \"$1.new\" && mv -f \"$1.new\" \"$1\"' sh \(state)/sentinel.conf "
        text += "<<EOF || exit 1\n"
        text += "$(sed \"s/^\(monitor) /sentinel monitor \(master) $primary /\" ./sentinel.conf)\n"
        text += "sentinel auth-pass \(master) $secret\nsentinel sentinel-pass $secret\n"
        text += lines + "EOF\n"
        text += "exec \(asRedis(supervisor)) \(word(spec.platform.redisServer)) \(state)/sentinel.conf --sentinel\n"
        return text
    }
}
