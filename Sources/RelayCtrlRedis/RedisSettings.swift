import CRelayLibc

#if hasFeature(Embedded)
    import RelayCtrlCoreEmbedded
#else
    import RelayCtrlCore
#endif

/// Where grants live when several hosts share them, from the environment:
/// `RELAY_CTRL_REDIS` (read by `RedisLocation`), the password from the file named by
/// `RELAY_CTRL_REDIS_PASSWORD_FILE` (never from the environment or argv), the key prefix
/// `RELAY_CTRL_REDIS_PREFIX` (default `relay-ctrl:`), `RELAY_CTRL_REDIS_TIMEOUT` in
/// milliseconds (default 200): the most a tool waits for Redis in all, and
/// `RELAY_CTRL_REDIS_WAIT` (default 0): how many replicas a written grant must reach (Redis's
/// WAIT, within the same timeout) before the writer calls it safe from a failover; and, for a
/// check that reads a replica, `RELAY_CTRL_REDIS_STALE_AFTER` in seconds: how long the replica
/// may have gone without hearing from its primary before its answers are no longer trusted.
public struct RedisSettings: Sendable, Equatable {
    public typealias Endpoint = RedisLocation.Endpoint
    public typealias SettingsError = RedisLocation.Failure

    public var endpoint: Endpoint
    public var user: String?
    public var database: Int
    public var password: [UInt8]?
    public var prefix: [UInt8]
    public var timeoutMilliseconds: Int
    public var waitReplicas: Int
    /// nil: the server's answers are taken as they are (a primary, or a replica Redis itself
    /// stops when stale).
    public var staleAfterSeconds: Int?

    public static let variable = "RELAY_CTRL_REDIS"
    public static let defaultPrefix = RedisLocation.defaultPrefix
    public static let defaultTimeout = 200
    public static let passwordLimit = 1024
    public static let waitLimit = 16

    /// nil when RELAY_CTRL_REDIS is not set (the directory store is used); otherwise the
    /// settings, or why they cannot be used.
    public static func fromEnvironment() -> Result<RedisSettings, SettingsError>? {
        guard let url = Environment.value(variable) else { return nil }
        return parse(
            url: url,
            passwordFile: Environment.value("RELAY_CTRL_REDIS_PASSWORD_FILE"),
            prefix: Environment.value("RELAY_CTRL_REDIS_PREFIX"),
            timeout: Environment.value("RELAY_CTRL_REDIS_TIMEOUT"),
            wait: Environment.value("RELAY_CTRL_REDIS_WAIT"),
            staleAfter: Environment.value("RELAY_CTRL_REDIS_STALE_AFTER")
        )
    }

    /// The settings the tools would take from these variables' values (relaychain revoke).
    public static func settings(
        url: String, passwordFile: String, prefix: String, timeoutMilliseconds: Int = defaultTimeout
    ) -> Result<RedisSettings, SettingsError> {
        parse(
            url: Array(url.utf8), passwordFile: Array(passwordFile.utf8), prefix: Array(prefix.utf8),
            timeout: Array(String(timeoutMilliseconds).utf8))
    }

    static func parse(
        url: [UInt8], passwordFile: [UInt8]?, prefix: [UInt8]?, timeout: [UInt8]?, wait: [UInt8]? = nil,
        staleAfter: [UInt8]? = nil
    ) -> Result<RedisSettings, SettingsError> {
        var timeoutMilliseconds = defaultTimeout
        if let timeout {
            guard let value = RedisLocation.number(timeout[...], limit: 60_000), value >= 1 else {
                return .failure(SettingsError("RELAY_CTRL_REDIS_TIMEOUT must be 1 to 60000 milliseconds"))
            }
            timeoutMilliseconds = value
        }
        var waitReplicas = 0
        if let wait {
            guard let value = RedisLocation.number(wait[...], limit: waitLimit) else {
                return .failure(SettingsError("RELAY_CTRL_REDIS_WAIT must be 0 to \(waitLimit) replicas"))
            }
            waitReplicas = value
        }
        var staleAfterSeconds: Int?
        if let staleAfter {
            guard let value = RedisLocation.number(staleAfter[...], limit: 3600), value >= 1 else {
                return .failure(SettingsError("RELAY_CTRL_REDIS_STALE_AFTER must be 1 to 3600 seconds"))
            }
            staleAfterSeconds = value
        }
        let location: RedisLocation
        switch RedisLocation.parse(bytes: url) {
        case .success(let parsed): location = parsed
        case .failure(let error): return .failure(error)
        }
        var settings = RedisSettings(
            endpoint: location.endpoint, user: location.user, database: location.database, password: nil,
            prefix: prefix ?? Array(defaultPrefix.utf8), timeoutMilliseconds: timeoutMilliseconds,
            waitReplicas: waitReplicas, staleAfterSeconds: staleAfterSeconds)
        if let passwordFile {
            switch readPassword(String(decoding: passwordFile, as: UTF8.self)) {
            case .success(let password): settings.password = password
            case .failure(let error): return .failure(error)
            }
        }
        return .success(settings)
    }

    /// The first line of the file, at most `passwordLimit` bytes.
    static func readPassword(_ path: String) -> Result<[UInt8], SettingsError> {
        let descriptor = relay_open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else {
            return .failure(
                SettingsError("cannot read the Redis password file \(path): \(Log.systemError())"))
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: passwordLimit + 1)
        let count = read(descriptor, &bytes, bytes.count)
        guard count >= 0 else {
            return .failure(
                SettingsError("cannot read the Redis password file \(path): \(Log.systemError())"))
        }
        var password = Array(bytes[..<count])
        if let newline = password.firstIndex(of: UInt8(ascii: "\n")) { password = Array(password[..<newline]) }
        if password.last == UInt8(ascii: "\r") { password.removeLast() }
        guard !password.isEmpty, count <= passwordLimit else {
            return .failure(SettingsError("the Redis password file \(path) is empty or too long"))
        }
        return .success(password)
    }
}
