import Glibc
import RelayCtrlCore

/// Where grants live when several hosts share them, from the environment:
/// `RELAY_CTRL_REDIS` (`redis://[user@]address:port/db` or `unix:/path?db=N&user=NAME`; addresses only, so
/// no DNS lookup can hang a login or a connection), the password from the file named by
/// `RELAY_CTRL_REDIS_PASSWORD_FILE` (never from the environment or argv), the key prefix
/// `RELAY_CTRL_REDIS_PREFIX` (default `relay-ctrl:`), and `RELAY_CTRL_REDIS_TIMEOUT` in
/// milliseconds (default 200): the most a tool waits for Redis in all.
public struct RedisSettings: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(address: String, port: Int32)
        case unix(path: String)
    }

    public var endpoint: Endpoint
    public var user: String?
    public var database: Int
    public var password: [UInt8]?
    public var prefix: [UInt8]
    public var timeoutMilliseconds: Int

    public static let variable = "RELAY_CTRL_REDIS"
    public static let defaultPrefix = "relay-ctrl:"
    public static let defaultTimeout = 200
    public static let passwordLimit = 1024

    /// nil when RELAY_CTRL_REDIS is not set (the directory store is used); otherwise the
    /// settings, or why they cannot be used.
    public static func fromEnvironment() -> Result<RedisSettings, SettingsError>? {
        guard let url = Environment.value(variable) else { return nil }
        return parse(
            url: String(decoding: url, as: UTF8.self),
            passwordFile: Environment.value("RELAY_CTRL_REDIS_PASSWORD_FILE"),
            prefix: Environment.value("RELAY_CTRL_REDIS_PREFIX"), timeout: Environment.value("RELAY_CTRL_REDIS_TIMEOUT")
        )
    }

    public struct SettingsError: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    static func parse(url: String, passwordFile: [UInt8]?, prefix: [UInt8]?, timeout: [UInt8]?) -> Result<
        RedisSettings, SettingsError
    > {
        func failure(_ text: String) -> Result<RedisSettings, SettingsError> {
            .failure(SettingsError(description: text))
        }
        var settings = RedisSettings(
            endpoint: .unix(path: "/"), user: nil, database: 0, password: nil,
            prefix: prefix ?? Array(defaultPrefix.utf8), timeoutMilliseconds: defaultTimeout)
        if let timeout {
            guard let value = Int(String(decoding: timeout, as: UTF8.self)), (1...60_000).contains(value) else {
                return failure("RELAY_CTRL_REDIS_TIMEOUT must be 1 to 60000 milliseconds")
            }
            settings.timeoutMilliseconds = value
        }
        if url.hasPrefix("unix:") {
            var rest = Substring(url.dropFirst(5))
            if let query = rest.firstIndex(of: "?") {
                for parameter in rest[rest.index(after: query)...].split(
                    separator: "&", omittingEmptySubsequences: false)
                {
                    if parameter.hasPrefix("db="), let database = number(parameter.dropFirst(3), limit: 9_999) {
                        settings.database = database
                    } else if parameter.hasPrefix("user="), parameter.count > 5 {
                        settings.user = String(parameter.dropFirst(5))
                    } else {
                        return failure("RELAY_CTRL_REDIS: after the socket path only ?db=N and &user=NAME may follow")
                    }
                }
                rest = rest[..<query]
            }
            guard rest.hasPrefix("/"), rest.utf8.count < 108 else {
                return failure("RELAY_CTRL_REDIS: the socket must be an absolute path shorter than 108 bytes")
            }
            settings.endpoint = .unix(path: String(rest))
        } else if url.hasPrefix("redis://") {
            var rest = Substring(url.dropFirst(8))
            if let at = rest.firstIndex(of: "@") {
                let user = rest[..<at]
                guard !user.isEmpty, !user.contains(":") else {
                    return failure(
                        "RELAY_CTRL_REDIS: a user may be named, a password never (use RELAY_CTRL_REDIS_PASSWORD_FILE)")
                }
                settings.user = String(user)
                rest = rest[rest.index(after: at)...]
            }
            if let slash = rest.firstIndex(of: "/") {
                guard let database = number(rest[rest.index(after: slash)...], limit: 9_999) else {
                    return failure("RELAY_CTRL_REDIS: the database must be a number")
                }
                settings.database = database
                rest = rest[..<slash]
            }
            let host: Substring
            let portText: Substring
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return failure("RELAY_CTRL_REDIS: an unclosed [") }
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
                return failure("RELAY_CTRL_REDIS: '\(host)' is not an IPv4 or IPv6 address (names are not looked up)")
            }
            guard let port = number(portText, limit: 65_535), port > 0 else {
                return failure("RELAY_CTRL_REDIS: a bad port")
            }
            settings.endpoint = .tcp(address: String(host), port: Int32(port))
        } else {
            return failure("RELAY_CTRL_REDIS must start with redis:// or unix:")
        }
        if let passwordFile {
            switch readPassword(String(decoding: passwordFile, as: UTF8.self)) {
            case .success(let password): settings.password = password
            case .failure(let error): return .failure(error)
            }
        }
        return .success(settings)
    }

    static func number(_ text: Substring, limit: Int) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text),
            value <= limit
        else { return nil }
        return value
    }

    static func isAddress(_ text: String) -> Bool {
        var buffer = in6_addr()
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    /// The first line of the file, at most `passwordLimit` bytes.
    static func readPassword(_ path: String) -> Result<[UInt8], SettingsError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else {
            return .failure(
                SettingsError(description: "cannot read the Redis password file \(path): \(Log.systemError())"))
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: passwordLimit + 1)
        let count = read(descriptor, &bytes, bytes.count)
        guard count >= 0 else {
            return .failure(
                SettingsError(description: "cannot read the Redis password file \(path): \(Log.systemError())"))
        }
        var password = Array(bytes[..<count])
        if let newline = password.firstIndex(of: UInt8(ascii: "\n")) { password = Array(password[..<newline]) }
        if password.last == UInt8(ascii: "\r") { password.removeLast() }
        guard !password.isEmpty, count <= passwordLimit else {
            return .failure(SettingsError(description: "the Redis password file \(path) is empty or too long"))
        }
        return .success(password)
    }
}
