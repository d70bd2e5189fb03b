import RelayCtrlCore

/// A Redis store shared by hosts: where it is, and the least-privilege users that write (the
/// login side: SET only) and read (the SMTP side: GET only) its keys.
public struct RedisStore: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        /// `address:port`, an IP literal (no DNS at login or connection time).
        case tcp(address: String, port: Int)
        case unix(socket: String)

        /// Only the host it is on can reach it: a Unix socket, or TCP on loopback.
        public var isHostLocal: Bool {
            switch self {
            case .unix: true
            case .tcp(let address, _): address == "127.0.0.1" || address == "::1"
            }
        }
    }

    public var endpoint: Endpoint
    public var database: Int
    public var prefix: String
    public var writer: Located<String>
    public var reader: Located<String>
    /// A user that may only list and read the keys (SCAN and GET), for `relaychain grants`; nil: none.
    public var auditor: Located<String>?
    /// The user setup connects as on the Redis host to set the window's users (its password in
    /// `<password-dir>/<admin>.password` there); nil: Redis's default user.
    public var admin: Located<String>?
    /// The Redis host's redis.conf, which names the file Redis reads its users from; nil: the
    /// profile's.
    public var config: Located<String>?
    /// Where each host keeps `<user>.password` (root-owned, readable by the user's group).
    public var passwordDirectory: String
    /// Milliseconds; nil: the tools' default (200), or for a replicated window's writer 2000.
    public var timeout: Int?
    /// The host of a cluster that redis-server runs on (`endpoint` is as that host sees it).
    public var host: Located<String>?
    /// How the other hosts reach it: an encrypted, authenticated pipe.
    public var spiped: Spiped?
    /// Copies on other hosts and the sentinels that choose the primary; nil: one server.
    public var replication: RedisReplication?
    /// Set by `build` for a host other than Redis's: each role's spiped socket there.
    public var localSockets: [Spiped.Role: String]?

    public static let defaultPrefix = RedisLocation.defaultPrefix
    public static let defaultWriter = "relay-writer"
    public static let defaultReader = "relay-reader"
    public static let defaultPasswordDirectory = "/etc/relaychain/redis"

    /// Where each host keeps `user`'s password (RELAY_CTRL_REDIS_PASSWORD_FILE).
    public func passwordFile(of user: String) -> String { "\(passwordDirectory)/\(user).password" }

    /// RELAY_CTRL_REDIS for one of the two users, in that role.
    public func url(as user: String, role: Spiped.Role) -> String {
        if let replication {
            switch role {
            case .writer:
                let sentinels = replication.sentinelAddresses.joined(separator: ",")
                return "redis-sentinel://\(user)@\(sentinels)/\(database)#\(replication.master.value)"
            case .reader: return "unix:\(replication.socket)?db=\(database)&user=\(user)"
            }
        }
        if let socket = localSockets?[role] { return "unix:\(socket)?db=\(database)&user=\(user)" }
        switch endpoint {
        case .tcp(let address, let port):
            let host = address.contains(":") ? "[\(address)]" : address
            return "redis://\(user)@\(host):\(port)/\(database)"
        case .unix(let socket): return "unix:\(socket)?db=\(database)&user=\(user)"
        }
    }

    /// Where a check on the host whose part this is reads, in words (`explain`).
    public var checkSource: String {
        if let replication {
            return "this host's copy of Redis (master '\(replication.master.value)', db \(database), prefix "
                + "\(prefix)) at \(replication.socket), believed while it has heard from its primary within "
                + "\(replication.staleAfter.value.seconds)s"
        }
        if let socket = localSockets?[.reader] { return "\(identity), through spiped at \(socket)" }
        return identity
    }

    /// What identifies the store in messages and comparisons.
    public var identity: String {
        switch endpoint {
        case .tcp(let address, let port): "redis \(address):\(port) db \(database) prefix \(prefix)"
        case .unix(let socket): "redis \(socket) db \(database) prefix \(prefix)"
        }
    }
}

/// spiped between the Redis host and every other host of the window: the tools speak Redis without TLS,
/// so the tools talk to a local socket and spiped carries the bytes, encrypted and authenticated
/// with a shared key, to a spiped on the Redis host that hands them to Redis.
public struct Spiped: Sendable, Equatable {
    /// The TCP port spiped listens on, on the Redis host's address.
    public var port: Located<Int>
    /// The shared key (32 random bytes or more), the same file on every host; nil: the default.
    public var keyFile: Located<String>?
    /// The account spiped drops to once its socket is bound and its key read.
    public var user: Located<String>
    public var runBy: Located<Supervisor>

    public static let defaultPort = 8379
    /// spiped's own account: never `nobody`, whose every process could stop or trace it.
    public static let defaultUser = "spiped"
    /// How long a peer has to finish spiped's handshake (-o): one without the key holds a
    /// connection no longer than this.
    public static let handshakeSeconds = 2
    /// Where each other host's spiped listens for the tools: local to that host.
    public static let socketDirectory = "/var/run/relaychain"

