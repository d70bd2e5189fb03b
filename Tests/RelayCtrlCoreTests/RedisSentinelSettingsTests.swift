import Foundation
import RelayCtrlCore
import Testing

@testable import RelayCtrlRedis

/// The login side's sentinel URL, the replies Sentinel and ROLE give, and how a check judges the
/// replica it reads: exact values, every refusal with its words.
@Suite struct RedisSentinelSettingsTests {
    @Test func sentinelURLsNameEachSentinelTheMasterAndTheDatabase() throws {
        let location = try RedisLocation.parse(
            "redis-sentinel://writer@192.0.2.1:26379,[2001:db8::2],192.0.2.3:5/2#relay"
        )
        .get()
        #expect(
            location.endpoint
                == .sentinels(
                    [
                        .init(address: "192.0.2.1", port: 26379), .init(address: "2001:db8::2", port: 26379),
                        .init(address: "192.0.2.3", port: 5),
                    ], master: "relay"))
        #expect(location.user == "writer" && location.database == 2)
        let bare = try RedisLocation.parse("redis-sentinel://127.0.0.1#relay-1.a_b").get()
        #expect(bare.endpoint == .sentinels([.init(address: "127.0.0.1", port: 26379)], master: "relay-1.a_b"))
        #expect(bare.user == nil && bare.database == 0)
    }

    @Test func badSentinelURLsAreRefusedWithTheirReason() {
        let many = (1...17).map { "127.0.0.1:\(26000 + $0)" }.joined(separator: ",")
        for (url, reason) in [
            ("redis-sentinel://127.0.0.1:26379", "a redis-sentinel:// URL names its master after #"),
            ("redis-sentinel://127.0.0.1:26379#", "a redis-sentinel:// URL names its master after #"),
            ("redis-sentinel://127.0.0.1#re lay", "the master's name is letters, digits, '-', '_' and '.' only"),
            ("redis-sentinel://w:pw@127.0.0.1#relay", "a password never (use RELAY_CTRL_REDIS_PASSWORD_FILE)"),
            ("redis-sentinel://sentinel.example.org#relay", "is not an IPv4 or IPv6 address (names are not looked up)"),
            ("redis-sentinel://127.0.0.1,#relay", "'' is not an IPv4 or IPv6 address"),
            ("redis-sentinel://127.0.0.1:0#relay", "a bad port"),
            ("redis-sentinel://127.0.0.1/x#relay", "the database must be a number"),
            ("redis-sentinel://\(many)#relay", "at most 16 sentinels"),
        ] {
            guard case .failure(let failure) = RedisLocation.parse(url) else {
                Issue.record("\(url) was taken")
                continue
            }
            #expect(failure.description.contains(reason), "\(url): \(failure)")
        }
    }

    @Test func waitAndStalenessSettings() throws {
        func parse(wait: String?, stale: String?) -> Result<RedisSettings, RedisSettings.SettingsError> {
            RedisSettings.parse(
                url: Array("redis-sentinel://writer@127.0.0.1#relay".utf8), passwordFile: nil, prefix: nil,
                timeout: nil, wait: wait.map { Array($0.utf8) }, staleAfter: stale.map { Array($0.utf8) })
        }
        let defaults = try parse(wait: nil, stale: nil).get()
        #expect(defaults.waitReplicas == 0 && defaults.staleAfterSeconds == nil)
        let set = try parse(wait: "2", stale: "10").get()
        #expect(set.waitReplicas == 2 && set.staleAfterSeconds == 10)
        for (wait, stale, reason) in [
            ("17", nil, "RELAY_CTRL_REDIS_WAIT must be 0 to 16 replicas"),
            ("-1", nil, "RELAY_CTRL_REDIS_WAIT must be 0 to 16 replicas"),
            (nil, "0", "RELAY_CTRL_REDIS_STALE_AFTER must be 1 to 3600 seconds"),
            (nil, "3601", "RELAY_CTRL_REDIS_STALE_AFTER must be 1 to 3600 seconds"),
            (nil, "5s", "RELAY_CTRL_REDIS_STALE_AFTER must be 1 to 3600 seconds"),
        ] as [(String?, String?, String)] {
            guard case .failure(let failure) = parse(wait: wait, stale: stale) else {
                Issue.record("\(String(describing: wait)) \(String(describing: stale)) was taken")
                continue
            }
            #expect(failure.description == reason)
        }
    }

    @Test func roleAndSentinelRepliesParse() {
        let role = "*3\r\n$6\r\nmaster\r\n:3129659\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$4\r\n9001\r\n$7\r\n3129242\r\n"
        #expect(
            RedisReply.parse(Array(role.utf8), from: 0)
                == .reply(
                    .array([.bulk(Array("master".utf8)), .integer(3_129_659), .array([.other])]), end: role.utf8.count))
        let address = "*2\r\n$9\r\n127.0.0.1\r\n$5\r\n26379\r\n"
        #expect(
            RedisReply.parse(Array(address.utf8), from: 0)
                == .reply(
                    .array([.bulk(Array("127.0.0.1".utf8)), .bulk(Array("26379".utf8))]), end: address.utf8.count))
    }

    func freshness(_ lines: [String]) -> ReplicaFreshness {
        ReplicaFreshness(info: Array((["# Replication"] + lines).joined(separator: "\r\n").utf8) + [13, 10])
    }

    @Test func aReplicaIsBelievedOnlyWithinTheBound() {
        #expect(freshness(["role:master", "connected_slaves:1"]).problem(bound: 10) == nil)
        let linked = ["role:slave", "master_link_status:up", "master_sync_in_progress:0"]
        #expect(freshness(linked + ["master_last_io_seconds_ago:1"]).problem(bound: 10) == nil)
        #expect(freshness(linked + ["master_last_io_seconds_ago:10"]).problem(bound: 10) == nil)
        #expect(
            freshness(linked + ["master_last_io_seconds_ago:11"]).problem(bound: 10)
                == "this replica last heard from its primary 11 s ago (more than 10 s)")
        let down = ["role:slave", "master_link_status:down", "master_last_io_seconds_ago:-1"]
        #expect(freshness(down + ["master_link_down_since_seconds:4"]).problem(bound: 10) == nil)
        #expect(
            freshness(down + ["master_link_down_since_seconds:12"]).problem(bound: 10)
                == "this replica lost its primary 12 s ago (more than 10 s)")
        #expect(
            freshness(down + ["master_link_down_since_seconds:-1"]).problem(bound: 10)
                == "this replica has not reached its primary since it started")
        #expect(
            freshness(["role:slave", "master_link_status:down", "master_sync_in_progress:1"]).problem(bound: 10)
                == "this replica is still loading its primary's data")
        #expect(freshness(["master_link_status:up"]).problem(bound: 10) == "INFO replication says no role")
        #expect(
            freshness(["role:slave", "master_link_status:up"]).problem(bound: 10)
                == "this replica has not heard from its primary")
    }
}
