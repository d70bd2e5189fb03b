/// The live self-test doctor runs: a grant as a login makes it, then each SMTP chain.
extension Deployment {
    /// A command of the live self-test: `asRoot` (ending in a chain loader such as
    /// relay-ctrl-chdir) runs as root, then the rest runs as `user` (nil: it stays root), as on
    /// the host: relay-ctrl-chdir opens the store before tcpserver drops to qmaild.
    public struct ProbeCommand: Sendable, Equatable {
        public var service: String
        public var asRoot: [String]
        public var user: String?
        /// The group `user` runs with instead of its own (the window's, as Dovecot's `group =`).
        public var group: String?
        public var asUser: [String]
        /// Variables of the login side's caller (Dovecot's IP, USER); `@ADDRESS@` is the test address.
        public var environment: [String]
    }

    /// Grant a TEST-NET address the way a login does, then run each SMTP chain up to a probe
    /// (env, which prints the environment) in place of qmail-smtpd.
    public struct SelfTest: Sendable, Equatable {
        public var window: String
        public var store: String
        public var grant: ProbeCommand
        public var checks: [ProbeCommand]
        /// What RELAYCLIENT must be when the grant is seen.
        public var relayClient: String
        /// Grants in Redis: no file to look for or remove (the key expires with the window).
        public var inRedis = false
    }

    static func selfTests(_ spec: Spec) -> [SelfTest] {
        let plan = ChainPlan(spec: spec)
        let env = spec.platform.env.value
        let address = addressPlaceholder
        var tests: [SelfTest] = []
        for window in spec.windows {
            let checks = spec.services.compactMap { service -> ProbeCommand? in
                guard case .qmailSMTPD(let smtpd) = service.role, smtpd.checks?.value == window.name.value else {
                    return nil
                }
                let asRoot =
                    [env, "-"] + (plan.checkEnvironment(window) + plan.serviceEnvironment(smtpd)).map(\.text)
                    + plan.chdirWords(window).map(\.text)
                let chain = plan.wrapperCommand(smtpd).map(\.text)
                let tcpserver = [
                    "TCPREMOTEIP=\(address)", "TCPREMOTEPORT=2525", "TCPLOCALIP=127.0.0.1", "PROTO=TCP",
                    "TCPLOCALPORT=\(smtpd.port.value)",
                ]
                return ProbeCommand(
                    service: service.name.value, asRoot: asRoot, user: spec.platform.users.smtp,
                    asUser: [env] + tcpserver + chain + [env], environment: [])
            }
            guard !checks.isEmpty,
                let granter = spec.services.first(where: { $0.grants?.value == window.name.value })
            else { continue }
            let grant: ProbeCommand
            switch granter.role {
            case .dovecot(let login) where login.version.value.mechanism == .mailExecutable:
                let words =
                    [env] + plan.storeWords(window, as: .writer).map(\.text) + plan.carryWords(window).map(\.text)
                    + plan.chdirWords(window).map(\.text)
                    + [spec.platform.path(of: .dovecotSettcpremoteip), spec.platform.path(of: .relayCtrlAllow)]
                grant = ProbeCommand(
                    service: granter.name.value, asRoot: words + ["/bin/true"], user: nil, asUser: [],
                    environment: ["IP=\(address)", "USER=relaychain-doctor"])
            case .dovecot(let login):
                let user = login.postLoginUser?.value ?? spec.platform.users.dovecot
                grant = ProbeCommand(
                    service: granter.name.value, asRoot: [], user: user, group: window.group?.value,
                    asUser: ["\(spec.platform.libexec.value)/\(granter.name.value)-postlogin", "/bin/true"],
                    environment: ["IP=\(address)", "USER=relaychain-doctor"])
            default:
                let asRoot =
                    [env, "-"] + plan.storeWords(window, as: .writer).map(\.text) + plan.carryWords(window).map(\.text)
                    + plan.chdirWords(window).map(\.text)
                grant = ProbeCommand(
                    service: granter.name.value, asRoot: asRoot, user: "nobody",
                    asUser: [
                        env, "TCPREMOTEIP=\(address)", "USER=relaychain-doctor",
                        spec.platform.path(of: .relayCtrlAllow),
                        "/bin/true",
                    ],
                    environment: [])
            }
            var test = SelfTest(
                window: window.name.value, store: window.store.value, grant: grant, checks: checks,
                relayClient: window.relayClient.value)
            test.inRedis = window.redis != nil
            tests.append(test)
        }
        return tests
    }
}
