import Foundation
import RelaychainCore

/// The checks of `relaychain doctor`, each an item that holds or fails with a fix.
struct HostDoctor {
    struct Item {
        /// Stable across runs: the kind of check and what it checks (`store:/var/spool/...`).
        var id: String
        var what: String
        var holds: Bool
        /// What was found, when it does not hold (or, for a warning, the risk).
        var detail: String = ""
        var fix: Fix
        /// Holds, but says a risk that depends on what doctor cannot see (who connects from where).
        var warning: Bool = false
        /// Not checked this run (what it needs failed above); listed so that every run lists the same items.
        var skipped: Bool = false

        var status: String { skipped ? "skip" : warning ? "warn" : holds ? "ok" : "fail" }
    }

    /// What to do about an item: a command that does it, run as root on the host, when one
    /// does; and what else to know, or what to do when no one command can.
    struct Fix {
        var advice: String?
        var command: String?

        static func run(_ command: String, _ advice: String? = nil) -> Fix { Fix(advice: advice, command: command) }
        static func advice(_ text: String) -> Fix { Fix(advice: text, command: nil) }

        var text: String { [advice, command].compactMap { $0 }.joined(separator: ": ") }
    }

    let spec: Spec
    let specPath: String
    let files: [OutputFile]
    let deployment: Deployment
    /// The output directory, absolute.
    let output: String
    let dovecotConfig: String?
    let rcConf: String
    var items: [Item] = []

    init(
        spec: Spec, specPath: String, files: [OutputFile], deployment: Deployment, output: String,
        dovecotConfig: String?, rcConf: String
    ) {
        self.spec = spec
        self.specPath = specPath
        self.files = files
        self.deployment = deployment
        self.output = output
        self.dovecotConfig = dovecotConfig
        self.rcConf = rcConf
    }

    var setupFix: Fix { .run("\(output)/setup", "run setup as root") }

    mutating func examine() {
        add(
            "root", "doctor runs as root (it acts as each account to test the store)", geteuid() == 0,
            "running as uid \(geteuid())",
            fix: .run("sudo \(Self.doctorCommand(specPath, output: output))", "run it as root"))
        checkPrograms()
        checkUsers()
        checkOutput()
        checkStores()
        checkServices()
        checkRunningServices()
        checkInstalls()
        checkSystemRules()
        checkDovecot()
        checkRCConf()
        checkCrontab()
        checkCronDaemon()
        checkStoreAccess()
        checkPasswordFiles()
        checkSpipedKeys()
        checkSpipedSockets()
        checkFirewalls()
        checkReplicas()
        if items.allSatisfy(\.holds) {
            selfTest()
        } else {
            for test in deployment.selfTests {
                skip(grantItem(test), "the items above must hold first")
                for check in test.checks { skip(relayItem(check), "the items above must hold first") }
            }
        }
    }

    mutating func add(_ id: String, _ what: String, _ holds: Bool, _ detail: String = "", fix: Fix) {
        items.append(Item(id: id, what: what, holds: holds, detail: detail, fix: fix))
    }

    /// doctor again, as the administrator ran it.
    static func doctorCommand(_ spec: String, output: String) -> String {
        "relaychain doctor \(spec) --output \(output)"
    }

    // MARK: programs, accounts, files

    private mutating func checkPrograms() {
        for program in deployment.programs {
            var status = stat()
            let present = stat(program, &status) == 0
            let holds = present && status.st_mode & S_IFMT == S_IFREG && access(program, X_OK) == 0
            add(
                "program:\(program)", "program \(program) is executable", holds,
                present ? "not an executable file" : "not found",
                fix: .advice("install the package that has it, or set its path under 'platform: paths:' in \(specPath)")
            )
        }
    }

    private mutating func checkUsers() {
        for user in deployment.users {
            add(
                "account:\(user)", "account \(user) exists", getpwnam(user) != nil, "no such account",
                fix: .run("useradd --system --no-create-home --shell /usr/sbin/nologin \(user)", "create it"))
        }
    }

