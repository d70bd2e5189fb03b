/// A loaded relaychain spec (language version 1): where things live, the relay windows,
/// user-defined wrappers, and the services that grant or check windows.
public struct Spec: Sendable {
    public var version: Int
    public var platform: Platform
    public var windows: [RelayWindow]
    public var wrappers: [WrapperDefinition]
    public var services: [Service]
    /// The machines of a cluster; empty for one host. When there are hosts, every service names one.
    public var hosts: [Host] = []

    public init(
        version: Int, platform: Platform, windows: [RelayWindow], wrappers: [WrapperDefinition], services: [Service]
    ) {
        self.version = version
        self.platform = platform
        self.windows = windows
        self.wrappers = wrappers
        self.services = services
    }

    /// Services and windows sorted by name: what is emitted does not depend on the order the spec
    /// lists them in, so `import`, which cannot see that order, rebuilds the same bytes.
    public var inCanonicalOrder: Spec {
        var spec = self
        spec.services.sort { $0.name.value < $1.name.value }
        spec.windows.sort { $0.name.value < $1.name.value }
        return spec
    }

    public func window(named name: String) -> RelayWindow? {
        windows.first { $0.name.value == name }
    }

    public func wrapper(named name: String) -> WrapperDefinition? {
        wrappers.first { $0.name.value == name }
    }
}

/// Where programs live on the target system.
public struct Platform: Sendable {
    /// The operating system's layout, when the spec names one.
    public var profile: Located<PlatformProfile>?
    /// Installation prefix of relaychain's runtime tools and of the programs the profile does not place.
    public var prefix: Located<String>
    /// The env(1) used to set variables in places without a shell (Dovecot 1.x, ifrelayclient).
    public var env: Located<String>
    /// Where Dovecot 1.x keeps its `imap` and `pop3` mail executables.
    public var dovecotLibexec: Located<String>
    /// Where relaychain's generated scripts are installed (the Dovecot 2 post-login script).
    public var libexec: Located<String>
    /// Per-program path overrides (names relaychain does not know are the validator's to report).
    public var paths: [KnownProgram: Located<String>]
    /// The directory svscan or runsvdir watches, where `setup` links the services.
    public var serviceDirectory: Located<String>?
    public var users: SystemUsers = .qmail
    /// Overrides of the profile's Dovecot conf.d and cron.d directories.
    public var dovecotConfDOverride: Located<String>?
    public var cronDOverride: Located<String>?

    public init(
        profile: Located<PlatformProfile>? = nil, prefix: Located<String>, env: Located<String>,
        dovecotLibexec: Located<String>, libexec: Located<String>, paths: [KnownProgram: Located<String>],
        serviceDirectory: Located<String>? = nil
    ) {
        self.profile = profile
        self.prefix = prefix
        self.env = env
        self.dovecotLibexec = dovecotLibexec
        self.libexec = libexec
        self.paths = paths
        self.serviceDirectory = serviceDirectory
    }

    public static let defaultPrefix = "/usr/local"
    public static let defaultEnv = "/usr/bin/env"

    /// The absolute path of a catalog program: an override, else where the profile puts it,
    /// else `<prefix>/bin/<name>`.
    public func path(of program: KnownProgram) -> String {
        paths[program]?.value ?? profile?.value.programs[program] ?? "\(prefix.value)/bin/\(program.rawValue)"
    }

    /// A name an installation or a spec wrote: a catalog program's path, else `<prefix>/bin/<name>`.
    public func path(ofNamed name: String) -> String {
        KnownProgram(rawValue: name).map { path(of: $0) } ?? "\(prefix.value)/bin/\(name)"
    }

    /// Where a program's path was decided: its `paths` entry, the profile, or the prefix.
    public func origin(of program: KnownProgram) -> SourceLocation? {
        if let override = paths[program] { return override.location }
        if let profile, profile.value.programs[program] != nil { return profile.location }
        return prefix.location
    }

    public var doveconf: String {
        paths[.doveconf]?.value ?? profile?.value.doveconf ?? "\(prefix.value)/bin/doveconf"
    }

