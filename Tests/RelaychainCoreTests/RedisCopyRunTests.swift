import Foundation
import RelaychainCore
import Testing

/// Which primary a copy's run script follows when its supervisor starts it: the one its host's
/// sentinel last knew (Sentinel's rewrite of redis.conf fails, the root owns it), else the
/// spec's first; redis.conf itself names none.
@Suite struct RedisCopyRunTests {
    /// mx1 the first primary, mx2 and mx3 replicas; mx3 holds a copy and no sentinel.
    static let spec = """
        relaychain: 1
        platform: { profile: debian }
        hosts:
          imap1: { address: 192.0.2.10 }
          mx1: { address: 192.0.2.21 }
          mx2: { address: 192.0.2.22 }
          mx3: { address: 192.0.2.23 }
        windows:
          relay:
            redis:
              address: "127.0.0.1:6379"
              host: mx1
              admin: admin
              spiped: {}
              replication: { replicas: [mx2, mx3], sentinels: [imap1, mx1, mx2] }
        services:
          mail: { server: dovecot, version: "2.3", protocols: [imap], grants: relay, host: imap1 }
          smtp1: { server: qmail-smtpd, run-by: daemontools, checks: relay, host: mx1 }
          smtp2: { server: qmail-smtpd, run-by: daemontools, checks: relay, host: mx2 }
          smtp3: { server: qmail-smtpd, run-by: daemontools, checks: relay, host: mx3 }

        """

    func file(_ path: String) throws -> String {
        let result = Relaychain.build(path: "spec.yaml", bytes: Array(Self.spec.utf8), specName: "spec.yaml")
        #expect(result.diagnostics.filter { $0.severity == .error }.isEmpty, "\(result.diagnostics)")
        return try #require(result.files.first { $0.path == path }, "no \(path)").contents
    }

    /// The lines from `primary=` to the one that sets replicaof, as the run script has them.
    func follow(_ host: String) throws -> [Substring] {
        let lines = try file("\(host)/service/redis-relay/run").split(separator: "\n")
        let first = try #require(lines.firstIndex { $0.contains("primary=") })
        let last = try #require(lines.firstIndex { $0.hasPrefix("[ \"$primary\" = ") })
        return Array(lines[first...last])
    }

    @Test func aCopyBesideASentinelFollowsThePrimaryItLastKnew() throws {
        #expect(
            try follow("mx2") == [
                "primary=$(/usr/bin/setuidgid redis sed -n 's/^sentinel monitor relay 127\\.0\\.0\\.1 "
                    + "\\([0-9][0-9]*\\) .*/\\1/p' /var/lib/relaychain/sentinel-relay/sentinel.conf 2>/dev/null "
                    + "| head -n 1)",
                "[ -n \"$primary\" ] || primary=6379", "replicaof=",
                "[ \"$primary\" = 6380 ] || replicaof=\"replicaof 127.0.0.1 $primary\"",
            ])
        // The first primary's script is the same, with its own port: it follows no one while it is it.
        #expect(try follow("mx1").last == "[ \"$primary\" = 6379 ] || replicaof=\"replicaof 127.0.0.1 $primary\"")
    }

    @Test func aCopyWithoutASentinelFollowsTheFirstPrimary() throws {
        #expect(
            try follow("mx3") == [
                "primary=6379", "replicaof=", "[ \"$primary\" = 6381 ] || replicaof=\"replicaof 127.0.0.1 $primary\"",
            ])
    }

    @Test func redisConfNamesNoPrimary() throws {
        for host in ["mx1", "mx2", "mx3"] {
            #expect(try !file("\(host)/service/redis-relay/redis.conf").contains("replicaof"))
            #expect(try file("\(host)/service/redis-relay/run").contains("masterauth $masterauth\n$replicaof\nEOF\n"))
        }
    }
}
