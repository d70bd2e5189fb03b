import CRelayLibc

/// Where Redis is, from `RELAY_CTRL_REDIS`: `redis://[user@]address:port/db`,
/// `unix:/path?db=N&user=NAME`, or, where Sentinel says which server is the primary,
/// `redis-sentinel://[user@]address:port,address:port/db#master` (Lettuce's form). Addresses
/// only, so no DNS lookup can hang a login or a connection; a user may be named, a password never.
/// The runtime tools and `relaychain import` read the variable with this one parser.
public struct RedisLocation: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(address: String, port: Int32)
        case unix(path: String)
        /// Ask these sentinels, in order, which server is the primary of `master`, then use it.
        case sentinels([Sentinel], master: String)
    }

    /// One sentinel's address (TCP: Sentinel has no Unix socket of its own).
    public struct Sentinel: Sendable, Equatable {
        public var address: String
        public var port: Int32

        public init(address: String, port: Int32) {
            self.address = address
            self.port = port
        }
    }

    /// At most this many sentinels in one URL: each may cost a slice of the one timeout.
    public static let sentinelLimit = 16

    public var endpoint: Endpoint
    public var user: String?
    public var database: Int

    /// `RELAY_CTRL_REDIS_PREFIX` when it is not set.
    public static let defaultPrefix = "relay-ctrl:"

    /// Why the Redis settings cannot be used, said the way the tools log it.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String

        public init(_ description: String) { self.description = description }
    }

    public static func parse(_ url: String) -> Result<RedisLocation, Failure> {
        parse(bytes: Array(url.utf8))
    }

    /// The same on the variable's bytes, as the tools read it (no String parsing on the way).
    public static func parse(bytes url: [UInt8]) -> Result<RedisLocation, Failure> {
        if url.starts(with: Self.unixScheme) { return unix(url[Self.unixScheme.count...]) }
        if url.starts(with: Self.redisScheme) { return tcp(url[Self.redisScheme.count...]) }
        if url.starts(with: Self.sentinelScheme) { return sentinels(url[Self.sentinelScheme.count...]) }
        return .failure(Failure("RELAY_CTRL_REDIS must start with redis://, unix: or redis-sentinel://"))
    }

    private static let unixScheme = Array("unix:".utf8)
    private static let redisScheme = Array("redis://".utf8)
    private static let sentinelScheme = Array("redis-sentinel://".utf8)

    /// `[user@]address:port,address:port[/db]#master`: each address as in redis:// (the port
    /// defaults to Sentinel's 26379), the master's name after `#`.
    private static func sentinels(_ text: ArraySlice<UInt8>) -> Result<RedisLocation, Failure> {
        guard let hash = text.lastIndex(of: UInt8(ascii: "#")), hash + 1 < text.endIndex else {
            return .failure(Failure("RELAY_CTRL_REDIS: a redis-sentinel:// URL names its master after #"))
        }
        let master = text[(hash + 1)...]
        guard master.count <= 64, master.allSatisfy({ isNameByte($0) }) else {
            return .failure(Failure("RELAY_CTRL_REDIS: the master's name is letters, digits, '-', '_' and '.' only"))
        }
        var rest = text[..<hash]
        var user: String?
        if let at = rest.firstIndex(of: UInt8(ascii: "@")) {
            guard at > rest.startIndex, !rest[..<at].contains(UInt8(ascii: ":")) else {
                return .failure(
                    Failure(
                        "RELAY_CTRL_REDIS: a user may be named, a password never (use RELAY_CTRL_REDIS_PASSWORD_FILE)"))
            }
            user = String(decoding: rest[..<at], as: UTF8.self)
            rest = rest[(at + 1)...]
        }
        var database = 0
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            guard let number = number(rest[(slash + 1)...], limit: 9_999) else {
                return .failure(Failure("RELAY_CTRL_REDIS: the database must be a number"))
            }
            database = number
            rest = rest[..<slash]
        }
        var nodes: [Sentinel] = []
        for part in rest.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard nodes.count < sentinelLimit else {
                return .failure(Failure("RELAY_CTRL_REDIS: at most \(sentinelLimit) sentinels"))
            }
            switch hostAndPort(part, defaultPort: 26379) {
            case .success(let node): nodes.append(Sentinel(address: node.address, port: node.port))
            case .failure(let error): return .failure(error)
            }
        }
        return .success(
            RedisLocation(
                endpoint: .sentinels(nodes, master: String(decoding: master, as: UTF8.self)), user: user,
                database: database))
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    private static func unix(_ text: ArraySlice<UInt8>) -> Result<RedisLocation, Failure> {
        var location = RedisLocation(endpoint: .unix(path: "/"), user: nil, database: 0)
        var rest = text
        if let query = rest.firstIndex(of: UInt8(ascii: "?")) {
            for parameter in rest[(query + 1)...].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false)
            {
                if parameter.starts(with: Array("db=".utf8)),
                    let database = number(parameter.dropFirst(3), limit: 9_999)
                {
                    location.database = database
                } else if parameter.starts(with: Array("user=".utf8)), parameter.count > 5 {
                    location.user = String(decoding: parameter.dropFirst(5), as: UTF8.self)
                } else {
                    return .failure(
                        Failure("RELAY_CTRL_REDIS: after the socket path only ?db=N and &user=NAME may follow"))
                }
            }
            rest = rest[..<query]
        }
        guard rest.first == UInt8(ascii: "/"), rest.count < 108 else {
            return .failure(Failure("RELAY_CTRL_REDIS: the socket must be an absolute path shorter than 108 bytes"))
        }
        location.endpoint = .unix(path: String(decoding: rest, as: UTF8.self))
        return .success(location)
    }

    private static func tcp(_ text: ArraySlice<UInt8>) -> Result<RedisLocation, Failure> {
        var location = RedisLocation(endpoint: .unix(path: "/"), user: nil, database: 0)
        var rest = text
        if let at = rest.firstIndex(of: UInt8(ascii: "@")) {
            let user = rest[..<at]
            guard !user.isEmpty, !user.contains(UInt8(ascii: ":")) else {
                return .failure(
                    Failure(
                        "RELAY_CTRL_REDIS: a user may be named, a password never (use RELAY_CTRL_REDIS_PASSWORD_FILE)"))
            }
            location.user = String(decoding: user, as: UTF8.self)
            rest = rest[(at + 1)...]
        }
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            guard let database = number(rest[(slash + 1)...], limit: 9_999) else {
                return .failure(Failure("RELAY_CTRL_REDIS: the database must be a number"))
            }
            location.database = database
            rest = rest[..<slash]
        }
        switch hostAndPort(rest, defaultPort: 6379) {
        case .success(let node): location.endpoint = .tcp(address: node.address, port: node.port)
        case .failure(let error): return .failure(error)
        }
        return .success(location)
    }

    /// `address[:port]` or `[v6 address][:port]`: an IP literal, never a name.
    private static func hostAndPort(
        _ rest: ArraySlice<UInt8>, defaultPort: Int32
    ) -> Result<(address: String, port: Int32), Failure> {
        let host: ArraySlice<UInt8>
        var portText: ArraySlice<UInt8>?
        if rest.first == UInt8(ascii: "[") {
            guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else {
                return .failure(Failure("RELAY_CTRL_REDIS: an unclosed ["))
            }
            host = rest[(rest.startIndex + 1)..<close]
            let after = rest[(close + 1)...]
            if after.first == UInt8(ascii: ":") { portText = after.dropFirst() }
        } else if let colon = rest.lastIndex(of: UInt8(ascii: ":")) {
            host = rest[..<colon]
            portText = rest[(colon + 1)...]
        } else {
            host = rest
        }
        let address = String(decoding: host, as: UTF8.self)
        guard isAddress(address) else {
            return .failure(
                Failure("RELAY_CTRL_REDIS: '\(address)' is not an IPv4 or IPv6 address (names are not looked up)"))
        }
        guard let portText else { return .success((address, defaultPort)) }
        guard let port = number(portText, limit: 65_535), port > 0 else {
            return .failure(Failure("RELAY_CTRL_REDIS: a bad port"))
        }
        return .success((address, Int32(port)))
    }

    /// Decimal digits only (at most five), at most `limit`.
    public static func number(_ text: ArraySlice<UInt8>, limit: Int) -> Int? {
        guard !text.isEmpty, text.count <= 5 else { return nil }
        var value = 0
        for byte in text {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value <= limit ? value : nil
    }

    public static func isAddress(_ text: String) -> Bool {
        var buffer = in6_addr()
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }
}