    /// nftables' command-line tool, which loads the spiped firewall (not a catalog program: no
    /// chain names it and `paths` cannot move it).
    public var nft: String { profile?.value.nft ?? "\(prefix.value)/bin/nft" }

    /// redis-server, which also runs Sentinel (`--sentinel`): a replicated window's copies are
    /// relaychain's own supervised servers (not a catalog program: no chain names it).
    public var redisServer: String { profile?.value.redisServer ?? "\(prefix.value)/bin/redis-server" }

    /// The account the Redis package runs as, and so the copies of a replicated window.
    public var redisUser: String { "redis" }

    /// Where the copies of a replicated window keep their data and the sentinels their state.
    public var stateDirectory: String {
        profile?.value == .debian ? "/var/lib/relaychain" : "\(prefix.value)/var/relaychain"
    }

    /// Where setup puts configuration that services read at run time (systemd services' tcp.rules).
    public var configDirectory: String { "\(prefix.value)/etc/relaychain" }

    /// Where systemd units are installed; nil without a profile that runs systemd.
    public var systemdUnitDirectory: String? { profile?.value == .debian ? "/etc/systemd/system" : nil }

    /// Where Dovecot 2's configuration includes `conf.d/*.conf` from; nil without a profile.
    public var dovecotConfD: String? { dovecotConfDOverride?.value ?? profile?.value.dovecotConfD }

    /// redis.conf on a Redis host, unless a window's `redis: {config: PATH}` names another.
    public var redisConf: String { profile?.value.redisConf ?? "\(prefix.value)/etc/redis.conf" }

    /// Where cron reads fragments with a user field; nil without one (NetBSD, no profile).
    public var cronD: String? { cronDOverride?.value ?? profile?.value.cronD }

    public func serviceDirectory(_ supervisor: Supervisor) -> String {
        serviceDirectory?.value ?? profile?.value.serviceDirectory(supervisor) ?? "/service"
    }
}

/// A relay window: where grants are stored, how long they last, what RELAYCLIENT becomes.
public struct RelayWindow: Sendable {
    /// Where a check reads this window's grants, in words: the directory, or Redis as the host sees it.
    public var checkSource: String { redis?.checkSource ?? store.value }

    public var name: Written<String>
    /// The grant directory, or for a Redis window its identity (`redis` says where it is).
    public var store: Written<String>
    /// Set when the grants live in Redis instead of a directory.
    public var redis: RedisStore?
    public var length: Located<WindowLength>
    /// The qmail fixup suffix given to RELAYCLIENT (RELAY_CTRL_RELAYCLIENT); usually empty.
    public var relayClient: Located<String>
    /// Log found / not found / expired decisions (RELAY_CTRL_LOG_IPS).
    public var log: Located<Bool>
    /// The login variables recorded in a grant and honoured by the check side.
    public var carry: [Located<String>]
    /// A directory store's group: Dovecot 2's post-login scripts for the window run with it, and
    /// it alone may pass the store's private parent. No account is in it. nil: the one
    /// post-login user's own group.
    public var group: Located<String>?

    public init(
        name: Written<String>, store: Written<String>, length: Located<WindowLength>, relayClient: Located<String>,
        log: Located<Bool>, carry: [Located<String>]
    ) {
        self.name = name
        self.store = store
        self.length = length
        self.relayClient = relayClient
        self.log = log
        self.carry = carry
    }

    public static let defaultCarry = ["USER", "DOMAIN"]
}

/// An environment assignment, e.g. `RBLSMTPD=""`.
public struct EnvironmentSetting: Hashable, Sendable {
    public var name: Located<String>
    public var value: Located<String>

    public init(name: Located<String>, value: Located<String>) {
        self.name = name
        self.value = value
    }
}

/// How a wrapper lets an authenticated roaming user (RELAYCLIENT set) through.
public enum Bypass: Hashable, Sendable {
    /// ifrelayclient must set these variables for it to step aside (rblsmtpd: RBLSMTPD='').
    case environment([EnvironmentSetting])
    /// It checks RELAYCLIENT itself (qgreylist).
    case honoursRelayClient
    /// It never refuses a client, so there is nothing to step aside from (fixsmtpio, softlimit).
    case notAFilter
    /// It cannot be told to step aside: roaming users meet it like anyone else.
    case none
}

