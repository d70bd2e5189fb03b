import Foundation
import RelaychainCore
import TestSupport
import Testing

/// What doctor asks of the replicated fixture's window on each host: a copy as the host's checks
/// read it, the sentinels as its logins ask them, in the tools' own words.
@Suite struct ReplicaWatchTests {
    static let writer =
        "redis-sentinel://relay-writer@127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381/0#relay"
    static let reader = "unix:/var/run/relaychain/relay-copy/redis.sock?db=0&user=relay-reader"

    func watches(_ host: String) throws -> [Deployment.ReplicaWatch] {
        let result = try BuildTests.build(Fixtures.url("emit", "cluster-replicated.yaml"))
        return try #require(result.plan?.host(named: host)).deployment.replicaWatches
    }

    func watch(copy: String?, port: Int?, sentinels: String?) -> Deployment.ReplicaWatch {
        Deployment.ReplicaWatch(
            window: "relay", copyURL: copy, copyPort: port,
            readerPasswordFile: "/etc/relaychain/redis/relay-reader.password", staleAfter: 10,
            sentinelURL: sentinels, writerPasswordFile: "/etc/relaychain/redis/relay-writer.password",
            sentinelCount: 3, quorum: 2)
    }

    @Test func eachHostIsAskedWhatItHolds() throws {
        // store1: the first primary and a sentinel; mx1, mx2: a replica and a sentinel each.
        #expect(try watches("store1") == [watch(copy: Self.reader, port: 6379, sentinels: Self.writer)])
        #expect(try watches("mx1") == [watch(copy: Self.reader, port: 6380, sentinels: Self.writer)])
        #expect(try watches("mx2") == [watch(copy: Self.reader, port: 6381, sentinels: Self.writer)])
        // imap1 logs users in: it asks the sentinels and holds no copy.
        #expect(try watches("imap1") == [watch(copy: nil, port: nil, sentinels: Self.writer)])
    }

    @Test func aSpecWithoutReplicationHasNone() throws {
        let result = try BuildTests.build(Fixtures.url("emit", "cluster.yaml"))
        for host in result.plan?.hosts ?? [] { #expect(host.deployment.replicaWatches.isEmpty) }
        #expect(result.plan?.hosts.isEmpty == false)
    }
}
