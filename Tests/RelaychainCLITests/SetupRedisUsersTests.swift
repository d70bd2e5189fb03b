import Foundation
import TestSupport
import Testing

/// setup on the Redis host sets the window's ACL users itself, with a real redis-server: each
/// user's SHA-256 from its password file, merged into the administrator's aclfile beside the
/// lines of theirs (kept byte for byte), and set in the running server; a restart loses none.
@Suite(.enabled(if: getuid() == 0, "setup changes owners; scripts/test runs as root"))
struct SetupRedisUsersTests {
    let scratch: URL
    var root: String { scratch.appendingPathComponent("root").path }
    var output: String { scratch.appendingPathComponent("out").path }
    var socket: String { scratch.appendingPathComponent("redis.sock").path }
    var aclfile: String { root + "/etc/redis/users.acl" }
    static let passwords = ["relay-writer": "w-\(UUID().uuidString)", "relay-reader": "r-\(UUID().uuidString)"]
    static let adminPassword = "a-\(UUID().uuidString)"
    /// The administrator's own lines, one of them for an earlier writer that setup replaces.
    var administrators: String {
        "user default off\nuser admin on #\(Self.sha256(Self.adminPassword)) ~* &* +@all\n"
            + "user relay-writer on >stale ~* +@all\nuser monitor on nopass +ping +info\n"
    }

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("relaychain-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root + "/etc/redis", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: root + "/etc/relaychain/redis", withIntermediateDirectories: true)
    }

    static func sha256(_ text: String) -> String {
        let result = try? runProcess("/usr/bin/sha256sum", [], input: Data(text.utf8))
        return String((result?.output ?? "").prefix(64))
    }

    func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

    /// The spec (Redis on this host's socket), its build, the password files an administrator
    /// hands the host, and redis.conf as Debian's names its aclfile.
    func prepare(admin: Bool = true) throws {
        let spec = scratch.appendingPathComponent("spec.yaml").path
        try write(
            """
            relaychain: 1
            platform: { profile: debian }
            windows:
              relay:
                redis: { socket: \(socket)\(admin ? ", admin: admin" : "") }
                length: 15m
            services:
              imap: { server: dovecot, version: "2.3", protocols: [imap], grants: relay }
              smtp: { server: qmail-smtpd, run-by: daemontools, checks: relay }

            """, spec)
        let built = try runProcess(try BuiltProduct.path("relaychain"), ["build", spec, "--output", output])
        #expect(built.status == 0, "\(built.errors)")
        for (user, password) in Self.passwords.merging(["admin": Self.adminPassword], uniquingKeysWith: { a, _ in a }) {
            try write(password + "\n", root + "/etc/relaychain/redis/\(user).password")
        }
        try write(
            "# the administrator's\nbind 127.0.0.1\naclfile /etc/redis/users.acl\n", root + "/etc/redis/redis.conf")
        try write(administrators, aclfile)
    }

    /// redis-server as the host runs it: the same settings, the aclfile where setup wrote it.
    func startRedis() throws -> RedisProcess {
        let conf = scratch.appendingPathComponent("run.conf").path
        try write(
            "port 0\nunixsocket \(socket)\nunixsocketperm 700\nsave \"\"\nappendonly no\ndir \(scratch.path)\n"
                + "aclfile \(aclfile)\n", conf)
        return try RedisProcess(configuration: conf, socket: socket)
    }

    func setup() throws -> ProcessResult {
        try runProcess("\(output)/setup", ["--root", root], environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
    }

    /// What each user may do, as that user: the writer SETEX only, the reader GET only.
    func usersWork(_ redis: RedisProcess) throws {
        let writer = Self.passwords["relay-writer"]!
        let reader = Self.passwords["relay-reader"]!
        #expect(try redis.cli("relay-writer", writer, ["SETEX", "relay-ctrl:192.0.2.7", "60", "x"]) == "OK")
        #expect(try redis.cli("relay-reader", reader, ["GET", "relay-ctrl:192.0.2.7"]) == "x")
        #expect(try redis.cli("relay-writer", writer, ["GET", "relay-ctrl:192.0.2.7"]).hasPrefix("NOPERM"))
        #expect(try redis.cli("relay-writer", "stale", ["PING"]).contains("WRONGPASS"))
    }

    @Test func setupSetsTheUsersAndARestartKeepsThem() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try prepare()
        var redis = try startRedis()
        let first = try setup()
        #expect(first.status == 0, "\(first.output)\(first.errors)")
        #expect(first.output.contains("setup: write Redis users relay-writer relay-reader into \(aclfile) "))
        for user in ["relay-writer", "relay-reader"] {
            #expect(first.output.contains("setup: set Redis user \(user) in the running server (ACL SETUSER)\n"))
        }
        // Theirs byte for byte (the stale writer's line replaced), then ours, with hashes only.
        let mine = administrators.replacing("user relay-writer on >stale ~* +@all\n", with: "")
        let ours =
            "user relay-writer on #\(Self.sha256(Self.passwords["relay-writer"]!)) ~relay-ctrl:* resetchannels "
            + "-@all +setex\nuser relay-reader on #\(Self.sha256(Self.passwords["relay-reader"]!)) ~relay-ctrl:* "
            + "resetchannels -@all +get\n"
        #expect(try String(contentsOfFile: aclfile, encoding: .utf8) == mine + ours)
        try usersWork(redis)
        let second = try setup()
        #expect(second.status == 0 && !second.output.contains("Redis"), "\(second.output)")
        // Restarted, Redis reads the users from the file: no password is lost.
        redis.stop()
        redis = try startRedis()
        try usersWork(redis)
        #expect(try redis.cli("admin", Self.adminPassword, ["PING"]) == "PONG")
        let third = try setup()
        #expect(third.status == 0 && !third.output.contains("Redis"), "\(third.output)")
        redis.stop()
    }

