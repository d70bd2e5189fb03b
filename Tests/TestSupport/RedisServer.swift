import Foundation

/// A real redis-server (Debian's 7.0) on a Unix socket and on loopback, with the ACL users a
/// cluster gets: `writer` may only SET `relay-ctrl:*` keys, `reader` may only GET them, and the
/// default user is off. Stopped when the test ends.
public final class RedisServer {
    public let directory: URL
    public let socket: String
    public let port: Int
    private var server: Spawned?

    public static let binary = "/usr/bin/redis-server"

    public static let defaultUsers = [
        "user writer on >w-secret ~relay-ctrl:* resetchannels -@all +setex",
        "user reader on >r-secret ~relay-ctrl:* resetchannels -@all +get",
    ]

    public init(users: [String] = RedisServer.defaultUsers, socket: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.socket = socket ?? directory.appendingPathComponent("redis.sock").path
        port = try LoopbackPorts.block(1)[0]
        for (name, password) in [
            ("writer", "w-secret"), ("reader", "r-secret"), ("admin", "a-secret"), ("wrong", "nope"),
        ] {
            try Data("\(password)\n".utf8).write(to: directory.appendingPathComponent("\(name).password"))
        }
        try Data(
            """
            port \(port)
            bind 127.0.0.1
            unixsocket \(self.socket)
            unixsocketperm 700
            save ""
            appendonly no
            dir \(directory.path)
            user default off
            \(users.joined(separator: "\n"))
            user admin on >a-secret ~* &* +@all

            """.utf8
        ).write(to: directory.appendingPathComponent("redis.conf"))
        server = try Spawned(
            Self.binary, [directory.appendingPathComponent("redis.conf").path, "--logfile", "/dev/null"])
        _ = Spawned.waitForFile(self.socket)
    }

    deinit { stop() }

    public func stop() {
        server?.stop()
        server = nil
        try? FileManager.default.removeItem(at: directory)
    }

    public func password(_ user: String) -> String { directory.appendingPathComponent("\(user).password").path }

    public func url(_ user: String) -> String { "unix:\(socket)?user=\(user)" }

    /// Runs redis-cli as `user` (the admin plants values the tools would never write).
    public func cli(_ user: String, _ arguments: [String]) throws -> String {
        let secret = try String(contentsOfFile: password(user), encoding: .utf8).trimmingCharacters(in: .newlines)
        return try runProcess(
            "/usr/bin/redis-cli", ["-s", socket, "--user", user, "--pass", secret, "--no-auth-warning"] + arguments
        ).output
    }
}

/// A child process started with posix_spawn and stopped with SIGKILL and waitpid, not Process:
/// Foundation's waitUntilExit can miss a child's exit when the thread that started it is not the
/// one waiting.
public final class Spawned {
    private var pid: pid_t = 0

    public init(_ program: String, _ arguments: [String]) throws {
        var argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        guard posix_spawn(&pid, program, nil, nil, &argv, environ) == 0 else { throw POSIXError(.ENOEXEC) }
    }

    deinit { stop() }

    /// SIGSTOP and SIGCONT: a process whose sockets stay open and say nothing, as across a
    /// network partition.
    public func signal(_ number: Int32) {
        if pid > 0 { kill(pid, number) }
    }

    public func stop() {
        guard pid > 0 else { return }
        // A stopped process is killed all the same; continued, so that nothing is left pending.
        kill(pid, SIGCONT)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    /// Waits up to `seconds` for `path` to appear (a server's socket); whether it did.
    public static func waitForFile(_ path: String, seconds: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: path), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        return FileManager.default.fileExists(atPath: path)
    }
}

/// A Unix socket that listens and never accepts.
public final class UnixListener {
    public let descriptor: Int32

    public init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    public func close() { Glibc.close(descriptor) }
}
