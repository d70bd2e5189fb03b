import Foundation

/// A real redis-server started from a redis.conf a test wrote, on a Unix socket; stopped when the
/// test ends or by `stop()` (a restart is `stop()`, then a new one from the same file).
public final class RedisProcess {
    public let socket: String
    private var pid: pid_t = 0

    public init(configuration: String, socket: String) throws {
        self.socket = socket
        try? FileManager.default.removeItem(atPath: socket)
        // posix_spawn and waitpid, as RedisServer does: Foundation's waitUntilExit can miss an exit.
        let arguments = [RedisServer.binary, configuration, "--logfile", "/dev/null"]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        guard posix_spawn(&pid, RedisServer.binary, nil, nil, &argv, environ) == 0 else {
            throw POSIXError(.ENOEXEC)
        }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        guard FileManager.default.fileExists(atPath: socket) else {
            stop()
            throw POSIXError(.ETIMEDOUT)
        }
    }

    deinit { stop() }

    public func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
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