    /// The two users of a window, each with its own pipe on a host: the writer's carries a
    /// password that grants, so no account of the SMTP side may reach it, and the other way round.
    public enum Role: String, Sendable, CaseIterable {
        case reader, writer
    }

    /// The directory of one role's socket: it, not the socket, says who may connect.
    public static func socketDirectory(window: String, role: Role) -> String {
        "\(socketDirectory)/\(window)-\(role.rawValue)"
    }

    public static func socket(window: String, role: Role) -> String {
        "\(socketDirectory(window: window, role: role))/redis.sock"
    }

    /// Beside the Redis password files' default directory.
    public func keyPath(window: String) -> String {
        keyFile?.value ?? "/etc/relaychain/spiped/\(window).key"
    }

    /// Connections at once that the services of a host may need, so that spiped's limit (-n)
    /// never turns a busy host's own tools away: tcpserver's -c for qmail (40 unless the spec
    /// says), Dovecot's default process limit (100) for its post-login scripts.
    public static func connections(of services: [Service]) -> Int {
        services.reduce(0) { total, service in
            switch service.role {
            case .qmailSMTPD(let smtpd):
                total + (smtpd.concurrency.map { $0.value.knownCount ?? Concurrency.assumedUnknownCount } ?? 40)
            case .qmailPOP3D: total + 40
            case .dovecot: total + 100
            }
        }
    }
}

/// Who may connect to one role's local spiped socket: the directory holding it is that
/// account's alone (mode 0700), so no other local account can reach the socket, hold its
/// connections or guess Redis passwords through it. Replacing the socket, which the owner can,
/// only fools the owner.
public enum SocketAccess: Sendable, Equatable {
    case account(String)
    /// Dovecot 1.x writes as root.
    case root
    /// qmail-pop3d's relay-ctrl-allow runs as whichever mail user logged in: no account holds them all.
    case everyone

    public var mode: UInt32 { self == .everyone ? 0o711 : 0o700 }
}

/// One end of a window's spiped, as one host of a cluster runs it.
public struct SpipedEnd: Sendable, Equatable {
    public enum Side: Sendable, Equatable {
        /// On the Redis host: decrypts what arrives on `listen`:port and hands it to Redis.
        /// `peers`: the addresses of the hosts whose spiped may connect; a firewall table keeps
        /// every other address away from the port.
        case store(listen: String, peers: [String])
        /// On another host, one per role: encrypts what the tools send to the role's local socket,
        /// to the Redis host. The writer's spiped does a Diffie-Hellman exchange per connection
        /// (forward secrecy for the writer's password, which can grant); the reader's skips it
        /// (spiped -f): it connects for every SMTP client, so an exchange there would let anyone
        /// on the internet spend the Redis host's CPU, and the reader's password can only read.
        case client(storeAddress: String, role: Spiped.Role, access: SocketAccess)
        /// A replicated window: this host's own copy or sentinel, at `loopbackPort` here, offered to
        /// the `peers` on `listen` (the host's address).
        case copyServer(listen: String, peers: [String], carries: Carried, loopbackPort: Int)
        /// A replicated window: another host's copy or sentinel, reached at the same loopback
        /// port here as there, so that what a sentinel announces names one server on every host.
        case copyClient(host: String, address: String, carries: Carried, loopbackPort: Int)
    }

    /// What a replicated window's tunnel carries: a copy of Redis, or a sentinel.
    public enum Carried: String, Sendable, Equatable {
        case redis, sentinel
    }

    public var window: String
    public var side: Side
    public var spiped: Spiped
    /// Where Redis is on the Redis host (the store end's target).
    public var endpoint: RedisStore.Endpoint
    /// spiped's -n: what the services it carries may need at once (all the other hosts' on the Redis host).
    public var connections: Int

    /// The service's name in the output and the supervisor's directory.
    public var serviceName: String {
        switch side {
        case .store: "spiped-\(window)"
        case .client(_, let role, _): "spiped-\(window)-\(role.rawValue)"
        case .copyServer(_, _, let carries, _): "spiped-\(window)-\(carries.rawValue)"
        case .copyClient(let host, _, let carries, _): "spiped-\(window)-\(host)-\(carries.rawValue)"
        }
    }

    /// The port spiped takes connections on at a host's address: a copy's at spiped's port, a
    /// sentinel's at the next.
    public static func hostPort(_ spiped: Spiped, _ carries: Carried) -> Int {
        spiped.port.value + (carries == .sentinel ? 1 : 0)
    }

    /// Where the store side of this end listens on its host's address; nil for a client end.
    public var listenPort: Int? {
        switch side {
        case .store: spiped.port.value
        case .copyServer(_, _, let carries, _): Self.hostPort(spiped, carries)
        case .client, .copyClient: nil
        }
    }
}
