/// How the command a spec builds differs from the one a file starts, in words an administrator
/// can check against the file.
extension ServiceCommand {
    func difference(from built: ServiceCommand) -> String? {
        let built = withoutHardening(of: built)
        guard self != built else { return nil }
        let mine = variables
        let theirs = built.variables
        for name in Set(mine.keys).union(theirs.keys).sorted() where mine[name] != theirs[name] {
            switch (mine[name], theirs[name]) {
            case (let value?, nil): return "it sets \(name)=\(value), the build does not"
            case (nil, let value?): return "the build sets \(name)=\(value), it does not"
            case (let value?, let other?): return "it sets \(name)=\(value), the build \(name)=\(other)"
            default: break
            }
        }
        if before != built.before {
            return "it runs \(Self.line(before)) before tcpserver, the build \(Self.line(built.before))"
        }
        guard let tcpserver, let other = built.tcpserver else {
            return "it runs \(Self.line(words)), the build \(Self.line(built.words))"
        }
        let server = tcpserver.server.rawValue
        if tcpserver.server != other.server {
            return "it runs \(server), the build \(other.server.rawValue)"
        }
        if tcpserver.optionsDescription != other.optionsDescription {
            let (ours, built) = (tcpserver.optionsDescription, other.optionsDescription)
            return "\(server)'s options are \(ours.isEmpty ? "its defaults" : ours), the build's \(built)"
        }
        if tcpserver.host != other.host || tcpserver.port != other.port {
            return "\(server) listens on \(tcpserver.host) \(tcpserver.port), the build on \(other.host) \(other.port)"
        }
        return "\(server) runs \(Self.line(tcpserver.program)), the build \(Self.line(other.program))"
    }

    /// relay-ctrl-chdir before tcpserver, which builds add so that the store's parent can stay
    /// closed to other accounts (the tools get the store already open).
    var opensStoreFirst: Bool {
        before.contains { $0.known.map { InstallationReader.basename($0) } == "relay-ctrl-chdir" }
    }

    /// The built command without what builds add on their own where this one lacks it.
    func withoutHardening(of built: ServiceCommand) -> ServiceCommand {
        guard built.opensStoreFirst, !opensStoreFirst else { return built }
        var plain = built
        plain.before.removeAll { $0.known.map { InstallationReader.basename($0) } == "relay-ctrl-chdir" }
        return plain
    }

    /// What the build does differently that the spec has no say in, said as an assumption.
    func assumptions(against built: ServiceCommand) -> [String] {
        var said: [String] = []
        if built.opensStoreFirst, !opensStoreFirst {
            said.append(
                "opens the store in relay-ctrl-check; the build opens it first with relay-ctrl-chdir, so that "
                    + "only the accounts of the window can enter the store's parent")
        }
        if !clearsEnvironment, built.clearsEnvironment {
            said.append("passes on the environment its supervisor started with; the build starts it with env - (empty)")
        }
        if !errorsToOutput, built.errorsToOutput {
            said.append("sends error output to its supervisor; the build sends it to the log (exec 2>&1)")
        }
        return said
    }

    static func line(_ words: [ShellText]) -> String {
        words.isEmpty ? "nothing" : "'" + words.map(\.description).joined(separator: " ") + "'"
    }
}
