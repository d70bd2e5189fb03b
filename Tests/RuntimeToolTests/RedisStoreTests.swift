import Foundation
import TestSupport
import Testing

@Suite(
    .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: RedisServer.binary), "scripts/test installs redis-server")
)
struct RedisStoreTests {
    let tools: ToolHarness
    let redis: RedisServer

    init() throws {
        tools = try ToolHarness()
        redis = try RedisServer()
    }

    func environment(_ user: String, _ extra: [String: String] = [:], url: String? = nil) -> [String: String] {
        ["RELAY_CTRL_REDIS": url ?? redis.url(user), "RELAY_CTRL_REDIS_PASSWORD_FILE": redis.password(user)]
            .merging(extra) { $1 }
    }

    func login(_ address: String, user: String = "writer", _ extra: [String: String] = [:], url: String? = nil) throws
        -> ToolHarness.Run
    {
        try tools.run(
            "relay-ctrl-allow", [tools.probe.path],
            environment: environment(user, ["TCPREMOTEIP": address, "USER": "alice"].merging(extra) { $1 }, url: url))
    }

    func connect(_ address: String, user: String = "reader", _ extra: [String: String] = [:], url: String? = nil) throws
        -> (run: ToolHarness.Run, seconds: Double)
    {
        let start = Date()
        let run = try tools.run(
            "relay-ctrl-check", [tools.probe.path],
            environment: environment(user, ["TCPREMOTEIP": address].merging(extra) { $1 }, url: url))
        return (run, Date().timeIntervalSince(start))
    }

    @Test func aLoginRelaysThroughTheSharedStore() throws {
        let login = try login("192.0.2.7")
        #expect(login.status == 42 && login.errors.isEmpty, "\(login.errors)")
        let value = try redis.cli("admin", ["--raw", "GET", "relay-ctrl:192.0.2.7"])
        #expect(value.hasPrefix("relay-ctrl-time=") && value.hasSuffix("\0USER=alice\0\n"), "\(value.debugDescription)")
        let ttl =
            Int(
                try redis.cli("admin", ["TTL", "relay-ctrl:192.0.2.7"]).trimmingCharacters(in: .whitespacesAndNewlines))
            ?? -1
        #expect((890...900).contains(ttl), "SET ... EX 900 (the default window): TTL \(ttl)")
        let (check, _) = try connect("192.0.2.7")
        #expect(check.status == 42 && check.errors.isEmpty, "\(check.errors)")
        #expect(check.environment?["RELAYCLIENT"] == "" && check.environment?["USER"] == "alice")
        let (stranger, _) = try connect("192.0.2.8")
        #expect(stranger.probeRan && stranger.environment?["RELAYCLIENT"] == nil)
    }

    @Test func ipv6AddressesAreKeyedCanonically() throws {
        #expect(try login("2001:DB8:0::1").status == 42)
        #expect(try redis.cli("admin", ["EXISTS", "relay-ctrl:2001:db8::1"]).hasPrefix("1"))
        #expect(try connect("2001:db8:0:0::1").run.environment?["RELAYCLIENT"] == "")
    }

    @Test func overTCPOnLoopbackToo() throws {
        let writer = "redis://writer@127.0.0.1:\(redis.port)"
        let reader = "redis://reader@127.0.0.1:\(redis.port)"
        #expect(try login("198.51.100.4", url: writer).errors.isEmpty)
        #expect(try connect("198.51.100.4", url: reader).run.environment?["RELAYCLIENT"] == "")
    }

