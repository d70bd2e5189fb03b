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
    /// Where each host keeps `<user>.password` (root-owned, readable by the user's group).
    public var passwordDirectory: String
    /// Milliseconds; nil: the tools' default (200).
    public var timeout: Int?
    /// The host of a cluster that redis-server runs on (`endpoint` is as that host sees it).
    public var host: Located<String>?
    /// How the other hosts reach it: an encrypted, authenticated pipe.
    public var spiped: Spiped?

    public static let defaultPrefix = RedisLocation.defaultPrefix

    /// RELAY_CTRL_REDIS for one of the two users.
    public func url(as user: String) -> String {
        switch endpoint {
        case .tcp(let address, let port):
            let host = address.contains(":") ? "[\(address)]" : address
            return "redis://\(user)@\(host):\(port)/\(database)"
        case .unix(let socket): return "unix:\(socket)?db=\(database)&user=\(user)"
        }
    }

    /// What identifies the store in messages and comparisons.
    public var identity: String {
        switch endpoint {
        case .tcp(let address, let port): "redis \(address):\(port) db \(database) prefix \(prefix)"
        case .unix(let socket): "redis \(socket) db \(database) prefix \(prefix)"
        }
    }
}

/// spiped between the Redis host and every other host of the window: hiredis 0.14 has no TLS,
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
    /// Where each other host's spiped listens for the tools: local to that host.
    public static let socketDirectory = "/var/run/relaychain"

    public static func socket(window: String) -> String { "\(socketDirectory)/\(window).redis.sock" }

    /// Beside the Redis password files' default directory.
    public func keyPath(window: String) -> String {
        keyFile?.value ?? "/etc/relaychain/spiped/\(window).key"
    }
}

/// One end of a window's spiped, as one host of a cluster runs it.
public struct SpipedEnd: Sendable, Equatable {
    public enum Side: Sendable, Equatable {
        /// On the Redis host: decrypts what arrives on `listen`:port and hands it to Redis.
        case store(listen: String)
        /// On another host: encrypts what the tools send to the local socket, to the Redis host.
        /// A login host's spiped does a Diffie-Hellman exchange per connection (forward secrecy
        /// for the writer's password, which can grant); an SMTP host's skips it (spiped -f): it
        /// connects for every SMTP client, so an exchange there would let anyone on the internet
        /// spend the Redis host's CPU, and the reader's password can only read.
        case client(storeAddress: String, forwardSecret: Bool)
    }

    public var window: String
    public var side: Side
    public var spiped: Spiped
    /// Where Redis is on the Redis host (the store end's target).
    public var endpoint: RedisStore.Endpoint

    /// The service's name in the output and the supervisor's directory.
    public var serviceName: String { "spiped-\(window)" }
}
