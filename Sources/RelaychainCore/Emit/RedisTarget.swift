/// The Redis side of a shared window: ACL users with least privilege. The login side's user may
/// only SETEX the window's keys (SET would also let it read them, with its GET option), the SMTP
/// side's only GET them; no other command, key or channel.
/// Passwords are not in any emitted file: setup on the Redis host adds each user's SHA-256 from
/// its password file. Redis's default user is left as the administrator has it: turning it off
/// here would lock out whoever manages Redis (setup says when it needs no password).
enum RedisTarget {
    /// Each user and its rules after `on` (and, from setup, its `#<sha256>`).
    static func users(_ redis: RedisStore) -> [(name: String, rules: String)] {
        let keys = "~\(redis.prefix)*"
        let select = redis.database == 0 ? "" : " +select"
        // With copies, the writer asks the server it was named whether it is the primary (ROLE)
        // and waits for a replica (WAIT); the reader asks how fresh its copy is (INFO replication).
        let replicated = redis.replication != nil
        var users = [
            (redis.writer.value, "\(keys) resetchannels -@all +setex\(select)\(replicated ? " +role +wait" : "")"),
            (redis.reader.value, "\(keys) resetchannels -@all +get\(select)\(replicated ? " +info|replication" : "")"),
        ]
        if let auditor = redis.auditor {
            users.append((auditor.value, "\(keys) resetchannels -@all +scan +get\(select)"))
        }
        if let replication = redis.replication {
            users.append((replication.replicationUser.value, "resetchannels -@all +psync +replconf +ping"))
            users.append((replication.sentinelUser.value, "allchannels -@all \(sentinelCommands)"))
        }
        return users
    }

    /// What Sentinel sends a server it watches and fails over, as Redis's Sentinel documentation lists it.
    static let sentinelCommands =
        "+multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill "
        + "+script|kill"

    /// The users of a replicated window's sentinels: its peers (as the sentinels' own user), the
    /// writer, which may only ask who the primary is, and the administrator.
    static func sentinelUsers(_ redis: RedisStore) -> [(name: String, rules: String)] {
        guard let replication = redis.replication else { return [] }
        var users = [
            (replication.sentinelUser.value, "allchannels +@all"),
            (redis.writer.value, "resetchannels -@all +sentinel|get-master-addr-by-name"),
        ]
        if let admin = redis.admin { users.append((admin.value, "allchannels +@all")) }
        return users
    }

    /// Redis's `aclfile` lines without passwords, for an administrator who sets Redis up by hand:
    /// Redis 8 and Valkey 8 refuse any line that is not a `user` line, comments and our usual
    /// header included, so the file holds the users alone.
    static func aclFile(_ window: RelayWindow, _ redis: RedisStore) -> OutputFile {
        let text = users(redis).map { "user \($0.name) on \($0.rules)\n" }.joined()
        return OutputFile(.redisACL(window: window.name.value), contents: text)
    }
}
