/// What `relaychain import` learned from an installation's files, before it is written as a
/// spec: the services, the windows (by store), the paths of the programs, and every line it could
/// not express.
struct InstallationFacts {
    struct Window {
        /// A directory, or for Redis its identity (as `RedisStore.identity` says it).
        var store: String
        var name: String?
        var expiry: Int?
        var relayClient = ""
        var log = false
        var carry: [String]?
        var redis: Redis?
    }

    /// What RELAY_CTRL_REDIS and its companions say, from either side.
    struct Redis {
        /// `address: ...` or `socket: ...`, as the spec writes it.
        var endpoint: (key: String, value: String)
        var database: Int
        var prefix: String
        var writer: String?
        var reader: String?
        var passwordDirectory: String?
        var timeout: Int?

        /// `redis://[user@]address:port/db` or `unix:/path?db=N&user=NAME`; nil when malformed.
        static func parse(_ url: String) -> (endpoint: (key: String, value: String), database: Int, user: String?)? {
            if url.hasPrefix("unix:") {
                let rest = url.dropFirst(5)
                let parts = rest.split(separator: "?", maxSplits: 1)
                guard let path = parts.first, path.hasPrefix("/") else { return nil }
                var database = 0
                var user: String?
                for pair in parts.dropFirst().first?.split(separator: "&") ?? [] {
                    let field = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard field.count == 2 else { return nil }
                    switch field[0] {
                    case "db":
                        guard let number = Int(field[1]) else { return nil }
                        database = number
                    case "user": user = field[1]
                    default: return nil
                    }
                }
                return (("socket", String(path)), database, user)
            }
            guard url.hasPrefix("redis://") else { return nil }
            var rest = url.dropFirst(8)
            var user: String?
            if let at = rest.firstIndex(of: "@") {
                user = String(rest[..<at])
                rest = rest[rest.index(after: at)...]
            }
            let parts = rest.split(separator: "/", maxSplits: 1)
            guard let host = parts.first else { return nil }
            let database = parts.count > 1 ? Int(parts[1]) : 0
            guard let database else { return nil }
            return (("address", String(host)), database, user)
        }

        var identity: String {
            let place =
                endpoint.key == "socket"
                ? endpoint.value
                : endpoint.value.replacing("[", with: "")
                    .replacing("]", with: "")
            return "redis \(place) db \(database) prefix \(prefix)"
        }
    }

    struct Entry {
        var program: String
        var args: [String]
    }

    struct SMTPD {
        var runBy: Supervisor
        var listen: String?
        var port = 25
        var store: String?
        var chain: [Entry] = []
        var relayNetworks: [String] = []
        var rules: [(from: String, deny: Bool, set: [(String, String)])] = []
        var environment: [(String, String)] = []
        var datalimit: Int?
        var concurrency: Int?
        var smtpdArgs: [String] = []
        var logCommand: [String] = []
        var relayClientEnvironment: [(String, String)] = []
        /// ifrelayclient's settings as written, and those a user wrapper of the chain may own.
        var ifRelayClientSettings: [(String, String)] = []
        var wrapperSettings: [String: [(String, String)]] = [:]
        /// relay-ctrl-check runs first in the chain.
        var checks = false
    }

    struct POP3D {
        var runBy: Supervisor
        var listen: String?
        var port = 110
        var store: String?
        var checkpassword = "checkpassword"
        var hostname: String?
        var maildir = "Maildir"
    }

    struct Dovecot {
        var version: String
        var protocols: [String]
        var store: String?
        var postLoginUser: String?
    }

    enum Role {
        case dovecot(Dovecot)
        case pop3d(POP3D)
        case smtpd(SMTPD)
    }

    struct Service {
        var name: String
        var role: Role
    }

