/// The Redis side of a shared window: ACL users with least privilege. The login side's user may
/// only SET the window's keys, the SMTP side's only GET them; no other command, key or channel.
/// Passwords are not in any emitted file: each is set on the Redis host from its password file.
enum RedisTarget {
    static func aclFile(_ window: RelayWindow, _ redis: RedisStore, header: String) -> OutputFile {
        let keys = "~\(redis.prefix)*"
        let select = redis.database == 0 ? "" : " +select"
        var text = "\(header)\n"
        text += "# Redis 7 ACL users for window '\(window.name.value)' (\(redis.identity)): put the lines below\n"
        text += "# in the Redis host's aclfile (without these comments: an aclfile takes none), or run each as\n"
        text += "# ACL SETUSER; then give each user its password, the one\n"
        text += "# in \(redis.passwordDirectory)/<user>.password on the hosts: ACL SETUSER <user> >PASSWORD\n"
        text += "# No connection may act without one of these users (or others the administrator adds):\n"
        text += "# spiped and Unix sockets let local accounts reach Redis, and only a password lets them in.\n"
        text += "user default off\n"
        text += "user \(redis.writer.value) on \(keys) resetchannels -@all +set\(select)\n"
        text += "user \(redis.reader.value) on \(keys) resetchannels -@all +get\(select)\n"
        return OutputFile(path: "redis/\(window.name.value).acl", contents: text)
    }
}
