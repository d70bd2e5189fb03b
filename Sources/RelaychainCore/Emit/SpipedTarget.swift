/// The spiped ends of a cluster's Redis windows, as daemontools or runit services: on the Redis
/// host, spiped takes encrypted connections from the other hosts and hands them to Redis; on
/// every other host that uses the window, spiped listens on a local socket for the tools and
/// carries their connections, encrypted, to the Redis host.
struct SpipedTarget {
    let spec: Spec
    let header: String

    func files(_ end: SpipedEnd) -> [OutputFile] {
        let directory = "service/\(end.serviceName)"
        let spiped = end.spiped
        let supervisor = spiped.runBy.value == .runit ? "runit" : "daemontools"
        let target: String
        switch end.endpoint {
        case .unix(let socket): target = socket
        case .tcp(let address, let port): target = "[\(address)]:\(port)"
        }
        var words = [spec.platform.path(of: "spiped")]
        var run = "#!/bin/sh\n\(header)\n"
        switch end.side {
        case .store(let listen):
            run +=
                "# \(supervisor) service on the Redis host of window '\(end.window)': spiped takes the other hosts'\n"
            run +=
                "# encrypted connections on \(listen) port \(spiped.port.value) and hands them to Redis at \(target).\n"
            run += "# Login hosts connect with a Diffie-Hellman exchange, SMTP hosts without (spiped -f).\n"
            run += "exec 2>&1\n"
            words += ["-d", "-s", "[\(listen)]:\(spiped.port.value)", "-t", target]
        case .client(let storeAddress, let forwardSecret):
            let socket = Spiped.socket(window: end.window)
            run += "# \(supervisor) service: spiped carries the Redis connections of window '\(end.window)', which\n"
            run += "# relaychain's tools open at \(socket),\n"
            run += "# encrypted to the Redis host \(storeAddress) port \(spiped.port.value). Every local account may\n"
            run += "# connect: Redis asks each connection for its ACL user's password.\n"
            run +=
                forwardSecret
                ? "# A Diffie-Hellman exchange per connection (-g): the writer's password, which can grant, stays\n"
                    + "# secret even if the key is stolen later.\n"
                : "# No Diffie-Hellman exchange (-f): this runs for every SMTP client, and the reader's password\n"
                    + "# can only read.\n"
            run += "exec 2>&1\n"
            run += "mkdir -p \(ShellQuoting.word(Spiped.socketDirectory))\n"
            run += "rm -f \(ShellQuoting.word(socket))\n"
            run += "umask 000\n"
            words += ["-e", "-s", socket, "-t", "[\(storeAddress)]:\(spiped.port.value)"]
        }
        words += ["-k", spiped.keyPath(window: end.window), "-u", spiped.user.value, "-F"]
        if case .client(_, let forwardSecret) = end.side { words.append(forwardSecret ? "-g" : "-f") }
        run += "exec " + words.map(ShellQuoting.word).joined(separator: " ") + "\n"
        return [
            OutputFile(path: "\(directory)/run", contents: run, executable: true),
            SupervisorTarget(plan: ChainPlan(spec: spec), header: header).logRun(directory, spiped.runBy.value),
        ]
    }
}
