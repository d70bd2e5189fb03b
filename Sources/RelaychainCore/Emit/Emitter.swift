/// Turns a checked spec into the files an administrator installs, host by host. Pure, and it
/// cannot fail: what a target cannot express was found before (TargetProblems), and a spec
/// with any error is never rendered. Files are sorted by path: same spec, same bytes.
enum Emitter {
    static func emit(_ spec: Spec, specName: String) -> BuildPlan {
        guard spec.hosts.isEmpty else { return emitCluster(spec, specName: specName) }
        return BuildPlan(hosts: [emit(HostPart(spec: spec, spipedEnds: []), specName: specName)], shared: [])
    }

    /// One host's files and deployment; `host` names it in a cluster.
    private static func emit(_ part: HostPart, host name: String? = nil, specName: String) -> HostPlan {
        let spec = part.spec.inCanonicalOrder
        let plan = ChainPlan(spec: spec)
        let header = GeneratedHeader.line(specName: specName)
        let dovecot = DovecotTarget(plan: plan, header: header)
        let qmailRun = QmailRunTarget(plan: plan, header: header)
        let supervisor = SupervisorTarget(plan: plan, header: header)
        let systemd = SystemdTarget(plan: plan, header: header)
        var files: [OutputFile] = []
        var rcServices: [(assignments: [QmailRunTarget.Assignment], comment: String)] = []
        // qmail-run starts one service of each kind; a second is RC302, found before rendering.
        var qmailRunKinds: Set<String> = []

        for service in spec.services {
            switch service.role {
            case .dovecot(let login):
                files += dovecot.files(for: service, login)
            case .qmailPOP3D(let login):
                if login.runBy.value == .qmailRun {
                    guard qmailRunKinds.insert("qmail-pop3d").inserted else { continue }
                    rcServices.append(
                        (
                            qmailRun.pop3dAssignments(service, login),
                            "# qmail-pop3d (service '\(service.name.value)', port \(login.port.value)): each login "
                                + "grants window '\(login.grants.value)'."
                        ))
                } else if login.runBy.value == .systemd {
                    files += systemd.pop3dFiles(service, login, checkpassword: qmailRun.checkpassword(login))
                } else {
                    files += supervisor.pop3dFiles(service, login, checkpassword: qmailRun.checkpassword(login))
                }
            case .qmailSMTPD(let smtpd):
                let relay =
                    smtpd.checks.map { "a client that logged in within window '\($0.value)' may relay" }
                    ?? "no relay windows are checked"
                if smtpd.runBy.value == .qmailRun {
                    guard qmailRunKinds.insert("qmail-smtpd").inserted else { continue }
                    rcServices.append(
                        (
                            qmailRun.smtpAssignments(service, smtpd),
                            "# qmail-smtpd (service '\(service.name.value)', port \(smtpd.port.value)): \(relay)."
                        ))
                    if !smtpd.relayNetworks.isEmpty || !smtpd.rules.isEmpty {
                        files.append(
                            OutputFile(
                                .qmailRunRules(service: service.name.value),
                                contents: SupervisorTarget.tcpRules(header, smtpd)))
                    }
                } else if smtpd.runBy.value == .systemd {
                    files += systemd.smtpFiles(service, smtpd)
                } else {
                    files += supervisor.smtpFiles(service, smtpd)
                }
            }
        }
        let spiped = SpipedTarget(spec: spec, header: header)
        for end in part.spipedEnds { files += spiped.files(end) }
        let copies = RedisCopyTarget(spec: spec, header: header)
        for hosted in part.replicated { files += copies.files(hosted) }
        if !rcServices.isEmpty {
            files.append(qmailRun.file(services: rcServices))
        }
        for window in spec.windows {
            guard let redis = window.redis, spec.services.contains(where: { $0.uses(window.name.value) }) else {
                continue
            }
            files.append(RedisTarget.aclFile(window, redis))
        }
        // Redis expires its keys itself: relay-ctrl-age is for directory stores.
        let referenced = spec.windows.filter { window in
            window.redis == nil && spec.services.contains { $0.uses(window.name.value) }
        }
        if !referenced.isEmpty {
            files.append(CronTarget(plan: plan, header: header).file(windows: referenced))
        }
        let deployment = Deployment.make(
            spec, spipedEnds: part.spipedEnds, replicated: part.replicated, specName: specName,
            produced: Set(files.map(\.output)))
        files.append(SetupTarget(header: header).file(deployment))
        return HostPlan(
            name: name, spec: spec, files: files.sorted { $0.path < $1.path },
            deployment: deployment)
    }