    @Test func aRedisThatLostItsUsersGetsThemAgain() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try prepare()
        let redis = try startRedis()
        #expect(try setup().status == 0)
        // As after a restart from a file without them: the users are gone from the server alone.
        for user in ["relay-writer", "relay-reader"] {
            #expect(try redis.cli("admin", Self.adminPassword, ["ACL", "DELUSER", user]) == "1")
        }
        let again = try setup()
        #expect(again.status == 0, "\(again.errors)")
        #expect(!again.output.contains("setup: write Redis users"), "the file was right: \(again.output)")
        #expect(again.output.contains("setup: set Redis user relay-writer in the running server (ACL SETUSER)\n"))
        try usersWork(redis)
        redis.stop()
    }

    @Test func aRedisThatRefusesSetupIsAProblemNamed() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try prepare()
        try write("wrong\n", root + "/etc/relaychain/redis/admin.password")
        let redis = try startRedis()
        let result = try setup()
        #expect(result.status == 1)
        #expect(result.errors.contains("refused setup (AUTH failed: WRONGPASS"), "\(result.errors)")
        redis.stop()
    }

    @Test func withoutAnAdminSetupSaysTheDefaultUserIsOpen() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        try prepare(admin: false)
        try write("user admin on #\(Self.sha256(Self.adminPassword)) ~* &* +@all\n", aclfile)
        let redis = try startRedis()
        let result = try setup()
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("warning: Redis's default user needs no password: every account on this host"))
        try usersWork(redis)
        redis.stop()
    }

    /// The attack: the account that owns Debian's /etc/redis (redis) plants the aclfile as a link
    /// to a file only root may read. setup works in that directory as redis, so it reads nothing
    /// through the link and writes nothing through it.
    @Test func aLinkPlantedByTheRedisAccountSteersNothing() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (account, secret) = try redisAccountAndRootsSecret()
        let directory = root + "/etc/redis"
        chown(directory, account.uid, account.gid)
        chmod(directory, 0o2770)
        chown(root + "/etc/redis/redis.conf", account.uid, account.gid)
        try FileManager.default.removeItem(atPath: aclfile)
        // As the redis account would, in its own directory.
        let planted = try runProcess("/usr/bin/setuidgid", ["redis", "/bin/ln", "-s", secret, aclfile])
        #expect(planted.status == 0, "\(planted.errors)")
        let result = try setup()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.errors.contains("cannot read \(aclfile)"), "\(result.errors)")
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "root's alone\n")
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: aclfile)
        #expect(link == secret, "the planted link was replaced by root")
    }

    /// The attack through redis.conf: the redis account owns it, so it can name any aclfile at all,
    /// here a file only root may read or write, in root's own directory. setup reads and writes it
    /// as the account that named it: it neither reads nor changes root's file.
    @Test func anAclfileNamedByTheRedisAccountIsNotRootsToWrite() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (account, secret) = try redisAccountAndRootsSecret()
        // redis.conf is the redis account's (as Debian's is), in a directory of root's.
        let conf = root + "/etc/redis/redis.conf"
        try write("aclfile /secret\n", conf)
        chown(conf, account.uid, account.gid)
        let result = try setup()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.errors.contains("cannot read \(secret)"), "\(result.errors)")
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "root's alone\n")
        #expect(try stat(secret) == (0, 0o600))
    }

    /// What both attacks start from: the prepared Redis host, the redis account (Debian's
    /// redis-server makes it), and a file only root may read, holding "root's alone".
    func redisAccountAndRootsSecret() throws -> (account: (uid: uid_t, gid: gid_t), secret: String) {
        let account = try #require(accountIDs("redis"), "no account redis (scripts/prepare installs redis-server)")
        try prepare()
        let secret = root + "/secret"
        try write("root's alone\n", secret)
        chmod(secret, 0o600)
        return (account, secret)
    }

    func stat(_ path: String) throws -> (uid: Int, mode: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (
            (attributes[.ownerAccountID] as! NSNumber).intValue, (attributes[.posixPermissions] as! NSNumber).intValue
        )
    }
}
