import Foundation
import TestSupport
import Testing

/// Attacks on root's `setup` by a local account, made for these tests and removed after them:
/// it controls a path setup reads or changes (the output directory, a directory above a target,
/// a password file's place) and plants what should steer root. setup must refuse, say which path
/// and why, and leave the attacker's target as it was.
@Suite(.serialized, .enabled(if: getuid() == 0, "setup changes owners and the test makes an account; run as root"))
final class SetupAttackTests {
    static let attacker = "relaychain-mallory"
    let scratch: URL
    let uid: Int
    var output: String { scratch.appendingPathComponent("out").path }
    var root: String { scratch.appendingPathComponent("root").path }

    init() throws {
        scratch = URL(fileURLWithPath: "/tmp/relaychain-attack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: scratch.path + "/root", withIntermediateDirectories: true)
        _ = try runProcess("/usr/sbin/userdel", [Self.attacker])
        let made = try runProcess("/usr/sbin/useradd", ["--no-create-home", "--shell", "/bin/sh", Self.attacker])
        guard made.status == 0, let account = accountIDs(Self.attacker) else {
            throw AttackSetupError(step: "useradd \(Self.attacker): \(made.errors)")
        }
        uid = Int(account.uid)
    }

    deinit {
        _ = try? runProcess("/usr/sbin/userdel", [Self.attacker])
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Runs a shell command as the attacker.
    func asAttacker(_ command: String) throws {
        let result = try runProcess("/usr/sbin/runuser", ["-u", Self.attacker, "--", "/bin/sh", "-c", command])
        #expect(result.status == 0, "the attacker's step failed: \(command): \(result.errors)")
    }

    func give(_ path: String, mode: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(chown(path, uid_t(uid), accountIDs(Self.attacker)?.gid ?? 0) == 0)
        #expect(chmod(path, mode_t(mode)) == 0)
    }

    func build(_ spec: String) throws {
        let file = scratch.appendingPathComponent("spec.yaml")
        try Data(spec.utf8).write(to: file)
        let result = try runProcess(try BuiltProduct.path("relaychain"), ["build", file.path, "--output", output])
        #expect(result.status == 0, "\(result.errors)")
    }

    func setup() throws -> ProcessResult {
        try runProcess("\(output)/setup", ["--root", root], environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
    }

    /// A file only root may read, standing in for /etc/shadow: the attacker wants root to hand it over.
    func secret(at path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("root:secret\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o600) == 0)
    }

    func owner(_ path: String) throws -> (uid: Int, gid: Int, mode: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (
            (attributes[.ownerAccountID] as! NSNumber).intValue,
            (attributes[.groupOwnerAccountID] as! NSNumber).intValue,
            (attributes[.posixPermissions] as! NSNumber).intValue
        )
    }

    static let directorySpec = """
        relaychain: 1
        platform: {profile: debian}
        windows: {relay: {store: @STORE@}}
        services:
          mail: {server: dovecot, version: "2.3", protocols: [imap], grants: relay}
          smtp: {server: qmail-smtpd, run-by: daemontools, port: 25, checks: relay}

        """

    /// A Redis window; `extra` adds keys to its redis mapping.
    static func redisSpec(_ extra: String) -> String {
        """
        relaychain: 1
        platform: {profile: debian}
        windows: {relay: {redis: {socket: /run/redis/redis-server.sock\(extra)}}}
        services:
          mail: {server: dovecot, version: "2.3", protocols: [imap], grants: relay}
          smtp: {server: qmail-smtpd, run-by: daemontools, port: 25, checks: relay}

        """
    }

    /// The attacker can change the output tree (a directory of it is theirs to write, as in an
    /// output directory "shared" with them): they swap the cron line for one that runs as root.
    @Test func anOutputDirectoryOthersCanChangeIsRefused() throws {
        try build(Self.directorySpec.replacingOccurrences(of: "@STORE@", with: "/var/spool/relay/allow"))
        #expect(chmod("\(output)/cron", 0o777) == 0)
        try asAttacker(
            "cd \(output)/cron && cp relay-ctrl-age x && echo '* * * * * root touch /tmp/relaychain-pwned' >> x && "
                + "mv -f x relay-ctrl-age")
        let result = try setup()
        #expect(result.status == 1)
        #expect(
            result.errors.hasPrefix("setup: refusing to run from \(output): \(output)/cron")
                && result.errors.hasSuffix(
                    " can be changed by others; build into a directory only root can change\n"),
            "\(result.errors)")
        #expect(result.output == "")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == [], "setup acted")
    }

    /// The output directory sits in a directory of the attacker's, who could replace all of it.
    @Test func anOutputBelowAnAttackersDirectoryIsRefused() throws {
        let theirs = scratch.appendingPathComponent("theirs").path
        try give(theirs, mode: 0o755)
        let result = try runProcess(
            try BuiltProduct.path("relaychain"),
            [
                "build",
                BuildCommandTests.root.appendingPathComponent("examples/debian-dovecot23-daemontools.yaml").path,
                "--output", "\(theirs)/out",
            ])
        #expect(result.status == 0, "\(result.errors)")
        let refused = try runProcess("\(theirs)/out/setup", ["--root", root], environment: ["PATH": "/usr/bin:/bin"])
        #expect(refused.status == 1)
        #expect(
            refused.errors
                == "setup: refusing to run from \(theirs)/out: \(theirs) belongs to uid \(uid); "
                + "build into a directory only root can change\n")
    }

    /// A link planted at a password file's path, in a directory the attacker may write: setup would
    /// chown and chmod what it points at to root:qmaild 0640.
    @Test func aLinkPlantedAtAPasswordFileIsNotFollowed() throws {
        try build(Self.redisSpec(", password-dir: /var/tmp/relay"))
        try give("\(root)/var/tmp", mode: 0o1777)
        #expect(chown("\(root)/var/tmp", 0, 0) == 0)
        try secret(at: "\(root)/etc/shadow")
        // A sticky directory lets the attacker make entries of their own: a directory, a link.
        try asAttacker(
            "mkdir \(root)/var/tmp/relay && ln -s \(root)/etc/shadow \(root)/var/tmp/relay/relay-writer.password")
        let result = try setup()
        #expect(result.status == 1)
        #expect(
            result.errors.contains(
                "setup: left \(root)/var/tmp/relay/relay-writer.password alone: \(root)/var/tmp/relay belongs to uid "
                    + "\(uid)\n"), "\(result.errors)")
        let shadow = try owner("\(root)/etc/shadow")
        #expect(shadow.uid == 0 && shadow.gid == 0 && shadow.mode == 0o600, "root handed the file over: \(shadow)")
    }

    /// The final component itself a link, in a directory the attacker cannot write but the
    /// administrator left so: setup refuses a link where a password file belongs.
    @Test func aLinkAtThePasswordPathItselfIsRefused() throws {
        try build(Self.redisSpec(""))
        try secret(at: "\(root)/etc/shadow")
        try FileManager.default.createDirectory(
            atPath: "\(root)/etc/relaychain/redis", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: "\(root)/etc/relaychain/redis/relay-writer.password", withDestinationPath: "\(root)/etc/shadow")
        let result = try setup()
        #expect(result.status == 1)
        #expect(
            result.errors.contains(
                "setup: left \(root)/etc/relaychain/redis/relay-writer.password alone: "
                    + "\(root)/etc/relaychain/redis/relay-writer.password is a symbolic link\n"), "\(result.errors)")
        let shadow = try owner("\(root)/etc/shadow")
        #expect(shadow.uid == 0 && shadow.gid == 0 && shadow.mode == 0o600, "root handed the file over: \(shadow)")
    }

