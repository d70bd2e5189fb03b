/// What a host needs besides the emitted files, derived from the spec alone: the accounts, each
/// store directory's owner, group and mode, the log directories, the tcprules to compile, the
/// files to install in place and the services to link. The emitted `setup` script does it and
/// `relaychain doctor` checks it.
public struct Deployment: Sendable, Equatable {
    /// A file of the output installed where the system reads it.
    public struct Install: Sendable, Equatable {
        public var source: OutputPath
        public var destination: String
        public var mode: UInt32
        /// What to do after it is installed (e.g. "doveadm reload").
        public var then: String?
        /// What to do instead when it replaces an earlier version (a running unit is restarted).
        public var thenWhenReplaced: String?
    }

    /// A tcp.rules that setup compiles: its directory, and where the cdb goes when not beside it.
    public struct CompiledRules: Sendable, Equatable {
        public var directory: String
        public var cdb: String?

        /// The compiled file's path (under the directory unless `rules-cdb` moves it).
        public var cdbPath: String { cdb ?? "\(directory)/tcp.cdb" }
    }

    /// A supervised service of the output directory.
    public struct SupervisedService: Sendable, Equatable {
        public var name: String
        public var supervisor: Supervisor
        /// Relative to the output directory.
        public var directory: String
        /// Where setup links it.
        public var link: String
        public var compilesRules: Bool
        /// Where its rules are compiled to, when not tcp.cdb in its directory (`rules-cdb`).
        public var rulesCDB: String?
        /// The supervisor's control program (svc, sv) and its check that the service is
        /// supervised (svok; sv again for runit): setup restarts a running service whose run
        /// scripts changed.
        public var control: String
        public var check: String
        /// What reports the running process (svstat; sv status for runit).
        public var status: String
        /// `NAME=value` settings its run script's env gives the chain: doctor looks for each in
        /// the running process's environment, which a rebuild reaches only through a restart.
        public var environment: [String] = []
    }

    public static let addressPlaceholder = "@ADDRESS@"

    /// A Redis password file: root's, readable by `account`'s group, never by others.
    public struct PasswordFile: Sendable, Equatable {
        public var path: String
        public var account: String
    }

    /// The Redis host's firewall table in front of spiped, as `nft list table` shows it.
    public struct Firewall: Sendable, Equatable {
        public var program: String
        /// An `inet` table of its own.
        public var table: String
        public var port: Int
        public var peers: [String]
        /// The rule that turns everyone else away.
        public var dropRule: String
        /// Where setup installs the table, for `nft -f`.
        public var installedPath: String
    }

    /// One role's spiped socket directory and who may enter it.
    public struct SocketDirectory: Sendable, Equatable {
        public var path: String
        public var access: SocketAccess
    }

    public var firewalls: [Firewall] = []
    public var socketDirectories: [SocketDirectory] = []
    public var passwordFiles: [PasswordFile] = []
    /// The Redis users setup sets, for each window whose Redis runs on this host.
    public var redisUsers: [RedisUsers] = []
    /// A replicated window's copy and sentinels as this host reaches them.
    public var replicaWatches: [ReplicaWatch] = []
    /// spiped's shared keys: root's alone (spiped reads its key before it drops root).
    public var spipedKeys: [String] = []
    public var users: [String]
    /// Every program an emitted file runs, by absolute path, each once.
    public var programs: [String]
    public var selfTests: [SelfTest]
    public var stores: [Store]
    public var services: [SupervisedService]
    public var logUser: String
    public var smtpUser: String
    public var installs: [Install]
    /// Directories outside the output where tcp.rules is installed and compiled (systemd services).
    public var systemRules: [CompiledRules]
    /// Steps setup cannot take and prints instead (merging into dovecot.conf or rc.conf).
    public var manualSteps: [String]
    public var tcprules: String

