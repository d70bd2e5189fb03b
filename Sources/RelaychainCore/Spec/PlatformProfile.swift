/// Where an operating system's packages put the programs, configuration and accounts that the
/// emitted files name. `platform: { profile: debian }` picks one; `prefix` and `paths` still
/// override single entries. Without a profile every program is looked for under `<prefix>/bin`.
public enum PlatformProfile: String, CaseIterable, Sendable {
    /// Debian 12 (bookworm): ucspi-tcp, daemontools and runit from Debian's packages in
    /// /usr/bin, Dovecot 2.3 from Debian, qmail built from source in /var/qmail/bin, relaychain
    /// installed under /usr/local.
    case debian
    /// NetBSD with pkgsrc under /usr/pkg (the article's layout), qmail from pkgsrc's qmail-run.
    case netbsdPkgsrc = "netbsd-pkgsrc"
    /// FreeBSD ports under /usr/local, qmail from ports in /var/qmail/bin.
    case freebsdPorts = "freebsd-ports"

    /// relaychain's own tools, and the programs the profile does not place, live in `<prefix>/bin`.
    public var prefix: String {
        switch self {
        case .debian, .freebsdPorts: "/usr/local"
        case .netbsdPkgsrc: "/usr/pkg"
        }
    }

    /// Where each package puts the programs of relaychain's catalog.
    public var programs: [KnownProgram: String] {
        var paths: [KnownProgram: String] = [:]
        func place(_ directory: String, _ programs: [KnownProgram]) {
            for program in programs { paths[program] = "\(directory)/\(program.rawValue)" }
        }
        let ucspiTCP: [KnownProgram] = [.tcpserver, .tcprules, .rblsmtpd, .recordio, .fixcrio, .argv0]
        let daemontools: [KnownProgram] = [
            .setuidgid, .envuidgid, .envdir, .softlimit, .pgrphack, .multilog, .svc, .svok, .svstat,
        ]
        let runit: [KnownProgram] = [.chpst, .svlogd, .sv]
        let qmail: [KnownProgram] = [.qmailSMTPD, .qmailPopup, .qmailPop3d]
        switch self {
        case .debian:
            place("/usr/bin", ucspiTCP + daemontools + runit + [.spiped])
            place("/var/qmail/bin", qmail)
        case .netbsdPkgsrc:
            place("/usr/pkg/bin", ucspiTCP + daemontools + runit + qmail + [.spiped])
        case .freebsdPorts:
            place("/usr/local/bin", ucspiTCP + daemontools + [.spiped])
            place("/usr/local/sbin", runit)
            place("/var/qmail/bin", qmail)
        }
        return paths
    }

    /// nftables' nft, where the profile's package puts it (Debian's nftables).
    public var nft: String? { self == .debian ? "/usr/sbin/nft" : nil }

    /// Dovecot's libexec directory (the mail executables and script-login).
    public var dovecotLibexec: String {
        switch self {
        case .debian: "/usr/lib/dovecot"
        case .netbsdPkgsrc: "/usr/pkg/libexec/dovecot"
        case .freebsdPorts: "/usr/local/libexec/dovecot"
        }
    }

    public var doveconf: String {
        switch self {
        case .debian: "/usr/bin/doveconf"
        case .netbsdPkgsrc: "/usr/pkg/bin/doveconf"
        case .freebsdPorts: "/usr/local/bin/doveconf"
        }
    }

    /// The directory dovecot.conf includes with `!include conf.d/*.conf` (Dovecot 2).
    public var dovecotConfD: String {
        switch self {
        case .debian: "/etc/dovecot/conf.d"
        case .netbsdPkgsrc: "/usr/pkg/etc/dovecot/conf.d"
        case .freebsdPorts: "/usr/local/etc/dovecot/conf.d"
        }
    }

    /// Crontab fragments with a user field; nil where cron has no such directory.
    public var cronD: String? {
        switch self {
        case .debian: "/etc/cron.d"
        case .netbsdPkgsrc: nil
        case .freebsdPorts: "/usr/local/etc/cron.d"
        }
    }

    /// Where the Redis package puts redis-server (Debian's redis-server; ports' and pkgsrc's redis).
    public var redisServer: String {
        switch self {
        case .debian: "/usr/bin/redis-server"
        case .netbsdPkgsrc: "/usr/pkg/bin/redis-server"
        case .freebsdPorts: "/usr/local/bin/redis-server"
        }
    }

    /// Where the Redis package puts redis.conf (Debian's redis-server; ports' and pkgsrc's redis).
    public var redisConf: String {
        switch self {
        case .debian: "/etc/redis/redis.conf"
        case .netbsdPkgsrc: "/usr/pkg/etc/redis.conf"
        case .freebsdPorts: "/usr/local/etc/redis.conf"
        }
    }

    /// The directory svscan or runsvdir watches.
    public func serviceDirectory(_ supervisor: Supervisor) -> String {
        switch (self, supervisor) {
        case (.debian, _): "/etc/service"
        case (.freebsdPorts, _): "/var/service"
        case (.netbsdPkgsrc, _): "/service"
        }
    }
}

/// The accounts the emitted files run programs as.
public struct SystemUsers: Sendable, Equatable {
    /// tcpserver's -u/-g for qmail-smtpd; it reads and removes grants.
    public var smtp: String
    /// multilog and svlogd.
    public var log: String
    /// Dovecot's default_internal_user: the post-login script's user unless the spec names one.
    public var dovecot: String

    public static let qmail = SystemUsers(smtp: "qmaild", log: "qmaill", dovecot: "dovecot")
}