    /// One directory per host, each with what that host runs (and its own setup); the Redis
    /// ACL files once, for the Redis host, under `redis/`.
    static func emitCluster(_ spec: Spec, specName: String) -> BuildPlan {
        var hosts: [HostPlan] = []
        for host in spec.hosts {
            let part = self.part(of: spec, on: host)
            guard !part.spec.services.isEmpty || !part.spipedEnds.isEmpty || !part.replicated.isEmpty else {
                continue
            }
            var planned = emit(part, host: host.name.value, specName: specName)
            // The Redis side is the whole spec's (below): a host's part sees Redis through spiped.
            planned.files.removeAll { if case .redisACL = $0.output { true } else { false } }
            hosts.append(planned)
        }
        var shared: [OutputFile] = []
        for window in spec.inCanonicalOrder.windows {
            guard let redis = window.redis, spec.services.contains(where: { $0.uses(window.name.value) }) else {
                continue
            }
            shared.append(RedisTarget.aclFile(window, redis))
        }
        return BuildPlan(hosts: hosts, shared: shared)
    }

    /// What one host runs, as a spec of its own: its services, and the ends of spiped it needs.
    /// On a host other than Redis's, a window with spiped is reached at spiped's local socket.
    static func part(of spec: Spec, on host: Host) -> HostPart {
        var part = spec
        var ends: [SpipedEnd] = []
        let name = host.name.value
        part.hosts = []
        part.services = spec.services.filter { $0.host?.value == name }
        for (index, window) in spec.windows.enumerated() {
            // A replicated window's tunnels are per copy and sentinel (ReplicationTunnels), not per role.
            guard let redis = window.redis, redis.replication == nil, let spiped = redis.spiped,
                let storeHost = redis.host?.value,
                let storeAddress = spec.hosts.first(where: { $0.name.value == storeHost })?.address?.value
            else { continue }
            let uses = { (service: Service) in service.uses(window.name.value) }
            let elsewhere = spec.services.filter { uses($0) && $0.host?.value != storeHost }
            if name == storeHost {
                guard !elsewhere.isEmpty else { continue }
                let peerHosts = Set(elsewhere.compactMap { $0.host?.value })
                let peers = spec.hosts.filter { peerHosts.contains($0.name.value) }.compactMap { $0.address?.value }
                ends.append(
                    SpipedEnd(
                        window: window.name.value, side: .store(listen: storeAddress, peers: peers), spiped: spiped,
                        endpoint: redis.endpoint, connections: Spiped.connections(of: elsewhere)))
            } else if part.services.contains(where: uses) {
                var sockets: [Spiped.Role: String] = [:]
                for role in Spiped.Role.allCases {
                    let here = part.services.filter {
                        role == .writer ? $0.grants?.value == window.name.value : $0.checks?.value == window.name.value
                    }
                    guard !here.isEmpty else { continue }
                    ends.append(
                        SpipedEnd(
                            window: window.name.value,
                            side: .client(
                                storeAddress: storeAddress, role: role, access: socketAccess(window, role, in: part)),
                            spiped: spiped, endpoint: redis.endpoint, connections: Spiped.connections(of: here)))
                    sockets[role] = Spiped.socket(window: window.name.value, role: role)
                }
                part.windows[index].redis?.localSockets = sockets
            }
        }
        var replicated: [ReplicatedHost] = []
        for window in spec.windows {
            guard let hosted = ReplicaTopology.part(window, on: name, in: spec) else { continue }
            replicated.append(hosted)
            ends += hosted.ends
        }
        return HostPart(spec: part, spipedEnds: ends, replicated: replicated)
    }

    /// Who on this host runs the tools of one role against the window's socket.
    static func socketAccess(_ window: RelayWindow, _ role: Spiped.Role, in part: Spec) -> SocketAccess {
        guard role == .writer else { return .account(part.platform.users.smtp) }
        let writers = Deployment.writers(of: window, in: part)
        switch writers.first {
        case .account(let name) where writers.count == 1: return .account(name)
        case .root where writers.count == 1: return .root
        default: return .everyone
        }
    }
}
