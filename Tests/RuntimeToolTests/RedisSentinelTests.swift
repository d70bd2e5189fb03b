import Foundation
import TestSupport
import Testing

/// The tools against real Redis replication and real Sentinel (RedisSentinelCluster): the login
/// side asks the sentinels for the primary and writes there, each host's checks read their own
/// server's Unix socket, a failover is followed, a server that is not the primary is never written
/// to, and a replica cut off from its primary stops granting. Timing bounds are the suite's
/// (down-after 1 s, replicas stale after 3 s).
@Suite(
    .serialized,
    .enabled(if: FileManager.default.isExecutableFile(atPath: RedisServer.binary), "scripts/test installs redis-server")
)
struct RedisSentinelTests {
    let tools: ToolHarness
    let cluster: RedisSentinelCluster

    init() throws {
        tools = try ToolHarness()
        cluster = try RedisSentinelCluster()
        // The sentinels agree on the first primary and its replica is in sync before any test.
        let ready = try RedisSentinelCluster.waitUntil(seconds: 15) {
            try cluster.primaryPort() == cluster.serverPorts[0]
                && cluster.cli("admin", server: 1, ["INFO", "replication"]).contains("master_link_status:up")
                && cluster.sentinelsAreReady()
        }
        #expect(ready != nil, "the sentinels never agreed on the primary")
    }

    func login(_ address: String, wait: Int = 1, url: String? = nil, timeout: Int = 500) throws -> ToolHarness.Run {
        try tools.run(
            "relay-ctrl-allow", [tools.probe.path],
            environment: [
                "RELAY_CTRL_REDIS": url ?? cluster.sentinelURL,
                "RELAY_CTRL_REDIS_PASSWORD_FILE": cluster.password("writer"),
                "RELAY_CTRL_REDIS_WAIT": String(wait), "RELAY_CTRL_REDIS_TIMEOUT": String(timeout),
                "TCPREMOTEIP": address, "USER": "alice",
            ])
    }

    func check(_ address: String, server: Int) throws -> (run: ToolHarness.Run, seconds: Double) {
        let start = Date()
        let run = try tools.run(
            "relay-ctrl-check", [tools.probe.path],
            environment: [
                "RELAY_CTRL_REDIS": cluster.localURL(server: server),
                "RELAY_CTRL_REDIS_PASSWORD_FILE": cluster.password("reader"), "TCPREMOTEIP": address,
                "RELAY_CTRL_REDIS_STALE_AFTER": String(RedisSentinelCluster.staleAfterSeconds),
            ])
        return (run, Date().timeIntervalSince(start))
    }

    func relays(_ address: String, server: Int) throws -> Bool {
        try check(address, server: server).run.environment?["RELAYCLIENT"] == ""
    }

