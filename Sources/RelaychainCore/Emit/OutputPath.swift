/// Where an emitted file goes in the output directory. This is the one place that spells each
/// path: the targets say which file they write, the deployment and doctor ask which were
/// written, and nobody reads a path string back to learn what another part made.
public indirect enum OutputPath: Hashable, Sendable {
    /// A supervised service's directory (daemontools or runit), by service name.
    case runScript(service: String)
    case logRunScript(service: String)
    /// tcpserver's rules beside a supervised SMTP service's run script.
    case serviceRules(service: String)
    /// A systemd unit, by its service name (installed as `relaychain-<service>.service`).
    case systemdUnit(service: String)
    /// tcpserver's rules for a systemd service, installed into its configuration directory.
    case systemdRules(service: String)
    /// qmail-run's tcprules source for a service it runs.
    case qmailRunRules(service: String)
    /// The rc.conf lines for pkgsrc's qmail-run.
    case rcConf
    case dovecotFragment(service: String)
    /// Dovecot 2's post-login script.
    case postLoginScript(service: String)
    /// relay-ctrl-age's cron line.
    case cronLine
    /// The Redis host's ACL lines for a window.
    case redisACL(window: String)
    /// The nftables table in front of a store-side spiped, by its service name.
    case spipedFirewall(service: String)
    case setup
    /// A file a supervised service reads from its own directory (a replicated window's copy's redis.conf).
    case serviceConfig(service: String, name: String)
    /// A host's file in a cluster build: under the host's directory.
    case onHost(String, OutputPath)

    /// Relative to the output directory.
    public var path: String {
        switch self {
        case .runScript(let service): "\(Self.serviceDirectory(service))/run"
        case .logRunScript(let service): "\(Self.serviceDirectory(service))/log/run"
        case .serviceRules(let service): "\(Self.serviceDirectory(service))/tcp.rules"
        case .systemdUnit(let service): "systemd/\(Self.unitName(service))"
        case .systemdRules(let service): "systemd/\(service)/tcp.rules"
        case .qmailRunRules(let service): "tcprules/\(service).rules"
        case .rcConf: "rc.conf"
        case .dovecotFragment(let service): "dovecot/\(Self.fragmentName(service))"
        case .postLoginScript(let service): "libexec/\(Self.postLoginScriptName(service))"
        case .cronLine: "cron/relay-ctrl-age"
        case .redisACL(let window): "redis/\(window).acl"
        case .spipedFirewall(let service): "nftables/\(service).nft"
        case .setup: "setup"
        case .serviceConfig(let service, let name): "\(Self.serviceDirectory(service))/\(name)"
        case .onHost(let host, let file): "\(host)/\(file.path)"
        }
    }

    /// A supervised service's directory, which setup links into the supervisor's.
    public static func serviceDirectory(_ service: String) -> String { "service/\(service)" }
    public static func unitName(_ service: String) -> String { "relaychain-\(service).service" }
    /// The fragment's name, in the output and in Dovecot's conf.d.
    public static func fragmentName(_ service: String) -> String { "relaychain-\(service).conf" }
    public static func postLoginScriptName(_ service: String) -> String { "\(service)-postlogin" }
}
