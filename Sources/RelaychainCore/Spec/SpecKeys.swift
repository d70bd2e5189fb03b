/// The keys of each mapping in the spec language. The loader rejects anything else and the
/// JSON Schema is built from these same lists.
public enum TopLevelKey: String, CaseIterable, Sendable {
    case relaychain, platform, hosts, windows, wrappers, services
}

/// `hosts: { mail1: { address: 192.0.2.10 } }`: the machines of a cluster.
public enum HostKey: String, CaseIterable, Sendable {
    case address
}

public enum PlatformKey: String, CaseIterable, Sendable {
    case profile, prefix, env
    case dovecotLibexec = "dovecot-libexec"
    case libexec, paths
    case serviceDirectory = "service-dir"
    case dovecotConfD = "dovecot-conf-d"
    case cronD = "cron-d"
    case smtpUser = "smtp-user"
}

public enum WindowKey: String, CaseIterable, Sendable {
    case store, redis, length, relayclient, log, carry, group
}

/// `redis: { address: 192.0.2.4:6379, db: 0, prefix: "relay-ctrl:", writer: ..., reader: ... }`.
public enum RedisKey: String, CaseIterable, Sendable {
    case address, socket, db, prefix, writer, reader, auditor, admin
    case passwordDirectory = "password-dir"
    case timeout, host, spiped, config, replication
}

/// `replication: { replicas: [mx1, mx2], sentinels: [store1, mx1, mx2], down-after: 2s }`.
public enum ReplicationKey: String, CaseIterable, Sendable {
    case replicas, sentinels, master, quorum
    case downAfter = "down-after"
    case failoverTimeout = "failover-timeout"
    case staleAfter = "stale-after"
    case wait
    case sentinelPort = "sentinel-port"
    case replicationUser = "replication-user"
    case sentinelUser = "sentinel-user"
}

/// `spiped: { port: 8379, key-file: /etc/relaychain/spiped/relay.key, user: nobody }`.
public enum SpipedKey: String, CaseIterable, Sendable {
    case port
    case keyFile = "key-file"
    case user
    case runBy = "run-by"
}

public enum WrapperKey: String, CaseIterable, Sendable {
    case path, args, sets, bypass
    case chainLoader = "chain-loader"
    case grammar
}

/// How a user wrapper reads its arguments: `grammar: { options: "z:v", operands: 1 }`.
public enum GrammarKey: String, CaseIterable, Sendable {
    case options, operands
}

public enum BypassKey: String, CaseIterable, Sendable {
    case env
}

/// The single-word ways a wrapper can treat relay clients; `bypass: { env: ... }` is the other.
public enum BypassKeyword: String, CaseIterable, Sendable {
    case honoursRelayClient = "honours-relayclient"
    case notAFilter = "not-a-filter"
    case none
}

/// A tcprules line: `{ from: "10.", set: { RELAYCLIENT: "" } }`, `{ from: "192.0.2.66", deny: true }`.
public enum RuleKey: String, CaseIterable, Sendable {
    case from, deny, set
}

public enum ChainEntryKey: String, CaseIterable, Sendable {
    case use, args
}

public enum ServerKind: String, CaseIterable, Sendable {
    case dovecot
    case qmailPOP3D = "qmail-pop3d"
    case qmailSMTPD = "qmail-smtpd"

    /// The keys a service of this kind may have, besides `server`.
    public var keys: [ServiceKey] {
        switch self {
        case .dovecot: [.version, .protocols, .grants, .postLoginUser, .host]
        case .qmailPOP3D: [.runBy, .listen, .port, .grants, .checkpassword, .hostname, .maildir, .host]
        case .qmailSMTPD:
            [
                .runBy, .listen, .port, .checks, .chain, .relayNetworks, .environment, .relayClientEnvironment, .rules,
                .datalimit, .concurrency, .backlog, .localName, .remoteHost, .remoteInfo, .rulesCDB, .tls,
                .smtpdArgs,
                .logCommand, .host,
            ]
        }
    }

    /// The port a qmail service listens on unless told otherwise; Dovecot's own config owns its ports.
    public var defaultPort: Int? {
        switch self {
        case .dovecot: nil
        case .qmailPOP3D: 110
        case .qmailSMTPD: 25
        }
    }

    public var requiredKeys: [ServiceKey] {
        switch self {
        case .dovecot: [.version, .protocols, .grants]
        case .qmailPOP3D: [.runBy, .grants]
        case .qmailSMTPD: [.runBy]
        }
    }
}

public enum ServiceKey: String, CaseIterable, Sendable {
    case server, version, protocols, grants, host
    case postLoginUser = "post-login-user"
    case runBy = "run-by"
    case listen, port, checks, chain
    case relayNetworks = "relay-networks"
    case relayClientEnvironment = "relay-client-env"
    case rules, datalimit, concurrency
    case localName = "local-name"
    case backlog
    case remoteHost = "remote-host"
    case remoteInfo = "remote-info"
    case rulesCDB = "rules-cdb"
    case tls
    case smtpdArgs = "smtpd-args"
    case logCommand = "log-command"
    case checkpassword, hostname, maildir
    case environment
}