    @Test func aLoginIsWrittenToThePrimaryAndReadOnEveryReplica() throws {
        let login = try login("192.0.2.7")
        #expect(login.status == 42 && login.errors.isEmpty, "\(login.errors)")
        // WAIT 1 returned: the replica holds it already.
        #expect(
            try cluster.cli("admin", server: 1, ["--raw", "GET", "relay-ctrl:192.0.2.7"]).hasSuffix("USER=alice\0"))
        for server in cluster.serverPorts.indices {
            let (run, _) = try check("192.0.2.7", server: server)
            #expect(run.environment?["RELAYCLIENT"] == "" && run.environment?["USER"] == "alice", "\(run.errors)")
            #expect(try !relays("192.0.2.8", server: server), "a stranger relays nowhere")
        }
        // The writer's password asks the sentinels one thing only.
        let masters = try cluster.cli("writer", port: cluster.sentinelPorts[0], ["SENTINEL", "masters"])
        #expect(masters.contains("NOPERM"), "\(masters)")
    }

    @Test func aFailoverIsFollowedAndNothingIsLost() throws {
        #expect(try login("192.0.2.10").status == 42)
        cluster.stop(server: 0)
        let killed = Date()
        // The replica still answers with the grants made before, while the sentinels decide.
        #expect(try relays("192.0.2.10", server: 1))
        // Logins go on (the program runs) and grant again once the sentinels have promoted the replica.
        var attempts = 0
        var granted: Double?
        while Date().timeIntervalSince(killed) < 20 {
            attempts += 1
            let started = Date()
            let attempt = try login("192.0.2.11")
            #expect(attempt.status == 42 && Date().timeIntervalSince(started) < 1.0, "\(attempt.errors)")
            // Written on the new primary; WAIT 1 says no replica has it, since the only other
            // server is the dead one.
            if attempt.errors.contains("Recorded a grant for 192.0.2.11 in Redis, but only 0 of 1 replicas") {
                granted = Date().timeIntervalSince(killed)
                break
            }
            #expect(logLines(attempt.errors, program: "relay-ctrl-allow").count == 1, "\(attempt.errors)")
            Thread.sleep(forTimeInterval: 0.1)
        }
        let seconds = try #require(granted, "no login granted within 20 s of the primary's death")
        #expect(seconds < 10, "granting again took \(seconds) s (\(attempts) logins)")
        #expect(try cluster.primaryPort() == cluster.serverPorts[1])
        #expect(try relays("192.0.2.10", server: 1) && relays("192.0.2.11", server: 1))
        // The old primary comes back as a replica of the new one, with every grant and no other.
        try cluster.start(server: 0)
        let rejoined = try RedisSentinelCluster.waitUntil(seconds: 30) {
            try cluster.cli("admin", server: 0, ["INFO", "replication"]).contains("master_link_status:up")
        }
        #expect(rejoined != nil, "the old primary never rejoined as a replica")
        #expect(try relays("192.0.2.10", server: 0) && relays("192.0.2.11", server: 0))
        let keys = try cluster.cli("admin", server: 0, ["--raw", "KEYS", "relay-ctrl:*"]).split(separator: "\n")
            .sorted()
        #expect(keys == ["relay-ctrl:192.0.2.10", "relay-ctrl:192.0.2.11"])
    }

    /// A login while the sentinels still name the dead primary: the writer asks them again
    /// within its deadline, so a timeout longer than the failover writes on the new primary.
    @Test func aLoginDuringTheFailoverIsWrittenOnceTheSentinelsSwitch() throws {
        cluster.stop(server: 0)
        let started = Date()
        let login = try login("192.0.2.12", wait: 0, timeout: 8000)
        let seconds = Date().timeIntervalSince(started)
        #expect(login.status == 42 && login.errors.isEmpty, "\(login.errors)")
        #expect(seconds < 8, "\(seconds) s")
        // Written where ROLE said master: the replica the sentinels promoted.
        #expect(try cluster.cli("admin", server: 1, ["EXISTS", "relay-ctrl:192.0.2.12"]) == "1")
        #expect(try cluster.cli("admin", server: 1, ["ROLE"]).hasPrefix("master"))
    }

    /// Redis answers a WAIT its replicas leave unconfirmed on its timer tick, up to 100 ms after
    /// the WAIT's own timeout; the writer leaves room for that, and a WAIT still unanswered at the
    /// deadline means the grant was recorded and no replica confirmed it, not that nothing was.
    @Test(arguments: [50, 200, 500])
    func aGrantNoReplicaConfirmsIsStillRecordedWithinTheTimeout(timeout: Int) throws {
        cluster.pause(server: 1)
        defer { cluster.resume(server: 1) }
        let address = "192.0.2.\(40 + timeout / 50)"
        let started = Date()
        let login = try login(address, timeout: timeout)
        let seconds = Date().timeIntervalSince(started)
        #expect(login.status == 42 && seconds < Double(timeout) / 1000 + 0.1, "\(seconds) s")
        let lines = logLines(login.errors, program: "relay-ctrl-allow")
        #expect(
            lines.count == 1
                && lines[0].hasSuffix(
                    "Recorded a grant for \(address) in Redis, but only 0 of 1 replicas confirmed it in time:"
                        + " a failover now could lose it"),
            "\(lines)")
        #expect(try cluster.cli("admin", server: 0, ["EXISTS", "relay-ctrl:\(address)"]) == "1")
    }

    @Test func aServerThatIsNotThePrimaryIsNeverWrittenTo() throws {
        // A sentinel that names the replica (one cut off from the others can name an old primary).
        let liar = try FakeSentinel(answer: "127.0.0.1", port: cluster.serverPorts[1])
        let login = try login("192.0.2.20", wait: 0, url: "redis-sentinel://writer@127.0.0.1:\(liar.port)#relay")
        #expect(login.status == 42)
        #expect(
            login.errors.contains("the server the sentinels named is not the primary (ROLE slave)"), "\(login.errors)")
        for server in cluster.serverPorts.indices {
            #expect(try cluster.cli("admin", server: server, ["EXISTS", "relay-ctrl:192.0.2.20"]) == "0")
        }
    }

    @Test func noSentinelAnsweringCostsAtMostTheTimeout() throws {
        let silent = try FakeSentinel(answer: nil, port: 0)
        let closed = cluster.sentinelPorts.map { $0 + 100 }
        for url in [
            "redis-sentinel://writer@" + closed.map { "127.0.0.1:\($0)" }.joined(separator: ",") + "#relay",
            "redis-sentinel://writer@127.0.0.1:\(silent.port),127.0.0.1:\(closed[0])#relay",
        ] {
            let started = Date()
            let login = try login("192.0.2.30", url: url, timeout: 200)
            let seconds = Date().timeIntervalSince(started)
            #expect(login.status == 42 && seconds < 0.3, "\(seconds) s")
            let lines = logLines(login.errors, program: "relay-ctrl-allow")
            #expect(lines.count == 1 && lines[0].contains("no sentinel named the primary of relay"), "\(lines)")
        }
        #expect(try cluster.cli("admin", server: 0, ["EXISTS", "relay-ctrl:192.0.2.30"]) == "0")
    }

    @Test func aReplicaCutOffFromItsPrimaryStopsGranting() throws {
        #expect(try login("192.0.2.40").status == 42)
        // No failover this time: the replica stays one, and its primary falls silent with its
        // connections open (SIGSTOP), as across a partition: only the replica's timeout can tell.
        for index in cluster.sentinelPorts.indices { cluster.stop(sentinel: index) }
        cluster.pause(server: 0)
        defer { cluster.resume(server: 0) }
        let refused = try RedisSentinelCluster.waitUntil(seconds: 10) { try !relays("192.0.2.40", server: 1) }
        let seconds = try #require(refused, "the cut-off replica kept granting for 10 s")
        let bound = Double(RedisSentinelCluster.staleAfterSeconds)
        #expect(seconds >= bound - 1 && seconds <= bound + 2, "refused \(seconds) s after the cut")
        let (run, elapsed) = try check("192.0.2.40", server: 1)
        #expect(run.probeRan && elapsed < 0.3)
        let lines = logLines(run.errors, program: "relay-ctrl-check")
        #expect(
            lines.count == 1 && lines[0].contains("this replica last heard from its primary")
                && lines[0].contains("; not relaying"), "\(lines)")
        // Healed: the replica syncs again and grants again.
        cluster.resume(server: 0)
        let healed = try RedisSentinelCluster.waitUntil(seconds: 15) { try relays("192.0.2.40", server: 1) }
        #expect(healed != nil, "the replica never granted again once its primary was back")
    }
}

/// A TCP listener on loopback that plays a sentinel: to whatever it is sent it answers +OK (to
/// AUTH) and then `answer`:`port` as SENTINEL get-master-addr-by-name would; with no answer it
/// accepts and says nothing.
final class FakeSentinel {
    let port: Int
    private let descriptor: Int32
    private let thread: Thread

    init(answer: String?, port target: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        descriptor = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let reply = answer.map {
            "+OK\r\n*2\r\n$\($0.utf8.count)\r\n\($0)\r\n$\(String(target).utf8.count)\r\n\(target)\r\n"
        }
        thread = Thread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                guard let reply else { continue }  // held open, never answered
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &buffer, buffer.count)
                _ = reply.withCString { write(client, $0, strlen($0)) }
                close(client)
            }
        }
        thread.start()
    }

    deinit {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }
}
