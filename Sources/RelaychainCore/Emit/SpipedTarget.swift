/// The spiped ends of a cluster's Redis windows, as daemontools, runit or systemd services: on the Redis
/// host, spiped takes encrypted connections from the other hosts and hands them to Redis; on
/// every other host that uses the window, spiped listens on a local socket for the tools and
/// carries their connections, encrypted, to the Redis host.
struct SpipedTarget {
    let spec: Spec
    let header: String

    func files(_ end: SpipedEnd) -> [OutputFile] {
        end.spiped.runBy.value == .systemd ? [unit(end)] : service(end)
    }

    private var program: String { spec.platform.path(of: "spiped") }

    /// Where spiped forwards to: Redis on the Redis host, spiped's port there from any other.
    private func target(_ end: SpipedEnd) -> String {
        switch end.side {
        case .store:
            switch end.endpoint {
            case .unix(let socket): socket
            case .tcp(let address, let port): "[\(address)]:\(port)"
            }
        case .client(let storeAddress, _): "[\(storeAddress)]:\(end.spiped.port.value)"
        }
    }

    /// spiped's arguments after the program, the same under every supervisor.
    private func arguments(_ end: SpipedEnd) -> [String] {
        var words: [String]
        switch end.side {
        case .store(let listen): words = ["-d", "-s", "[\(listen)]:\(end.spiped.port.value)", "-t", target(end)]
        case .client: words = ["-e", "-s", Spiped.socket(window: end.window), "-t", target(end)]
        }
        words += ["-k", end.spiped.keyPath(window: end.window), "-u", end.spiped.user.value, "-F"]
        if case .client(_, let forwardSecret) = end.side { words.append(forwardSecret ? "-g" : "-f") }
        return words
    }

    /// What the end does, as comment lines (without the leading `# `).
    private func explanation(_ end: SpipedEnd, _ supervisor: String) -> [String] {
        switch end.side {
        case .store(let listen):
            return [
                "\(supervisor) service on the Redis host of window '\(end.window)': spiped takes the other hosts'",
                "encrypted connections on \(listen) port \(end.spiped.port.value) and hands them to Redis at "
                    + "\(target(end)).",
                "Login hosts connect with a Diffie-Hellman exchange, SMTP hosts without (spiped -f).",
            ]
        case .client(let storeAddress, let forwardSecret):
            return [
                "\(supervisor) service: spiped carries the Redis connections of window '\(end.window)', which",
                "relaychain's tools open at \(Spiped.socket(window: end.window)),",
                "encrypted to the Redis host \(storeAddress) port \(end.spiped.port.value). Every local account may",
                "connect: Redis asks each connection for its ACL user's password.",
            ]
                + (forwardSecret
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

    /// A daemontools or runit service directory: run and log/run.
    private func service(_ end: SpipedEnd) -> [OutputFile] {
        let directory = "service/\(end.serviceName)"
        let supervisor = end.spiped.runBy.value == .runit ? "runit" : "daemontools"
        var run = "#!/bin/sh\n\(header)\n"
        run += explanation(end, supervisor).map { "# \($0)\n" }.joined()
        run += "exec 2>&1\n"
        if case .client = end.side {
            run += "mkdir -p \(ShellQuoting.word(Spiped.socketDirectory))\n"
            run += "rm -f \(ShellQuoting.word(Spiped.socket(window: end.window)))\n"
            run += "umask 000\n"
        }
        run += "exec " + ([program] + arguments(end)).map(ShellQuoting.word).joined(separator: " ") + "\n"
        return [
            OutputFile(path: "\(directory)/run", contents: run, executable: true),
            SupervisorTarget(plan: ChainPlan(spec: spec), header: header).logRun(directory, end.spiped.runBy.value),
        ]
    }

    /// A systemd unit. On a host other than Redis's, systemd makes the socket's directory (kept
    /// across restarts: the spiped of another window may have its socket there too), removes a
    /// stale socket, and the umask lets every local account connect.
    private func unit(_ end: SpipedEnd) -> OutputFile {
        let name = "relaychain-\(end.serviceName).service"
        // The loader refuses paths and values with control characters, the only words systemd cannot carry.
        let quoted = { (word: String) in SystemdQuoting.word(word) ?? word }
        var text = "\(header)\n"
        text += "# Install into /etc/systemd/system (setup does), then: systemctl enable --now \(name)\n"
        text += explanation(end, "systemd").map { "# \($0)\n" }.joined()
        let description =
            switch end.side {
            case .store: "spiped from the other hosts to Redis (relaychain window '\(end.window)')"
            case .client: "spiped to the Redis host (relaychain window '\(end.window)')"
            }
        text += "[Unit]\nDescription=\(description)\n\(SystemdTarget.startConditions)"
        text += "\n[Service]\n"
        if case .client = end.side {
            let directory = Spiped.socketDirectory.replacing("/var/run/", with: "")
            text += "RuntimeDirectory=\(directory)\nRuntimeDirectoryPreserve=yes\nUMask=0000\n"
            text += "ExecStartPre=/bin/rm -f \(quoted(Spiped.socket(window: end.window)))\n"
        }
        text += "ExecStart=" + ([program] + arguments(end)).map(quoted).joined(separator: " ") + "\n"
        text += "Restart=always\nRestartSec=1\n"
        text += "StandardOutput=journal\nStandardError=journal\nSyslogIdentifier=relaychain-\(end.serviceName)\n\n"
        text += "[Install]\nWantedBy=multi-user.target\n"
        return OutputFile(path: "systemd/\(name)", contents: text)
    }
}
