/// The ACL users of a window whose Redis runs on this host, for setup to set: in the file Redis
/// reads its users from at start, and in the running server. Each user's password comes from
/// its file in the window's password directory, as a SHA-256 (`#HASH`): no emitted file holds
/// a password, and a restart of Redis keeps every one.
public struct RedisUsers: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public var name: String
        /// The rules after `on #HASH`.
        public var rules: String
        public var passwordFile: String
    }

    public var window: String
    /// redis.conf: its `aclfile`, or itself when it names none, holds the users.
    public var config: String
    public var endpoint: RedisStore.Endpoint
    /// The user setup connects as (nil: Redis's default user), and its password file.
    public var admin: (name: String, passwordFile: String)?
    public var users: [User]
    /// daemontools' setuidgid: setup works in a directory of the Redis account's as that account.
    public var setuidgid: String

    public static func == (left: RedisUsers, right: RedisUsers) -> Bool {
        left.window == right.window && left.config == right.config && left.endpoint == right.endpoint
            && left.admin?.name == right.admin?.name && left.admin?.passwordFile == right.admin?.passwordFile
            && left.users == right.users && left.setuidgid == right.setuidgid
    }

    /// The windows of this part whose Redis is on this host: a cluster's `host:` (where spiped's
    /// store end runs), or, in a spec without hosts, a Redis only this host can reach.
    static func onThisHost(_ spec: Spec, spipedEnds: [SpipedEnd]) -> [RedisUsers] {
        var found: [RedisUsers] = []
        for window in spec.windows {
            guard let redis = window.redis else { continue }
            let storeEnd = spipedEnds.contains { end in
                guard end.window == window.name.value, case .store = end.side else { return false }
                return true
            }
            let local =
                redis.host == nil && redis.endpoint.isHostLocal
                && spec.services.contains { $0.uses(window.name.value) }
            guard storeEnd || local else { continue }
            let directory = redis.passwordDirectory
            found.append(
                RedisUsers(
                    window: window.name.value, config: redis.config?.value ?? spec.platform.redisConf,
                    endpoint: redis.endpoint,
                    admin: redis.admin.map { ($0.value, "\(directory)/\($0.value).password") },
                    users: RedisTarget.users(redis).map {
                        User(name: $0.name, rules: $0.rules, passwordFile: "\(directory)/\($0.name).password")
                    }, setuidgid: spec.platform.path(of: .setuidgid)))
        }
        return found
    }

    /// redis-cli's words for where the server is, as this host reaches it.
    var clientArguments: [String] {
        switch endpoint {
        case .tcp(let address, let port): ["-h", address, "-p", String(port)]
        case .unix(let socket): ["-s", socket]
        }
    }
}
