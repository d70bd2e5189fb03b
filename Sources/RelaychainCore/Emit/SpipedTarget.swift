/// The spiped ends of a cluster's Redis windows, as daemontools, runit or systemd services: on the Redis
/// host, spiped takes encrypted connections from the other hosts and hands them to Redis; on
/// every other host that uses the window, one spiped per role (reader, writer) listens on a local
/// socket for that role's tools and carries their connections, encrypted, to the Redis host.
struct SpipedTarget {
    let spec: Spec
    let header: String

    func files(_ end: SpipedEnd) -> [OutputFile] {
        var files = end.spiped.runBy.value == .systemd ? [unit(end)] : service(end)
        if let firewall = SpipedFirewall(end, spec: spec, header: header) { files.append(firewall.file) }
        return files
    }

    private var program: String { spec.platform.path(of: .spiped) }

    /// Where spiped forwards to: Redis on the Redis host, spiped's port there from any other.
    private func target(_ end: SpipedEnd) -> String {
        switch end.side {
        case .store:
            switch end.endpoint {
            case .unix(let socket): socket
            case .tcp(let address, let port): "[\(address)]:\(port)"
            }
        case .client(let storeAddress, _, _): "[\(storeAddress)]:\(end.spiped.port.value)"
        case .copyServer(_, _, _, let loopbackPort): "[127.0.0.1]:\(loopbackPort)"
        case .copyClient(_, let address, let carries, _): "[\(address)]:\(SpipedEnd.hostPort(end.spiped, carries))"
        }
    }

    /// spiped's arguments after the program, the same under every supervisor: a connection
    /// limit the services need and no more, and a short handshake deadline, so that a peer
    /// without the key holds a connection for two seconds at most.
    private func arguments(_ end: SpipedEnd) -> [String] {
        var words: [String]
        switch end.side {
        case .store(let listen, _):
            words = ["-d", "-s", "[\(listen)]:\(end.spiped.port.value)", "-t", target(end)]
        case .client(_, let role, _):
            words = ["-e", "-s", Spiped.socket(window: end.window, role: role), "-t", target(end)]
        case .copyServer(let listen, _, let carries, _):
            words = ["-d", "-s", "[\(listen)]:\(SpipedEnd.hostPort(end.spiped, carries))", "-t", target(end)]
        case .copyClient(_, _, _, let loopbackPort):
            words = ["-e", "-s", "[127.0.0.1]:\(loopbackPort)", "-t", target(end)]
        }
        words += ["-k", end.spiped.keyPath(window: end.window), "-u", end.spiped.user.value, "-F"]
        words += ["-n", String(end.connections), "-o", String(Spiped.handshakeSeconds)]
        switch end.side {
        case .client(_, let role, _): words.append(role == .writer ? "-g" : "-f")
        // Replication, Sentinel and the writer's password: few connections, each worth the exchange.
        case .copyClient: words.append("-g")
        case .store, .copyServer: break
        }
        return words
    }

    /// What the end does, as comment lines (without the leading `# `).
    private func explanation(_ end: SpipedEnd, _ supervisor: String) -> [String] {
        switch end.side {
        case .store(let listen, let peers):
            var lines = [
                "\(supervisor) service on the Redis host of window '\(end.window)': spiped takes the other hosts'",
                "encrypted connections on \(listen) port \(end.spiped.port.value) and hands them to Redis at "
                    + "\(target(end)).",
                "Writers connect with a Diffie-Hellman exchange, readers without (spiped -f).",
            ]
            if SpipedFirewall.available(spec) {
                lines.append("Before it starts, only \(peers.joined(separator: ", ")) may reach the port (nft).")
            }
            return lines
        case .copyServer(let listen, let peers, let carries, let loopbackPort):
            var lines = [
                "\(supervisor) service of window '\(end.window)': spiped takes the other hosts' encrypted "
                    + "connections on",
                "\(listen) port \(SpipedEnd.hostPort(end.spiped, carries)) and hands them to this host's "
                    + "\(carries == .redis ? "copy of Redis" : "sentinel") at 127.0.0.1 port \(loopbackPort).",
            ]
            if SpipedFirewall.available(spec) {
                lines.append("Before it starts, only \(peers.joined(separator: ", ")) may reach the port (nft).")
            }
            return lines
        case .copyClient(let host, let address, let carries, let loopbackPort):
            return [
                "\(supervisor) service of window '\(end.window)': host \(host)'s "
                    + "\(carries == .redis ? "copy of Redis" : "sentinel") is at 127.0.0.1 port \(loopbackPort) here,",
                "as on \(host) itself: spiped carries each connection, encrypted, to \(address) port "
                    + "\(SpipedEnd.hostPort(end.spiped, carries)).",
                "A Diffie-Hellman exchange per connection (-g): these carry replication, Sentinel and the writer's",
                "password.",
            ]
        case .client(let storeAddress, let role, let access):
            let who =
                switch access {
                case .account(let name): "only \(name) may enter"
                case .root: "only root may enter"
                case .everyone: "every account may pass (any mail user's relay-ctrl-allow writes)"
                }
            return [
                "\(supervisor) service: spiped carries the Redis connections of window '\(end.window)' made as its "
                    + "\(role.rawValue),",
                "which relaychain's tools open at \(Spiped.socket(window: end.window, role: role)), encrypted to the",
                "Redis host \(storeAddress) port \(end.spiped.port.value). The socket's directory is one \(who).",
            ]
                + (role == .writer
                    ? [
                        "A Diffie-Hellman exchange per connection (-g): the writer's password, which can grant, stays",
                        "secret even if the key is stolen later.",
                    ]
                    : [
                        "No Diffie-Hellman exchange (-f): this runs for every SMTP client, and the reader's password",
                        "can only read.",
                    ])
        }
    }

