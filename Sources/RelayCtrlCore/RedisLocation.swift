import CRelayLibc

/// Where Redis is, from `RELAY_CTRL_REDIS`: `redis://[user@]address:port/db` or
/// `unix:/path?db=N&user=NAME`. Addresses only, so no DNS lookup can hang a login or a
/// connection; a user may be named, a password never. The runtime tools and `relaychain import`
/// read the variable with this one parser.
public struct RedisLocation: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(address: String, port: Int32)
        case unix(path: String)
    }

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
        var location = RedisLocation(endpoint: .unix(path: "/"), user: nil, database: 0)
        if url.hasPrefix("unix:") {
            var rest = Substring(url.dropFirst(5))
            if let query = rest.firstIndex(of: "?") {
                for parameter in rest[rest.index(after: query)...].split(
                    separator: "&", omittingEmptySubsequences: false)
                {
                    if parameter.hasPrefix("db="), let database = number(parameter.dropFirst(3), limit: 9_999) {
                        location.database = database
                    } else if parameter.hasPrefix("user="), parameter.count > 5 {
                        location.user = String(parameter.dropFirst(5))
                    } else {
                        return .failure(
                            Failure("RELAY_CTRL_REDIS: after the socket path only ?db=N and &user=NAME may follow"))
                    }
                }
                rest = rest[..<query]
            }
            guard rest.hasPrefix("/"), rest.utf8.count < 108 else {
                return .failure(
                    Failure("RELAY_CTRL_REDIS: the socket must be an absolute path shorter than 108 bytes"))
            }
            location.endpoint = .unix(path: String(rest))
        } else if url.hasPrefix("redis://") {
            var rest = Substring(url.dropFirst(8))
            if let at = rest.firstIndex(of: "@") {
                let user = rest[..<at]
                guard !user.isEmpty, !user.contains(":") else {
                    return .failure(
                        Failure(
                            "RELAY_CTRL_REDIS: a user may be named, a password never "
                                + "(use RELAY_CTRL_REDIS_PASSWORD_FILE)"))
                }
                location.user = String(user)
                rest = rest[rest.index(after: at)...]
            }
            if let slash = rest.firstIndex(of: "/") {
                guard let database = number(rest[rest.index(after: slash)...], limit: 9_999) else {
                    return .failure(Failure("RELAY_CTRL_REDIS: the database must be a number"))
                }
                location.database = database
                rest = rest[..<slash]
            }
            let host: Substring
            let portText: Substring
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else {
                    return .failure(Failure("RELAY_CTRL_REDIS: an unclosed ["))
                }
                host = rest[rest.index(after: rest.startIndex)..<close]
                let after = rest[rest.index(after: close)...]
                portText = after.hasPrefix(":") ? after.dropFirst() : "6379"
            } else if let colon = rest.lastIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
                portText = "6379"
            }
            guard isAddress(String(host)) else {
                return .failure(
                    Failure("RELAY_CTRL_REDIS: '\(host)' is not an IPv4 or IPv6 address (names are not looked up)"))
            }
            guard let port = number(portText, limit: 65_535), port > 0 else {
                return .failure(Failure("RELAY_CTRL_REDIS: a bad port"))
            }
            location.endpoint = .tcp(address: String(host), port: Int32(port))
        } else {
            return .failure(Failure("RELAY_CTRL_REDIS must start with redis:// or unix:"))
        }
        return .success(location)
    }

    /// Decimal digits only, at most `limit`.
    public static func number(_ text: Substring, limit: Int) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text),
            value <= limit
        else { return nil }
        return value
    }

    static func isAddress(_ text: String) -> Bool {
        var buffer = in6_addr()
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }
}