    /// The name of the installed crontab fragment: cron.d accepts letters, digits, '-' and '_'.
    public static func cronFragmentName(specName: String) -> String {
        let base = specName.hasSuffix(".yaml") ? String(specName.dropLast(5)) : specName
        let safe = base.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-": Character(scalar)
            default: "-"
            }
        }
        return "relaychain-" + String(safe)
    }

    /// `produced`: the files the targets wrote for this host (a service a target could not
    /// write, such as a second qmail-run service, has nothing to install).
    static func make(
        _ spec: Spec, spipedEnds: [SpipedEnd], replicated: [ReplicatedHost] = [], specName: String,
        produced: Set<OutputPath>
    ) -> Deployment {
        let platform = spec.platform
        let users = platform.users
        let plan = ChainPlan(spec: spec)
        var accounts: [String] = []
        func need(_ name: String) { if name != "root", !accounts.contains(name) { accounts.append(name) } }

        let referenced = spec.windows.filter { window in
            spec.services.contains { $0.uses(window.name.value) }
        }
        let stores = Store.reconciled(referenced.filter { $0.redis == nil }.map { store($0, in: spec) })
        // Each Redis user's password file, readable by the account that runs the tool as that user.
        var manual: [String] = []
        // A file has one group: the first account that reads it; any other is a step by hand.
        var passwordFiles: [PasswordFile] = []
        func password(_ path: String, for account: String) {
            if let first = passwordFiles.first(where: { $0.path == path }) {
                if first.account != account, !manual.contains(where: { $0.hasPrefix("let \(account) read \(path)") }) {
                    manual.append("let \(account) read \(path) too (the file is \(first.account)'s alone)")
                }
            } else {
                passwordFiles.append(PasswordFile(path: path, account: account))
            }
        }
        for window in referenced {
            guard let redis = window.redis else { continue }
            for writer in writers(of: window, in: spec) {
                let path = redis.passwordFile(of: redis.writer.value)
                switch writer {
                case .root: password(path, for: "root")
                case .account(let name): password(path, for: name)
                case .anyMailUser:
                    manual.append("qmail-pop3d's relay-ctrl-allow runs as each mail user: let them read \(path)")
                }
            }
            if spec.services.contains(where: { $0.checks?.value == window.name.value }) {
                password(redis.passwordFile(of: redis.reader.value), for: users.smtp)
            }
            // relaychain grants runs as root where Redis is: in a cluster on its host alone, which
            // RedisUsers asks the auditor's file of (the other hosts never hold it).
            if let auditor = redis.auditor, redis.host == nil {
                password(redis.passwordFile(of: auditor.value), for: "root")
            }
        }
        var services: [SupervisedService] = []
        var installs: [Install] = []
        var systemRules: [CompiledRules] = []
        var spipedKeys: [String] = []
        var firewalls: [Firewall] = []
        var socketDirectories: [SocketDirectory] = []
        for service in spec.services {
            let name = service.name.value
            switch service.role {
            case .dovecot(let login):
                let fragment = OutputPath.dovecotFragment(service: name)
                guard produced.contains(fragment) else { continue }
                if let window = spec.window(named: login.grants.value),
                    case .account(let user) = writers(of: window, in: spec).first
                {
                    need(user)
                }
                if login.version.value.mechanism == .mailExecutable {
                    manual.append(
                        "merge \(fragment.path) into dovecot.conf (Dovecot \(login.version.value) has no conf.d)")
                    continue
                }
                installs.append(
                    Install(
                        source: .postLoginScript(service: name),
                        destination: "\(platform.libexec.value)/\(OutputPath.postLoginScriptName(name))", mode: 0o755))
                if let confD = platform.dovecotConfD {
                    installs.append(
                        Install(
                            source: fragment, destination: "\(confD)/\(OutputPath.fragmentName(name))", mode: 0o644,
                            then: "doveadm reload"))
                } else {
                    manual.append("include \(fragment.path) from dovecot.conf (!include)")
                }
            case .qmailPOP3D(let login):
                let words = plan.window(login.grants).map { plan.storeWords($0, as: .writer) + plan.carryWords($0) }
                supervised(name, login.runBy.value, rules: false, environment: assignments(words ?? []))
            case .qmailSMTPD(let smtpd):
                need(users.smtp)
                let words =
                    (plan.window(smtpd.checks).map(plan.checkEnvironment) ?? []) + plan.serviceEnvironment(smtpd)
                supervised(
                    name, smtpd.runBy.value, rules: true, rulesCDB: smtpd.rulesCDB?.value,
                    environment: assignments(words))
            }
        }
        func assignments(_ words: [Word]) -> [String] {
            words.compactMap { word in
                if case .assignment(let name, let value) = word.kind { "\(name)=\(value)" } else { nil }
            }
        }
        func supervised(
            _ name: String, _ supervisor: Supervisor, rules: Bool, rulesCDB: String? = nil, environment: [String] = []
        ) {
            guard supervisor != .qmailRun else { return }
            if supervisor == .systemd {
                let unit = OutputPath.unitName(name)
                let source = OutputPath.systemdUnit(service: name)
                if let directory = platform.systemdUnitDirectory {
                    installs.append(
                        Install(
                            source: source, destination: "\(directory)/\(unit)", mode: 0o644,
                            then: "systemctl daemon-reload && systemctl enable --now \(unit)",
                            thenWhenReplaced: "systemctl daemon-reload && systemctl restart \(unit)"))
                } else {
                    manual.append(
                        "install \(source.path) where systemd reads units, then systemctl enable --now \(unit)")
                }
                if rules {
                    let directory = "\(platform.configDirectory)/\(name)"
                    installs.append(
                        Install(
                            source: .systemdRules(service: name), destination: "\(directory)/tcp.rules", mode: 0o644))
                    systemRules.append(CompiledRules(directory: directory, cdb: rulesCDB))
                }
                return
            }
            need(users.log)
            services.append(
                SupervisedService(
                    name: name, supervisor: supervisor, directory: OutputPath.serviceDirectory(name),
                    link: "\(platform.serviceDirectory(supervisor))/\(name)", compilesRules: rules,
                    rulesCDB: rulesCDB,
                    control: platform.path(of: supervisor == .runit ? .sv : .svc),
                    check: platform.path(of: supervisor == .runit ? .sv : .svok),
                    status: platform.path(of: supervisor == .runit ? .sv : .svstat), environment: environment))
        }
        for end in spipedEnds {
            need(end.spiped.user.value)
            supervised(end.serviceName, end.spiped.runBy.value, rules: false)
            let key = end.spiped.keyPath(window: end.window)
            if !spipedKeys.contains(key) { spipedKeys.append(key) }
            if case .client(_, let role, let access) = end.side {
                socketDirectories.append(
                    SocketDirectory(path: Spiped.socketDirectory(window: end.window, role: role), access: access))
            }
            if let firewall = SpipedFirewall(end, spec: spec, header: "") {
                installs.append(Install(source: firewall.output, destination: firewall.installedPath, mode: 0o644))
                firewalls.append(
                    Firewall(
                        program: firewall.program, table: firewall.tableName,
                        port: firewall.port, peers: firewall.peers, dropRule: firewall.dropRule,
                        installedPath: firewall.installedPath))
            } else {
                switch end.side {
                case .store(let listen, let peers), .copyServer(let listen, let peers, _, _):
                    manual.append(
                        "let only \(peers.joined(separator: ", ")) reach \(listen) port "
                            + "\(end.listenPort ?? end.spiped.port.value) (this host's firewall): a peer without "
                            + "spiped's key can still hold its connections")
                case .client, .copyClient: break
                }
            }
        }
        // A replicated window's copy and sentinel: relaychain's own services, run by the Redis
        // account; their run scripts read the password files as root.
        for hosted in replicated {
            guard let redis = spec.window(named: hosted.window)?.redis, let replication = redis.replication,
                let supervisor = redis.spiped?.runBy.value
            else { continue }
            var users: [String] = []
            if hosted.copy != nil {
                need(platform.redisUser)
                supervised(RedisReplication.copyService(window: hosted.window), supervisor, rules: false)
                users += RedisTarget.users(redis).map(\.name)
            }
            if hosted.sentinel != nil {
                need(platform.redisUser)
                supervised(RedisReplication.sentinelService(window: hosted.window), supervisor, rules: false)
                users += RedisTarget.sentinelUsers(redis).map(\.name)
            }
            if let admin = redis.admin { users.append(admin.value) }
            users.append(replication.replicationUser.value)
            for user in users {
                let path = redis.passwordFile(of: user)
                if !passwordFiles.contains(where: { $0.path == path }) { password(path, for: "root") }
            }
        }
        if produced.contains(.rcConf) {
            manual.append("merge rc.conf into /etc/rc.conf: relaychain build \(specName) --merge-into /etc/rc.conf")
            // qmail-run's services read rc.conf only when they start: the merge reaches them by a restart.
            let scripts = spec.services.compactMap { service -> String? in
                switch service.role {
                case .qmailSMTPD(let smtpd) where smtpd.runBy.value == .qmailRun: "qmailsmtpd"
                case .qmailPOP3D(let login) where login.runBy.value == .qmailRun: "qmailpop3d"
                default: nil
                }
            }
            for script in Set(scripts).sorted() {
                manual.append(
                    "then restart \(script), which reads rc.conf only when it starts: /etc/rc.d/\(script) restart")
            }
        }
        for service in spec.services where produced.contains(.qmailRunRules(service: service.name.value)) {
            manual.append(
                "install \(OutputPath.qmailRunRules(service: service.name.value).path) where qmail-run's tcprules "
                    + "variable points; qmail-run compiles it")
        }
        if produced.contains(.cronLine) {
            need(users.smtp)
            if let cronD = platform.cronD {
                installs.append(
                    Install(
                        source: .cronLine, destination: "\(cronD)/\(cronFragmentName(specName: specName))",
                        mode: 0o644))
            } else {
                // Root's, as the line says: only root may enter the store's private parent.
                manual.append(
                    "add the line of \(OutputPath.cronLine.path) to root's crontab: crontab -u root -e "
                        + "(only root may enter the store's parent)")
            }
        }
        for store in stores where store.writers.contains(where: { if case .account = $0 { true } else { false } }) {
            need(store.owner)
        }
        var deployment = Deployment(
            users: accounts,
            programs: programs(spec, spipedEnds: spipedEnds, replicated: replicated, produced: produced),
            selfTests: selfTests(spec), stores: stores,
            services: services, logUser: users.log, smtpUser: users.smtp,
            installs: installs, systemRules: systemRules, manualSteps: manual, tcprules: platform.path(of: .tcprules))
        deployment.passwordFiles = passwordFiles
        deployment.redisUsers = RedisUsers.onThisHost(spec, spipedEnds: spipedEnds)
        for users in deployment.redisUsers where !deployment.programs.contains(users.setuidgid) {
            deployment.programs.append(users.setuidgid)
        }
        deployment.spipedKeys = spipedKeys
        deployment.firewalls = firewalls
        deployment.socketDirectories = socketDirectories
        deployment.replicaWatches = replicaWatches(spec, replicated)
        return deployment
    }
}
