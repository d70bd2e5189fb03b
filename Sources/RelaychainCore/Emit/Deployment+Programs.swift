/// Every program a host's emitted files run, for doctor to find.
extension Deployment {
    /// Absolute paths that start a word of an emitted command line, found from the chains.
    static func programs(
        _ spec: Spec, spipedEnds: [SpipedEnd], replicated: [ReplicatedHost] = [], produced: Set<OutputPath>
    ) -> [String] {
        let plan = ChainPlan(spec: spec)
        var paths: [String] = []
        func add(_ path: String) { if !paths.contains(path) { paths.append(path) } }
        for service in spec.services {
            switch service.role {
            case .dovecot(let login):
                guard produced.contains(.dovecotFragment(service: service.name.value)) else { continue }
                for program: KnownProgram in [.relayCtrlChdir, .relayCtrlAllow] { add(spec.platform.path(of: program)) }
                if login.version.value.mechanism == .mailExecutable {
                    add(spec.platform.env.value)
                    add(spec.platform.path(of: .dovecotSettcpremoteip))
                    for mailProtocol in login.protocols {
                        add("\(spec.platform.dovecotLibexec.value)/\(mailProtocol.value.rawValue)")
                    }
                } else {
                    add("\(spec.platform.dovecotLibexec.value)/script-login")
                }
            case .qmailPOP3D(let login):
                let programs: [KnownProgram] = [.relayCtrlChdir, .tcpserver, .qmailPopup, .relayCtrlAllow, .qmailPop3d]
                for program in programs { add(spec.platform.path(of: program)) }
                add(
                    login.checkpassword.value.hasPrefix("/")
                        ? login.checkpassword.value : spec.platform.path(ofNamed: login.checkpassword.value))
                logPrograms(login.runBy.value)
            case .qmailSMTPD(let smtpd):
                add(spec.platform.env.value)
                if smtpd.checks != nil { add(spec.platform.path(of: .relayCtrlChdir)) }
                if smtpd.runBy.value != .qmailRun {
                    add(spec.platform.path(of: smtpd.tls == nil ? .tcpserver : .sslserver))
                }
                if smtpd.runBy.value == .systemd { add(spec.platform.path(of: .envuidgid)) }
                for step in plan.smtpSteps(smtpd) { add(step.words[0].text) }
                if smtpd.runBy.value != .qmailRun { add(spec.platform.path(of: .tcprules)) }
                logPrograms(smtpd.runBy.value)
            }
        }
        func logPrograms(_ supervisor: Supervisor) {
            switch supervisor {
            case .daemontools:
                add(spec.platform.path(of: .setuidgid))
                add(spec.platform.path(of: .multilog))
                controls(supervisor)
            case .runit:
                add(spec.platform.path(of: .chpst))
                add(spec.platform.path(of: .svlogd))
                controls(supervisor)
            case .systemd, .qmailRun: break
            }
        }
        /// What setup restarts a supervised service with, and checks it is supervised with.
        func controls(_ supervisor: Supervisor) {
            switch supervisor {
            case .daemontools:
                add(spec.platform.path(of: .svc))
                add(spec.platform.path(of: .svok))
                add(spec.platform.path(of: .svstat))
            case .runit: add(spec.platform.path(of: .sv))
            case .systemd, .qmailRun: break
            }
        }
        if produced.contains(.cronLine) { add(spec.platform.path(of: .relayCtrlAge)) }
        for end in spipedEnds {
            add(spec.platform.path(of: .spiped))
            if let firewall = SpipedFirewall(end, spec: spec, header: "") { add(firewall.program) }
            logPrograms(end.spiped.runBy.value)
        }
        for hosted in replicated where hosted.copy != nil || hosted.sentinel != nil {
            add(spec.platform.redisServer)
        }
        return paths
    }
}