/// A program the user adds to the catalog for use in chains.
public struct WrapperDefinition: Sendable {
    public var name: Written<String>
    public var path: Located<String>
    /// Arguments it always takes before the rest of the chain.
    public var args: [Located<String>]
    /// Variables it sets for the rest of the chain, for every client.
    public var sets: [EnvironmentSetting]
    public var bypass: Located<Bypass>
    /// Whether it execs its remaining arguments (djb-style); false means it must end a chain.
    public var chainLoader: Located<Bool>
    /// How it reads its arguments, when declared; nil: opaque, its words are not checked.
    public var grammar: ArgumentGrammar?

    public init(
        name: Written<String>, path: Located<String>, args: [Located<String>], sets: [EnvironmentSetting] = [],
        bypass: Located<Bypass>, chainLoader: Located<Bool>, grammar: ArgumentGrammar? = nil
    ) {
        self.name = name
        self.path = path
        self.args = args
        self.sets = sets
        self.bypass = bypass
        self.chainLoader = chainLoader
        self.grammar = grammar
    }
}

/// One program of a chain as written: a catalog or user-defined name and its arguments.
public struct ChainEntry: Sendable {
    public var program: Written<String>
    public var args: [Located<String>]

    public init(program: Written<String>, args: [Located<String>]) {
        self.program = program
        self.args = args
    }
}

public enum Supervisor: String, CaseIterable, Sendable {
    case qmailRun = "qmail-run"
    case daemontools
    case runit
    case systemd
}

public enum MailProtocol: String, CaseIterable, Sendable {
    case imap
    case pop3
}

/// A machine of a cluster: `build` writes its files into a directory of its own.
public struct Host: Sendable {
    public var name: Written<String>
    public var address: Located<String>?

    public init(name: Written<String>, address: Located<String>?) {
        self.name = name
        self.address = address
    }
}

public struct Service: Sendable {
    public var name: Written<String>
    public var role: ServiceRole
    /// The host it runs on, in a spec with hosts.
    public var host: Located<String>?

    public init(name: Written<String>, role: ServiceRole) {
        self.name = name
        self.role = role
    }

    /// The window a login service grants, if any.
    public var grants: Written<String>? {
        switch role {
        case .dovecot(let login): login.grants
        case .qmailPOP3D(let login): login.grants
        case .qmailSMTPD: nil
        }
    }

    /// The window an SMTP service checks, if any.
    public var checks: Written<String>? {
        if case .qmailSMTPD(let smtpd) = role { return smtpd.checks }
        return nil
    }

    /// Whether the service grants or checks the window of that name.
    public func uses(_ window: String) -> Bool { grants?.value == window || checks?.value == window }
}

public enum ServiceRole: Sendable {
    case dovecot(DovecotLogin)
    case qmailPOP3D(QmailPOP3DLogin)
    case qmailSMTPD(QmailSMTPD)
}

/// Dovecot as the login side: its mail processes grant relay windows after a login.
public struct DovecotLogin: Sendable {
    public var version: Written<DovecotVersion>
    public var protocols: [Located<MailProtocol>]
    public var grants: Written<String>
    /// The `user` of Dovecot 2's postlogin service (nil: Dovecot's default_internal_user); it must be
    /// able to write the store.
    public var postLoginUser: Located<String>?

    public init(
        version: Written<DovecotVersion>, protocols: [Located<MailProtocol>], grants: Written<String>,
        postLoginUser: Located<String>?
    ) {
        self.version = version
        self.protocols = protocols
        self.grants = grants
        self.postLoginUser = postLoginUser
    }

}

/// qmail-pop3d behind qmail-popup and checkpassword: relay-ctrl-allow runs between checkpassword and qmail-pop3d.
public struct QmailPOP3DLogin: Sendable {
    public var runBy: Located<Supervisor>
    /// The address tcpserver binds; nil: every address.
    public var listen: Located<String>?
    public var port: Located<Int>
    public var grants: Written<String>
    public var checkpassword: Located<String>
    /// The host name qmail-popup announces.
    public var hostname: Located<String>?
    public var maildir: Located<String>