    /// A line that the spec cannot say, kept as a comment and listed.
    public struct LeftOut: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var text: String
        public var reason: String
        public var description: String { "\(file):\(line): \(text): \(reason)" }
    }

    var services: [Service] = []
    var windows: [Window] = []
    /// Catalog programs by name, and the path each was found at.
    var programs: [String: String] = [:]
    /// Programs that are not in the catalog (user wrappers), by name.
    var wrappers: [String: String] = [:]
    var env: String?
    var dovecotLibexec: String?
    var libexec: String?
    var smtpUser: String?
    var logUser: String?
    /// From a setup script: where it installs and links things.
    var cronD: String?
    var cronWithUser = false
    var sawCron = false
    var dovecotConfD: String?
    var serviceDirectory: String?
    /// From a systemd unit's WorkingDirectory (`<prefix>/etc/relaychain/<service>`): the prefix.
    var configPrefix: String?
    var leftOut: [LeftOut] = []

    /// A service under a name no other has: two files may both describe an `imap`.
    mutating func add(_ service: Service) {
        var service = service
        var suffix = 2
        let base = service.name
        while services.contains(where: { $0.name == service.name }) {
            service.name = "\(base)-\(suffix)"
            suffix += 1
        }
        services.append(service)
    }

    mutating func window(store: String) -> Int {
        if let index = windows.firstIndex(where: { $0.store == store }) { return index }
        windows.append(Window(store: store))
        return windows.count - 1
    }

    mutating func note(program path: String) {
        let name = String(path.split(separator: "/").last ?? "")
        if name == "env" {
            env = env ?? path
        } else if Catalog.program(named: name) != nil {
            programs[name] = programs[name] ?? path
        } else if name.hasPrefix("qmail-smtpd") {
            programs["qmail-smtpd"] = programs["qmail-smtpd"] ?? path
        } else {
            wrappers[name] = wrappers[name] ?? path
        }
    }

    /// The ACL users build wrote for each key prefix, and the window named by the file
    /// (redis/<window>.acl).
    var redisUsers: [String: (writer: String?, reader: String?, window: String?)] = [:]

    /// The file being read, so that a disagreement found while reading can name it.
    var reading: (path: String, text: String) = ("", "")

    /// Window settings from NAME=value words (RELAY_CTRL_*); the other assignments are returned.
    mutating func readWindow(_ assignments: [(String, String)], smtpSide: Bool) -> (
        store: String?, others: [(String, String)]
    ) {
        var others: [(String, String)] = []
        let setting = { (name: String) in assignments.first(where: { $0.0 == name })?.1 }
        let index: Int
        if let url = setting("RELAY_CTRL_REDIS"), let parsed = Redis.parse(url) {
            var redis = Redis(
                endpoint: parsed.endpoint, database: parsed.database,
                prefix: setting("RELAY_CTRL_REDIS_PREFIX") ?? RedisStore.defaultPrefix)
            index = window(store: redis.identity)
            redis = windows[index].redis ?? redis
            if let user = parsed.user {
                if smtpSide { redis.reader = user } else { redis.writer = user }
            }
            if let file = setting("RELAY_CTRL_REDIS_PASSWORD_FILE"), let slash = file.lastIndex(of: "/") {
                redis.passwordDirectory = String(file[..<slash])
            }
            redis.timeout = setting("RELAY_CTRL_REDIS_TIMEOUT").flatMap { Int($0) } ?? redis.timeout
            windows[index].redis = redis
        } else if let store = setting("RELAY_CTRL_DIR") {
            index = window(store: store)
        } else {
            return (nil, assignments)
        }
        for (name, value) in assignments {
            switch name {
            case "RELAY_CTRL_DIR", "RELAY_CTRL_REDIS", "RELAY_CTRL_REDIS_PREFIX", "RELAY_CTRL_REDIS_PASSWORD_FILE",
                "RELAY_CTRL_REDIS_TIMEOUT":
                break
            case "RELAY_CTRL_EXPIRY":
                // The writer's expiry is Redis's TTL, the reader's its own window: they must agree.
                if let known = windows[index].expiry, let new = Int(value), known != new {
                    let line = reading.text.split(separator: "\n", omittingEmptySubsequences: false)
                        .firstIndex {
                            $0.contains("RELAY_CTRL_EXPIRY=\(value)") || $0.contains("RELAY_CTRL_EXPIRY='\(value)'")
                        }
                    leftOut.append(
                        .init(
                            file: reading.path, line: (line ?? 0) + 1, text: "RELAY_CTRL_EXPIRY=\(value)",
                            reason:
                                "another file gives the same window RELAY_CTRL_EXPIRY=\(known); a window has one length"
                        ))
                    continue
                }
                windows[index].expiry = Int(value)
            case "RELAY_CTRL_RELAYCLIENT": windows[index].relayClient = value
            case "RELAY_CTRL_LOG_IPS": if smtpSide { windows[index].log = true }
            case "RELAY_CTRL_CARRY": windows[index].carry = value.split(separator: ",").map(String.init)
            default: others.append((name, value))
            }
        }
        return (windows[index].store, others)
    }
}