    /// The socket's directory, made on each start (it lives under /var/run) for its one account.
    private func socketDirectoryLines(_ window: String, _ role: Spiped.Role, _ access: SocketAccess) -> String {
        let directory = ShellQuoting.word(Spiped.socketDirectory(window: window, role: role))
        let owner =
            switch access {
            case .account(let name): "\"$(id -u \(ShellQuoting.word(name)))\""
            case .root, .everyone: "0"
            }
        var text = "mkdir -p \(directory) || exit 1\n"
        text += "chown \(owner):0 \(directory) && chmod \(String(access.mode, radix: 8)) \(directory) || exit 1\n"
        text += "rm -f \(ShellQuoting.word(Spiped.socket(window: window, role: role)))\n"
        return text
    }

    /// A daemontools or runit service directory: run and log/run.
    private func service(_ end: SpipedEnd) -> [OutputFile] {
        let supervisor = end.spiped.runBy.value == .runit ? "runit" : "daemontools"
        var run = "#!/bin/sh\n\(header)\n"
        run += explanation(end, supervisor).map { "# \($0)\n" }.joined()
        run += "exec 2>&1\n"
        switch end.side {
        case .client(_, let role, let access):
            run += socketDirectoryLines(end.window, role, access)
            run += "umask 000\n"
        case .copyClient: break
        case .store, .copyServer:
            if let firewall = SpipedFirewall(end, spec: spec, header: header) {
                run +=
                    ShellQuoting.word(firewall.program) + " -f " + ShellQuoting.word(firewall.installedPath)
                    + " || exit 1\n"
            }
        }
        run += "exec " + ([program] + arguments(end)).map(ShellQuoting.word).joined(separator: " ") + "\n"
        return [
            OutputFile(.runScript(service: end.serviceName), contents: run, executable: true),
            SupervisorTarget(plan: ChainPlan(spec: spec), header: header).logRun(
                end.serviceName, end.spiped.runBy.value),
        ]
    }

    /// A systemd unit. On a host other than Redis's, systemd makes the shared socket directory
    /// (kept across restarts: other windows' and roles' sockets are there too), the unit makes its
    /// role's directory in it for its one account and removes a stale socket, and the umask
    /// leaves the directory to decide who connects.
    private func unit(_ end: SpipedEnd) -> OutputFile {
        let name = OutputPath.unitName(end.serviceName)
        // The loader refuses paths and values with control characters, the only words systemd cannot carry.
        let quoted = { (word: String) in SystemdQuoting.word(word) ?? word }
        var text = "\(header)\n"
        text += "# Install into /etc/systemd/system (setup does), then: systemctl enable --now \(name)\n"
        text += explanation(end, "systemd").map { "# \($0)\n" }.joined()
        let description =
            switch end.side {
            case .store: "spiped from the other hosts to Redis (relaychain window '\(end.window)')"
            case .client(_, let role, _):
                "spiped to the Redis host for the \(role.rawValue) (relaychain window '\(end.window)')"
            case .copyServer(_, _, let carries, _):
                "spiped from the other hosts to this host's \(carries.rawValue) (relaychain window '\(end.window)')"
            case .copyClient(let host, _, let carries, _):
                "spiped to \(host)'s \(carries.rawValue) (relaychain window '\(end.window)')"
            }
        text += "[Unit]\nDescription=\(description)\n\(SystemdTarget.startConditions)"
        text += "\n[Service]\n"
        switch end.side {
        case .client(_, let role, let access):
            // systemd would hand a RuntimeDirectory back to the unit's user before every command,
            // so the role's directory is made by hand inside the shared one.
            let directory = quoted(Spiped.socketDirectory(window: end.window, role: role))
            let mode = String(access.mode, radix: 8)
            let owner =
                switch access {
                case .account(let name): name
                case .root, .everyone: "root"
                }
            text += "RuntimeDirectory=\(Spiped.socketDirectory.replacing("/var/run/", with: ""))\n"
            text += "RuntimeDirectoryPreserve=yes\nUMask=0000\n"
            text += "ExecStartPre=/bin/mkdir -p -m \(mode) \(directory)\n"
            text += "ExecStartPre=/bin/chown \(quoted(owner)):root \(directory)\n"
            text += "ExecStartPre=/bin/chmod \(mode) \(directory)\n"
            text += "ExecStartPre=/bin/rm -f \(quoted(Spiped.socket(window: end.window, role: role)))\n"
        case .copyClient: break
        case .store, .copyServer:
            if let firewall = SpipedFirewall(end, spec: spec, header: header) {
                text += "ExecStartPre=\(quoted(firewall.program)) -f \(quoted(firewall.installedPath))\n"
            }
        }
        text += "ExecStart=" + ([program] + arguments(end)).map(quoted).joined(separator: " ") + "\n"
        text += "Restart=always\nRestartSec=1\n"
        text += "StandardOutput=journal\nStandardError=journal\nSyslogIdentifier=relaychain-\(end.serviceName)\n\n"
        text += "[Install]\nWantedBy=multi-user.target\n"
        return OutputFile(.systemdUnit(service: end.serviceName), contents: text)
    }
}
