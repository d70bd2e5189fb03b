import Foundation

/// A real redis-server started from a redis.conf a test wrote, on a Unix socket; stopped when the
/// test ends or by `stop()` (a restart is `stop()`, then a new one from the same file).
public final class RedisProcess {
    public let socket: String
    private var server: Spawned?

    public init(configuration: String, socket: String) throws {
        self.socket = socket
        try? FileManager.default.removeItem(atPath: socket)
        server = try Spawned(RedisServer.binary, [configuration, "--logfile", "/dev/null"])
        guard Spawned.waitForFile(socket) else {
            stop()
            throw POSIXError(.ETIMEDOUT)
        }
    }

    deinit { stop() }

    public func stop() {
        server?.stop()
        server = nil
    }

    /// redis-cli as `user` with `password` (nil: Redis's default user, no AUTH): its output, or
    /// what it says of a refusal.
    public func cli(_ user: String?, _ password: String?, _ arguments: [String]) throws -> String {
        var words = ["-s", socket]
        if let user, let password { words += ["--user", user, "--pass", password, "--no-auth-warning"] }
        let result = try runProcess("/usr/bin/redis-cli", words + arguments)
        // redis-cli says a refused AUTH on standard error.
        return (result.output + result.errors).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