    private mutating func checkOutput() {
        let stale = OutputDirectory(root: output).changes(files).map(\.path)
        add(
            "output", "\(output) holds what build emits", stale.isEmpty, "differs: \(stale.joined(separator: ", "))",
            fix: .run("relaychain build \(specPath) --output \(output)"))
    }

    func owner(_ path: String) -> (uid: uid_t, gid: gid_t, mode: mode_t)? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return (status.st_uid, status.st_gid, status.st_mode)
    }

    func ids(_ user: String) -> (uid: uid_t, gid: gid_t)? {
        getpwnam(user).map { ($0.pointee.pw_uid, $0.pointee.pw_gid) }
    }

    private mutating func checkServices() {
        for service in deployment.services {
            let main = "\(output)/\(service.directory)/log/main"
            let logUser = ids(deployment.logUser)
            let found = owner(main)
            add(
                "log-directory:\(service.name)", "log directory \(main) belongs to \(deployment.logUser)",
                found.map { $0.uid == logUser?.uid && $0.mode & S_IFMT == S_IFDIR } ?? false,
                found.map { "owned by uid \($0.uid)" } ?? "missing", fix: setupFix)
            if service.compilesRules {
                let cdb = service.rulesCDB ?? "\(output)/\(service.directory)/tcp.cdb"
                add(
                    "rules:\(service.name)",
                    "\(service.rulesCDB ?? "\(service.directory)/tcp.cdb") is newer than its tcp.rules",
                    Self.cdbIsFresh("\(output)/\(service.directory)/tcp.rules", cdb), "missing or older than tcp.rules",
                    fix: setupFix)
            }
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: service.link)
            add(
                "link:\(service.name)", "\(service.link) links to \(output)/\(service.directory)",
                target == "\(output)/\(service.directory)",
                target.map { "links to \($0)" } ?? "no link", fix: setupFix)
        }
    }

    /// A supervised service reads its run script only when it starts: the running process must
    /// hold the environment the run script gives it now, or a rebuild has not reached it.
    private mutating func checkSystemRules() {
        for rules in deployment.systemRules {
            add(
                "rules:\(rules.directory)", "\(rules.cdbPath) is newer than its tcp.rules",
                Self.cdbIsFresh("\(rules.directory)/tcp.rules", rules.cdbPath),
                "missing or older than tcp.rules", fix: setupFix)
        }
    }

    /// The rules and their compiled cdb both there, the cdb no older than its source.
    static func cdbIsFresh(_ source: String, _ compiled: String) -> Bool {
        var rules = stat()
        var cdb = stat()
        guard stat(source, &rules) == 0, stat(compiled, &cdb) == 0 else { return false }
        return (cdb.st_mtim.tv_sec, cdb.st_mtim.tv_nsec) >= (rules.st_mtim.tv_sec, rules.st_mtim.tv_nsec)
    }

    private mutating func checkInstalls() {
        for install in deployment.installs {
            let wanted = files.first { $0.output == install.source }?.contents.utf8.map { $0 } ?? []
            let found = FileManager.default.contents(atPath: install.destination).map { [UInt8]($0) }
            let mode = owner(install.destination).map { $0.mode & 0o7777 }
            add(
                "install:\(install.destination)", "\(install.destination) is \(install.source.path) of the output",
                found == wanted && mode == install.mode,
                found == nil ? "missing" : found != wanted ? "differs" : "mode \(String(mode ?? 0, radix: 8))",
                fix: setupFix)
        }
    }

    private mutating func checkDovecot() {
        let postLogin = spec.services.compactMap { service -> String? in
            guard case .dovecot(let login) = service.role, login.version.value.mechanism != .mailExecutable else {
                return nil
            }
            return "\(spec.platform.libexec.value)/\(service.name.value)-postlogin"
        }
        guard !postLogin.isEmpty else { return }
        let arguments = (dovecotConfig.map { ["-c", $0] } ?? []) + ["-n"]
        let result = HostCommand.run([spec.platform.doveconf] + arguments, timeout: 20)
        let text = result.output
        let doveconf = ([spec.platform.doveconf] + arguments).joined(separator: " ")
        add(
            "doveconf", "doveconf \(arguments.joined(separator: " ")) reads the configuration", result.status == 0,
            result.errors.split(separator: "\n").first.map(String.init) ?? "exit \(result.status)",
            fix: .run(doveconf, "correct dovecot.conf; doveconf names the line"))
        guard result.status == 0 else { return }
        for script in postLogin {
            let shown =
                text.contains("service relaychain-postlogin {") && text.contains("executable = script-login \(script)")
            add(
                "dovecot-postlogin:\(script)", "Dovecot's configuration runs \(script) after each login", shown,
                "doveconf -n shows no relaychain-postlogin service running it",
                fix: .run("doveadm reload", "include the fragment (setup puts it in conf.d), then reload Dovecot"))
        }
        checkTrustedNetworks(text)
        checkLiveDovecot(arguments.dropLast())
    }

    /// What the running Dovecot has loaded, not what its files say: its master makes each service's
    /// listener in base_dir when it (re)loads the configuration, so the post-login service's socket
    /// is there only when the running instance has the fragment.
    private mutating func checkLiveDovecot(_ config: ArraySlice<String>) {
        let what = "the running Dovecot has loaded the post-login service (relaychain-postlogin)"
        let baseDir = HostCommand.run([spec.platform.doveconf] + config + ["-h", "base_dir"], timeout: 20)
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let pid = (try? String(contentsOfFile: "\(baseDir)/master.pid", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let reload = (["doveadm"] + config + ["reload"]).joined(separator: " ")
        guard let pid, kill(pid_t(pid), 0) == 0 || errno == EPERM else {
            let start =
                FileManager.default.fileExists(atPath: "/run/systemd/system")
                ? "systemctl start dovecot" : "service dovecot start"
            add(
                "dovecot-live", what, false, "Dovecot is not running (no live master.pid in \(baseDir))",
                fix: .run(start, "start Dovecot"))
            return
        }
        var status = stat()
        let socket = "\(baseDir)/relaychain-postlogin"
        let loaded = lstat(socket, &status) == 0 && status.st_mode & S_IFMT == S_IFSOCK
        add(
            "dovecot-live", what, loaded,
            "no socket \(socket): Dovecot \(pid) runs a configuration from before the fragment",
            fix: .run(reload, "reload Dovecot (setup does, when it installs the fragment)"))
    }

    /// A client on one of Dovecot's login_trusted_networks names its own address (IMAP ID
    /// x-originating-ip, the proxy protocols), and the grant goes to the address it names: any user
    /// who can log in from there (webmail, a shell on the mail host) can open a relay window for
    /// any address. Right for a proxy of the administrator's, so a warning, not a failure.
    private mutating func checkTrustedNetworks(_ doveconf: String) {
        let networks =
            doveconf.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("login_trusted_networks = ") else { return nil }
                return String(line.dropFirst("login_trusted_networks = ".count))
            }.first ?? ""
        items.append(
            Item(
                id: "dovecot-trusted-networks",
                what: "Dovecot lets no client name its own address (login_trusted_networks)", holds: true,
                detail: networks.isEmpty
                    ? ""
                    : "login_trusted_networks = \(networks): a client connecting from there may name any address "
                        + "(IMAP ID x-originating-ip), and its login grants that address a relay window",
                fix: .advice(
                    "keep only the addresses of proxies you run in login_trusted_networks, never ones users "
                        + "connect from"), warning: !networks.isEmpty))
    }

    private mutating func checkRCConf() {
        guard let fragment = files.first(where: { $0.output == .rcConf }) else { return }
        let existing = FileManager.default.contents(atPath: rcConf).map { String(decoding: $0, as: UTF8.self) }
        let holds = existing.map { RCConfMerge.merge(fragment.contents, into: $0) == $0 } ?? false
        add(
            "rc-conf", "\(rcConf) holds the qmail-run variables build emits", holds,
            existing == nil ? "cannot read it" : "they differ",
            fix: .run("relaychain build \(specPath) --merge-into \(rcConf)"))
    }

    private mutating func checkCrontab() {
        guard spec.platform.cronD == nil, let cron = files.first(where: { $0.output == .cronLine }) else {
            return
        }
        // Root's: the line enters the store's private parent, which only root may (CronTarget).
        let user = "root"
        let listed = HostCommand.run(["/usr/bin/crontab", "-u", user, "-l"], timeout: 10)
        let lines = cron.contents.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let holds = lines.allSatisfy { listed.output.split(separator: "\n").contains($0) }
        add(
            "crontab", "\(user)'s crontab runs relay-ctrl-age", holds, "crontab -u \(user) -l lacks the line",
            fix: .run("crontab -u \(user) -e", "add the line of \(output)/\(OutputPath.cronLine.path)"))
    }

    /// Cron daemons by the name their process has (Debian's cron, cronie's and BusyBox's crond,
    /// fcron, bcron): a cron line expires grants only while one runs.
    static let cronDaemons: Set<String> = ["cron", "crond", "fcron", "bcron-sched"]

    private mutating func checkCronDaemon() {
        guard files.contains(where: { $0.output == .cronLine }) else { return }
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let running = processes.filter { $0.allSatisfy(\.isNumber) }.contains { pid in
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            return Self.cronDaemons.contains(comm.trimmingCharacters(in: .newlines))
        }
        let start =
            FileManager.default.fileExists(atPath: "/run/systemd/system")
            ? "systemctl enable --now cron" : "service cron start"
        add(
            "cron-daemon", "a cron daemon runs (relay-ctrl-age expires grants only while one does)", running,
            "no process named \(Self.cronDaemons.sorted().joined(separator: ", "))",
            fix: .run(start, "start the host's cron daemon (Debian: apt-get install cron)"))
    }

    // MARK: store access and the live self-test

    var me: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    private mutating func checkStoreAccess() {
        guard geteuid() == 0 else { return }
        for store in deployment.stores where deployment.users.allSatisfy({ getpwnam($0) != nil }) {
            let probe = "\(store.path)/.relaychain-doctor-\(UInt32.random(in: 0...UInt32.max))"
            let writer: String =
                store.writers.compactMap { writer -> String? in
                    switch writer {
                    case .root: "root"
                    case .account(let name): name
                    case .anyMailUser: "nobody"
                    }
                }.first ?? "root"
            // As the chains reach the store: an account that opens it by name does so; the others get
            // it from relay-ctrl-chdir, opened as root (--through).
            let byName = store.writers.contains { if case .account = $0 { true } else { false } }
            let through = ["--through", store.path]
            let name = String(probe.dropFirst(store.path.count + 1))
            // Dovecot runs the post-login scripts with the window's group, when it names one.
            var group: [String] = []
            if byName, case .named(let name) = store.group { group = ["--group", name] }
            let wrote = HostCommand.run(
                [me, "probe-as", writer] + group + (byName ? ["--create", probe] : through + ["--create", name]),
                timeout: 10)
            add(
                "store-write:\(store.path)", "\(writer) can write grants in \(store.path)", wrote.status == 0,
                wrote.errors.trimmed, fix: setupFix)
            guard wrote.status == 0 else { continue }
            let smtp = deployment.smtpUser
            let cleaned = HostCommand.run(
                [me, "probe-as", smtp] + through + ["--read", name, "--remove", name], timeout: 10)
            add(
                "store-read:\(store.path)", "\(smtp) can read and remove grants in \(store.path)", cleaned.status == 0,
                cleaned.errors.trimmed,
                fix: setupFix)
            if cleaned.status != 0 { unlink(probe) }
        }
    }

}

extension String {
    var trimmed: String { split(separator: "\n").joined(separator: " | ") }
}