    /// A store below a directory the attacker made in /tmp: they plant the store as a link to a
    /// root-only directory, which setup would give to dovecot and qmaild.
    @Test func aStoreBelowAnAttackersDirectoryIsLeftAlone() throws {
        try build(Self.directorySpec.replacingOccurrences(of: "@STORE@", with: "/tmp/relay/allow"))
        try give("\(root)/tmp", mode: 0o1777)
        #expect(chown("\(root)/tmp", 0, 0) == 0)
        try FileManager.default.createDirectory(atPath: "\(root)/root-only", withIntermediateDirectories: true)
        #expect(chmod("\(root)/root-only", 0o700) == 0)
        try asAttacker("mkdir \(root)/tmp/relay && ln -s \(root)/root-only \(root)/tmp/relay/allow")
        let result = try setup()
        #expect(result.status == 1)
        #expect(
            result.errors.contains(
                "setup: left \(root)/tmp/relay/allow alone: \(root)/tmp/relay belongs to uid \(uid)\n"),
            "\(result.errors)")
        let rootOnly = try owner("\(root)/root-only")
        #expect(rootOnly.uid == 0 && rootOnly.mode == 0o700, "root handed its directory over: \(rootOnly)")
    }

    /// The attack #21 found: a local account that never logged in writes a grant for its own
    /// address into the store. The store's parent lets no one pass but root (qmail-pop3d's
    /// layout, whose chains reach the store through relay-ctrl-chdir) or the one post-login
    /// account's group (Dovecot 2's), so the account cannot even name the store.
    @Test(arguments: ["qmail-pop3d-checkpassword", "debian-dovecot23-daemontools"])
    func aLocalAccountCannotPlantAGrant(_ example: String) throws {
        let result = try runProcess(
            try BuiltProduct.path("relaychain"),
            [
                "build", BuildCommandTests.root.appendingPathComponent("examples/\(example).yaml").path, "--output",
                output,
            ])
        #expect(result.status == 0, "\(result.errors)")
        let done = try setup()
        #expect(!done.errors.contains("left"), "\(done.errors)")
        let store = "\(root)/var/spool/relay-ctrl/allow"
        #expect(FileManager.default.fileExists(atPath: store))
        let planted = try runProcess(
            "/usr/sbin/runuser",
            ["-u", Self.attacker, "--", "/bin/sh", "-c", "printf 'USER=postmaster\\0' > \(store)/203.0.113.9"])
        #expect(planted.status != 0, "the attacker wrote a grant")
        #expect(planted.errors.contains("Permission denied"), "\(planted.errors)")
        #expect(!FileManager.default.fileExists(atPath: "\(store)/203.0.113.9"))
        let listed = try runProcess("/usr/sbin/runuser", ["-u", Self.attacker, "--", "/bin/ls", store])
        #expect(listed.status != 0, "the attacker can look into the store")
    }

    /// rules-cdb in a sticky directory others write (/var/tmp): the attacker plants NAME.tmp as a
    /// link to a root-only file, which tcprules, run as root, would truncate and fill. Even with no
    /// link there yet setup refuses, since the attacker could plant it after any check.
    @Test func rulesCompiledIntoADirectoryOthersWriteAreLeftAlone() throws {
        let spec = Self.directorySpec.replacingOccurrences(of: "@STORE@", with: "/var/spool/relay/allow")
            .replacingOccurrences(of: "checks: relay}", with: "checks: relay, rules-cdb: /var/tmp/tcp.smtp.cdb}")
        try build(spec)
        try give("\(root)/var/tmp", mode: 0o1777)
        #expect(chown("\(root)/var/tmp", 0, 0) == 0)
        try secret(at: "\(root)/etc/shadow")
        let first = try setup()
        #expect(first.status == 1)
        #expect(
            first.errors.contains(
                "setup: left \(root)/var/tmp/tcp.smtp.cdb alone: tcprules writes \(root)/var/tmp/tcp.smtp.tmp "
                    + "beside it, in a directory others can write (mode drwxrwxrwt)\n"), "\(first.errors)")
        try asAttacker("ln -s \(root)/etc/shadow \(root)/var/tmp/tcp.smtp.tmp")
        let second = try setup()
        #expect(second.status == 1)
        #expect(
            second.errors.contains(
                "setup: left \(root)/var/tmp/tcp.smtp.tmp alone: \(root)/var/tmp/tcp.smtp.tmp is a symbolic link\n"),
            "\(second.errors)")
        #expect(try String(contentsOfFile: "\(root)/etc/shadow", encoding: .utf8) == "root:secret\n")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/var/tmp/tcp.smtp.cdb"))
    }

    /// A store below a directory its group may write (as /var/mail is on Debian): refused too.
    @Test func aStoreBelowAGroupWritableDirectoryIsLeftAlone() throws {
        try build(Self.directorySpec.replacingOccurrences(of: "@STORE@", with: "/var/mail/relay"))
        try FileManager.default.createDirectory(atPath: "\(root)/var/mail", withIntermediateDirectories: true)
        #expect(chmod("\(root)/var/mail", 0o2775) == 0)
        let result = try setup()
        #expect(result.status == 1)
        #expect(
            result.errors.contains(
                "setup: left \(root)/var/mail/relay alone: \(root)/var/mail can be changed by others "
                    + "(mode drwxrwsr-x)\n"), "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/var/mail/relay"))
    }
}

struct AttackSetupError: Error, CustomStringConvertible {
    let step: String
    var description: String { step }
}