    /// Redis forgets the key after the window, and check applies its own window to the login time
    /// even when the key is still there (a longer EX on the login side grants no longer).
    @Test func theWindowEnds() throws {
        #expect(try login("192.0.2.20", ["RELAY_CTRL_EXPIRY": "1"]).errors.isEmpty)
        #expect(try login("192.0.2.21", ["RELAY_CTRL_EXPIRY": "60"]).errors.isEmpty)
        Thread.sleep(forTimeInterval: 2.2)
        #expect(try redis.cli("admin", ["EXISTS", "relay-ctrl:192.0.2.20"]).hasPrefix("0"), "the key outlived EX 1")
        #expect(try connect("192.0.2.20").run.environment?["RELAYCLIENT"] == nil)
        let (late, _) = try connect("192.0.2.21", ["RELAY_CTRL_EXPIRY": "1"])
        #expect(late.probeRan && late.environment?["RELAYCLIENT"] == nil, "check's own 1 s window")
    }

    /// The SMTP hosts' credentials cannot grant: an SMTP host that is broken into cannot relay.
    @Test func theReaderCannotWriteAGrant() throws {
        let attempt = try login("192.0.2.30", user: "reader")
        #expect(attempt.status == 42, "the login still goes on")
        #expect(
            attempt.errors.contains("Could not record a grant for 192.0.2.30 in Redis: Redis refused: NOPERM"),
            "\(attempt.errors)")
        #expect(try redis.cli("admin", ["EXISTS", "relay-ctrl:192.0.2.30"]).hasPrefix("0"))
        #expect(try redis.cli("reader", ["SET", "relay-ctrl:192.0.2.30", "x"]).hasPrefix("NOPERM"))
        #expect(try redis.cli("writer", ["GET", "relay-ctrl:192.0.2.30"]).hasPrefix("NOPERM"))
    }

    /// The login side writes grants and never reads one: SET's GET option (what a broken-into login
    /// host would try, to learn who relays from where) is no command of the writer's.
    @Test func theWriterCannotReadAGrant() throws {
        #expect(try login("192.0.2.31", user: "writer").status == 42)
        let ttl = try redis.cli("admin", ["TTL", "relay-ctrl:192.0.2.31"])
        #expect(Int(ttl.trimmingCharacters(in: .whitespacesAndNewlines)).map { $0 > 0 } == true, "TTL \(ttl)")
        let read = try redis.cli("writer", ["SET", "relay-ctrl:192.0.2.31", "x", "NX", "GET"])
        #expect(read.hasPrefix("NOPERM"), "\(read)")
        #expect(try redis.cli("admin", ["GET", "relay-ctrl:192.0.2.31"]).hasPrefix("relay-ctrl-time="))
    }

    @Test func aWrongPasswordGrantsNothing() throws {
        #expect(try login("192.0.2.40").errors.isEmpty)
        let (check, _) = try connect("192.0.2.40", user: "wrong", url: redis.url("reader"))
        #expect(check.probeRan && check.environment?["RELAYCLIENT"] == nil)
        #expect(
            check.errors.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1,
            "one log line: \(check.errors)")
        #expect(check.errors.contains("WRONGPASS"))
    }

    /// Values relaychain did not write grant nothing: no login time, a time that is not a number,
    /// a value larger than a grant file may be, a login time in the future, another type of key.
    @Test func malformedValuesGrantNothing() throws {
        _ = try redis.cli("admin", ["SET", "relay-ctrl:192.0.2.50", "USER=mallory"])
        _ = try redis.cli("admin", ["SET", "relay-ctrl:192.0.2.51", "relay-ctrl-time=soon"])
        _ = try redis.cli(
            "admin", ["SET", "relay-ctrl:192.0.2.52", "relay-ctrl-time=1" + String(repeating: "x", count: 9000)])
        _ = try redis.cli("admin", ["SET", "relay-ctrl:192.0.2.53", "relay-ctrl-time=4102444800"])
        _ = try redis.cli("admin", ["LPUSH", "relay-ctrl:192.0.2.54", "x"])
        for last in 50...54 {
            let (check, _) = try connect("192.0.2.\(last)")
            #expect(check.probeRan && check.environment?["RELAYCLIENT"] == nil, "192.0.2.\(last): \(check.errors)")
            #expect(!check.errors.isEmpty, "192.0.2.\(last) says why")
        }
    }

    /// A Unix-socket server in Python that runs `serving` on each connection `c`, then closes it;
    /// returned once its socket exists.
    static func pythonServer(at path: String, serving: String) throws -> Spawned {
        let server = try Spawned(
            "/usr/bin/python3",
            [
                "-c",
                """
                import socket
                s = socket.socket(socket.AF_UNIX); s.bind(\(String(reflecting: path))); s.listen(64)
                while True:
                    c, _ = s.accept(); \(serving); c.close()
                """,
            ])
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: path), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        return server
    }

    /// Redis stopped, a socket that never answers, and one that answers garbage: each check
    /// adds at most the timeout, grants nothing, logs one line and runs the chain.
    @Test func failSafe() throws {
        let timeout = ["RELAY_CTRL_REDIS_TIMEOUT": "200"]
        // A listener that never accepts: the connection completes in the backlog, no answer comes.
        let silent = redis.directory.appendingPathComponent("silent.sock").path
        let listener = try UnixListener(path: silent)
        defer { listener.close() }
        let (hung, hungSeconds) = try connect("192.0.2.60", timeout, url: "unix:\(silent)?user=reader")
        #expect(hung.probeRan && hung.environment?["RELAYCLIENT"] == nil)
        #expect(hungSeconds < 0.3, "took \(hungSeconds) s with a 200 ms timeout")
        #expect(hung.errors.contains("no answer from Redis in time"), "\(hung.errors)")

        let garbage = redis.directory.appendingPathComponent("garbage.sock").path
        let talker = try Self.pythonServer(
            at: garbage, serving: "c.recv(4096); c.sendall(b\"HTTP/1.1 400 Bad Request\\r\\n\\r\\n\" + b\"x\" * 100000)"
        )
        defer { talker.stop() }
        let (noise, noiseSeconds) = try connect("192.0.2.61", timeout, url: "unix:\(garbage)?user=reader")
        #expect(noise.probeRan && noise.environment?["RELAYCLIENT"] == nil && noiseSeconds < 0.3, "\(noise.errors)")
        #expect(noise.errors.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1, "\(noise.errors)")

        let granted = try login("192.0.2.62", ["RELAY_CTRL_REDIS_TIMEOUT": "5000"])
        #expect(granted.errors.isEmpty, "\(granted.errors)")
        redis.stop()
        let (down, downSeconds) = try connect("192.0.2.62", timeout)
        #expect(down.probeRan && down.environment?["RELAYCLIENT"] == nil && downSeconds < 0.3, "\(down.errors)")
        let start = Date()
        let stillLogsIn = try login("192.0.2.63", timeout)
        #expect(
            stillLogsIn.status == 42 && Date().timeIntervalSince(start) < 0.3, "relay-ctrl-allow never blocks a login")
    }

    /// A peer that takes the connection and hangs up at once, as spiped does in front of a Redis
    /// that is down: the check's write then raised SIGPIPE and killed it before the mail server ran
    /// (43 of 50 times here; the cluster test met it under load). Now each check logs the broken
    /// pipe and runs the chain, and the chain gets SIGPIPE's default back (ignored stays ignored
    /// across exec).
    @Test func aPeerThatHangsUpNeverKillsTheCheck() throws {
        let hangsUp = redis.directory.appendingPathComponent("hangs-up.sock").path
        let peer = try Self.pythonServer(at: hangsUp, serving: "pass")
        defer { peer.stop() }
        var outcomes: [String] = []
        for _ in 0..<20 {
            let (run, _) = try connect("192.0.2.64", url: "unix:\(hangsUp)?user=reader")
            if !run.probeRan { outcomes.append("exit \(run.status): \(run.errors)") }
            #expect(run.probeRan == false || run.environment?["RELAYCLIENT"] == nil)
        }
        #expect(outcomes.isEmpty, "the check died instead of running the mail server: \(outcomes)")
        let status = redis.directory.appendingPathComponent("sigign").path
        _ = try tools.run(
            "relay-ctrl-check", ["/bin/sh", "-c", "grep ^SigIgn: /proc/self/status > \(status)"],
            environment: environment("reader", ["TCPREMOTEIP": "192.0.2.64"], url: "unix:\(hangsUp)?user=reader"))
        let line = try String(contentsOfFile: status, encoding: .utf8)
        let mask = UInt64(line.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespacesAndNewlines), radix: 16)
        #expect(mask.map { $0 & (1 << (UInt64(SIGPIPE) - 1)) == 0 } == true, "SIGPIPE ignored in the chain: \(line)")
    }

    /// A Unix socket whose listen queue is full refuses a non-blocking connect with EAGAIN (the
    /// cluster test found it under 200 logins): the check tries again within its timeout, and
    /// relays once the queue drains. In front of Redis, a relay whose queue is full for 300 ms.
    @Test func aFullListenQueueIsWaitedFor() throws {
        #expect(try login("192.0.2.80").errors.isEmpty)
        let busy = redis.directory.appendingPathComponent("busy.sock").path
        let ready = redis.directory.appendingPathComponent("busy.ready").path
        let relay = try Spawned(
            "/usr/bin/python3",
            [
                "-c",
                """
                import socket, threading, time
                path, target, ready = \(String(reflecting: busy)), \(String(reflecting: redis.socket)), \
                    \(String(reflecting: ready))
                s = socket.socket(socket.AF_UNIX); s.bind(path); s.listen(0)
                fillers = []
                while True:
                    c = socket.socket(socket.AF_UNIX); c.setblocking(False)
                    try:
                        c.connect(path)
                    except BlockingIOError:
                        break
                    fillers.append(c)
                open(ready, "w").close()
                time.sleep(0.3)
                for c in fillers: c.close()
                def pipe(a, b):
                    try:
                        while data := a.recv(65536): b.sendall(data)
                    except OSError: pass
                    try: b.shutdown(socket.SHUT_WR)
                    except OSError: pass
                while True:
                    c, _ = s.accept()
                    u = socket.socket(socket.AF_UNIX); u.connect(target)
                    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
                    threading.Thread(target=pipe, args=(u, c), daemon=True).start()
                """,
            ])
        defer { relay.stop() }
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: ready), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let (check, seconds) = try connect(
            "192.0.2.80", ["RELAY_CTRL_REDIS_TIMEOUT": "2000"], url: "unix:\(busy)?user=reader")
        #expect(check.environment?["RELAYCLIENT"] == "", "\(check.errors)")
        #expect(check.errors.isEmpty, "\(check.errors)")
        #expect(seconds > 0.1 && seconds < 2, "waited \(seconds) s for a queue full for 0.3 s")
    }

    /// relay-ctrl-send keeps its name and arguments; the UDP design is refused, and the program
    /// runs anyway.
    @Test func relayCtrlSendRecordsInRedis() throws {
        let sent = try tools.run(
            "relay-ctrl-send", [tools.probe.path],
            environment: environment(
                "writer", ["TCPREMOTEIP": "192.0.2.70", "RELAY_CTRL_REMOTES": "192.0.2.1 192.0.2.2"]))
        #expect(sent.status == 42)
        #expect(sent.errors.contains("RELAY_CTRL_REMOTES (UDP to relay-ctrl-udp) is not supported"), "\(sent.errors)")
        #expect(sent.errors.contains("set RELAY_CTRL_REDIS to share grants through Redis instead"))
        #expect(try connect("192.0.2.70").run.environment?["RELAYCLIENT"] == "")
    }

    /// What `relaychain build` emits for a Redis window, used as it is: its ACL lines (with the
    /// passwords the administrator adds) in a real redis-server, the post-login script's words for
    /// relay-ctrl-allow and the run script's for relay-ctrl-check.
    @Test func theEmittedACLsAndWordsWork() throws {
        let passwords = tools.root.appendingPathComponent("passwords")
        try FileManager.default.createDirectory(at: passwords, withIntermediateDirectories: true)
        try Data("login-side\n".utf8).write(to: passwords.appendingPathComponent("mx-writer.password"))
        try Data("smtp-side\n".utf8).write(to: passwords.appendingPathComponent("mx-reader.password"))
        let socket = tools.root.appendingPathComponent("emitted.sock").path
        let spec = tools.root.appendingPathComponent("spec.yaml")
        try Data(
            """
            relaychain: 1
            platform: { prefix: /usr/local }
            windows:
              relay:
                redis:
                  socket: \(socket)
                  db: 3
                  prefix: "mx:"
                  writer: mx-writer
                  reader: mx-reader
                  password-dir: \(passwords.path)
            services:
              mail: { server: dovecot, version: "2.3", protocols: [imap], grants: relay }
              smtp: { server: qmail-smtpd, run-by: daemontools, checks: relay }

            """.utf8
        ).write(to: spec)
        let built = try runProcess(try BuiltProduct.path("relaychain"), ["build", spec.path, "--stdout"])
        #expect(built.status == 0, "\(built.errors)")
        let lines = built.output.split(separator: "\n").map(String.init)
        let acl = lines.filter { $0.hasPrefix("user ") }
        try #require(
            acl == [
                "user mx-writer on ~mx:* resetchannels -@all +setex +select",
                "user mx-reader on ~mx:* resetchannels -@all +get +select",
            ])
        let emitted = try RedisServer(users: [acl[0] + " >login-side", acl[1] + " >smtp-side"], socket: socket)
        defer { emitted.stop() }
        /// NAME='value' words of the line that runs `program`.
        func words(_ program: String) throws -> [String: String] {
            let line = try #require(lines.last { $0.contains(program) && $0.contains("RELAY_CTRL_REDIS=") })
            var found: [String: String] = [:]
            for match in line.matches(of: /([A-Z_]+)='([^']*)'/) { found[String(match.1)] = String(match.2) }
            return found
        }
        let writer = try words("relay-ctrl-allow")
        let reader = try words("RELAY_CTRL_EXPIRY")
        #expect(writer["RELAY_CTRL_REDIS"] == "unix:\(socket)?db=3&user=mx-writer")
        #expect(reader["RELAY_CTRL_REDIS"] == "unix:\(socket)?db=3&user=mx-reader")
        let login = try tools.run(
            "relay-ctrl-allow", [tools.probe.path],
            environment: writer.merging(["TCPREMOTEIP": "192.0.2.90", "USER": "bob"]) { $1 })
        #expect(login.status == 42 && login.errors.isEmpty, "\(login.errors)")
        let check = try tools.run(
            "relay-ctrl-check", [tools.probe.path], environment: reader.merging(["TCPREMOTEIP": "192.0.2.90"]) { $1 })
        #expect(check.environment?["RELAYCLIENT"] == "" && check.environment?["USER"] == "bob", "\(check.errors)")
        let forged = try tools.run(
            "relay-ctrl-allow", [tools.probe.path], environment: reader.merging(["TCPREMOTEIP": "192.0.2.91"]) { $1 })
        #expect(forged.errors.contains("NOPERM"), "the SMTP side's user cannot write: \(forged.errors)")
    }

    @Test func badSettingsAreSaidAndGrantNothing() throws {
        for (url, message) in [
            ("redis://mail.example.org:6379", "is not an IPv4 or IPv6 address (names are not looked up)"),
            ("redis://reader:secret@127.0.0.1", "a password never (use RELAY_CTRL_REDIS_PASSWORD_FILE)"),
            ("http://127.0.0.1", "must start with redis://, unix: or redis-sentinel://"),
            ("redis-sentinel://reader@127.0.0.1:26379#relay", "a redis-sentinel:// URL is for the login side"),
        ] {
            let (check, seconds) = try connect("192.0.2.80", url: url)
            #expect(check.probeRan && check.environment?["RELAYCLIENT"] == nil && seconds < 0.3)
            #expect(check.errors.contains(message), "\(url): \(check.errors)")
        }
    }
}
