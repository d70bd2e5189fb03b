import RelayCtrlCore
import RelaychainCore

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

        /// RELAY_CTRL_REDIS read as the tools read it (`RedisLocation`), with the endpoint as the
        /// spec writes it; the tools' reason when they would refuse it.
        static func parse(_ url: String) -> Result<
            (endpoint: (key: String, value: String), database: Int, user: String?), RedisLocation.Failure
        > {
            let location: RedisLocation
            switch RedisLocation.parse(url) {
            case .success(let parsed): location = parsed
            case .failure(let failure): return .failure(failure)
            }
            let endpoint: (key: String, value: String)
            switch location.endpoint {
            case .unix(let path): endpoint = ("socket", path)
            case .tcp(let address, let port):
                endpoint = ("address", address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)")
            case .sentinels: return .failure(RedisLocation.Failure(Self.sentinelReason))
            }
            return .success((endpoint, location.database, location.user))
        }

        /// Why a Sentinel URL, which the tools follow, makes no window: the spec cannot say it yet.
        static let sentinelReason =
            "the tools follow these sentinels, but a spec cannot name a Redis found through Sentinel yet"

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
        var concurrency: Concurrency?
        var localName: LocalName?
        var remoteHost: RemoteHostLookup?
        var remoteInfo: RemoteInfo?
        var backlog: Int?
        /// tcpserver's -x when it is not tcp.cdb in the service directory.
        var rulesCDB: String?
        /// sslserver in tcpserver's place: its files by the variable it reads (CERTFILE...), and -n.
        var tls: (files: [TLSFile: String], starttls: Bool)?
        var smtpdArgs: [String] = []
        var logCommand: [String] = []
        var relayClientEnvironment: [(String, String)] = []
        /// ifrelayclient's settings as written, and those a user wrapper of the chain may own.
        var ifRelayClientSettings: [(String, String)] = []
        var wrapperSettings: [String: [(String, String)]] = [:]
        /// relay-ctrl-check runs first in the chain.
        var checks = false
        /// The tcprules file that named this service, when one did.
        var rulesFile: String?
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
        /// The post-login service's `group =`: the window's group.
        var group: String?
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

    /// A service's command as its file starts it, for the check that the spec builds it back.
    struct ImportedCommand {
        var service: String
        var file: String
        var command: ServiceCommand
    }

    var services: [Service] = []
    var commands: [ImportedCommand] = []
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
    /// Defaults the spec takes where the files say nothing, each with the file it concerns.
    var assumptions: [String] = []

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
        // A program found through PATH says nothing about where programs are installed.
        guard path.hasPrefix("/") else { return }
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
    var redisUsers: [String: (writer: String?, reader: String?, auditor: String?, window: String?)] = [:]

    /// The file being read, so that a disagreement found while reading can name it.
    var reading: (path: String, text: String) = ("", "")

    /// A NAME=value of the file being read that the spec cannot say, at the line that holds it.
    mutating func leaveOut(_ name: String, _ value: String, reason: String) {
        let line = reading.text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
            $0.contains("\(name)=\(value)") || $0.contains("\(name)='\(value)'")
        }
        leftOut.append(.init(file: reading.path, line: (line ?? 0) + 1, text: "\(name)=\(value)", reason: reason))
    }

    /// Window settings from NAME=value words (RELAY_CTRL_*); the other assignments are returned.
    mutating func readWindow(_ assignments: [(String, String)], smtpSide: Bool) -> (
        store: String?, others: [(String, String)]
    ) {
        var others: [(String, String)] = []
        let setting = { (name: String) in assignments.first(where: { $0.0 == name })?.1 }
        let index: Int
        let url = setting("RELAY_CTRL_REDIS")
        let location = url.map(Redis.parse)
        if let url, case .failure(let failure) = location {
            let why = failure.description.replacing("RELAY_CTRL_REDIS: ", with: "")
            // The login side follows sentinels; relay-ctrl-check refuses them (it reads one server).
            let reason =
                why != Redis.sentinelReason
                ? "the tools refuse it, so no client relays: \(why)"
                : smtpSide
                    ? "the tools refuse it, so no client relays: relay-ctrl-check reads one server, not sentinels"
                    : why
            leaveOut("RELAY_CTRL_REDIS", url, reason: reason)
            return (nil, assignments.filter { !$0.0.hasPrefix("RELAY_CTRL_REDIS") })
        }
        if case .success(let parsed) = location {
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
                    leaveOut(
                        name, value,
                        reason: "another file gives the same window RELAY_CTRL_EXPIRY=\(known); a window has one length"
                    )
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