    public init(
        runBy: Located<Supervisor>, listen: Located<String>?, port: Located<Int>, grants: Written<String>,
        checkpassword: Located<String>, hostname: Located<String>?, maildir: Located<String>
    ) {
        self.runBy = runBy
        self.listen = listen
        self.port = port
        self.grants = grants
        self.checkpassword = checkpassword
        self.hostname = hostname
        self.maildir = maildir
    }
}

/// One tcprules line: clients matching `from` ("" for every client) are allowed with `set`
/// applied, or denied.
public struct AccessRule: Sendable {
    public var from: Written<String>
    public var deny: Located<Bool>
    public var set: [EnvironmentSetting]

    public init(from: Written<String>, deny: Located<Bool>, set: [EnvironmentSetting]) {
        self.from = from
        self.deny = deny
        self.set = set
    }

    public func sets(_ name: String) -> Bool { set.contains { $0.name.value == name } }
}

/// qmail-smtpd under tcpserver: relay-ctrl-check runs first, then the wrappers, then qmail-smtpd.
public struct QmailSMTPD: Sendable {
    public var runBy: Located<Supervisor>
    /// The address tcpserver binds; nil: every address.
    public var listen: Located<String>?
    public var port: Located<Int>
    public var checks: Written<String>?
    public var chain: [ChainEntry]
    /// tcprules prefixes that already relay (e.g. `127.`), given RELAYCLIENT by tcpserver.
    public var relayNetworks: [Written<String>]
    /// Variables for the whole chain, for every client (QMAILQUEUE, DATABYTES...): qmail-run's
    /// `qmailsmtpd_postenv`, or the run script's `env`.
    public var environment: [EnvironmentSetting] = []
    /// What ifrelayclient also sets for relay clients, beside what the chain's wrappers ask for
    /// (e.g. RBLSMTPD='' for an rblsmtpd that runs outside this chain, as the article's line does).
    public var relayClientEnvironment: [EnvironmentSetting] = []
    /// tcpserver's access rules after the relay networks, first match wins (tcprules).
    public var rules: [AccessRule] = []
    /// Bytes of memory for the whole server (softlimit -m; qmail-run's `qmailsmtpd_datalimit`).
    public var datalimit: Located<Int>?
    /// Connections at once (tcpserver -c); qmail-run has no variable for it.
    public var concurrency: Written<Concurrency>?
    /// Connections the kernel holds before tcpserver accepts them (tcpserver -b); nil: its default, 20.
    public var backlog: Located<Int>?
    /// tcpserver's -l; nil: the host's name (`LocalName.hostName`).
    public var localName: Located<LocalName>?
    /// tcpserver's -h, -H or -p; nil: its default.
    public var remoteHost: Located<RemoteHostLookup>?
    /// tcpserver's -R, or -r with -t; nil: -R.
    public var remoteInfo: Located<RemoteInfo>?
    /// Where setup compiles the rules and tcpserver's -x reads them (LWQ's /etc/tcp.smtp.cdb);
    /// nil: tcp.cdb beside tcp.rules.
    public var rulesCDB: Located<String>?
    /// sslserver in tcpserver's place, with its files; nil: tcpserver, no TLS.
    public var tls: Located<TLSSettings>?
    /// Words after qmail-smtpd (qmail-run's `qmailsmtpd_postsmtpd`), e.g. an SMTP AUTH patch's.
    public var smtpdArguments: [Located<String>] = []
    /// What logs the service's output, in place of multilog or svlogd (qmail-run's `qmailsmtpd_logcmd`).
    public var logCommand: [Written<String>] = []

    /// Address prefixes whose clients tcpserver gives RELAYCLIENT: the relay networks and the rules that set it.
    public var relayingPrefixes: [Written<String>] {
        relayNetworks + rules.filter { !$0.deny.value && $0.sets("RELAYCLIENT") }.map(\.from)
    }

    public init(
        runBy: Located<Supervisor>, listen: Located<String>?, port: Located<Int>, checks: Written<String>?,
        chain: [ChainEntry], relayNetworks: [Written<String>]
    ) {
        self.runBy = runBy
        self.listen = listen
        self.port = port
        self.checks = checks
        self.chain = chain
        self.relayNetworks = relayNetworks
    }
}
