/// The Redis side of a shared window: ACL users with least privilege. The login side's user may
/// only SETEX the window's keys (SET would also let it read them, with its GET option), the SMTP
/// side's only GET them; no other command, key or channel.
/// Passwords are not in any emitted file: each is set on the Redis host from its password file.
enum RedisTarget {
    /// Redis's `aclfile` as it is: Redis 8 and Valkey 8 refuse any line that is not a `user`
    /// line, comments and our usual header included, so the file holds the users alone and
    /// what to do with it is said by setup (Deployment) and README.
    static func aclFile(_ window: RelayWindow, _ redis: RedisStore) -> OutputFile {
        let keys = "~\(redis.prefix)*"
        let select = redis.database == 0 ? "" : " +select"
        let text = """
            user default off
            user \(redis.writer.value) on \(keys) resetchannels -@all +setex\(select)
            user \(redis.reader.value) on \(keys) resetchannels -@all +get\(select)

            """ + (redis.auditor.map { "user \($0.value) on \(keys) resetchannels -@all +scan +get\(select)\n" } ?? "")
        return OutputFile(.redisACL(window: window.name.value), contents: text)
    }

}
