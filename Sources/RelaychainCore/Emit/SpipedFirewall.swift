import Glibc

/// The firewall table in front of the Redis host's spiped: only the cluster's hosts that use the
/// window reach its port. spiped refuses a peer without the key only once it has held one of its
/// connections through the handshake, so without this, 150 keyless connections (spiped's limit is
/// what the hosts need) turn every check and grant away. An nftables table of its own, loaded by
/// the service before spiped starts; `doctor` checks that the live ruleset holds it.
struct SpipedFirewall {
    let end: SpipedEnd
    let listen: String
    let peers: [String]
    let spec: Spec
    let header: String

    init?(_ end: SpipedEnd, spec: Spec, header: String) {
        guard Self.available(spec) else { return nil }
        switch end.side {
        case .store(let listen, let peers), .copyServer(let listen, let peers, _, _):
            self.listen = listen
            self.peers = peers
        case .client, .copyClient: return nil
        }
        self.end = end
        self.spec = spec
        self.header = header
    }

    /// Where relaychain knows the firewall: Linux with nftables (the debian profile).
    static func available(_ spec: Spec) -> Bool { spec.platform.profile?.value == .debian }

    var program: String { spec.platform.nft }
    /// Where spiped listens: a copy's or a sentinel's port in a replicated window.
    var port: Int { end.listenPort ?? end.spiped.port.value }
    var tableName: String { "relaychain-\(end.serviceName)" }
    var output: OutputPath { .spipedFirewall(service: end.serviceName) }
    var installedPath: String { "\(spec.platform.configDirectory)/nftables/\(end.serviceName).nft" }

    /// The table as `nft list table inet NAME` prints it back: peers in address order, a single
    /// one without braces.
    var table: String {
        let family = listen.contains(":") ? "ip6" : "ip"
        let match = "\(family) daddr \(listen) tcp dport \(port)"
        let allowed = peers.filter { $0.contains(":") == listen.contains(":") }.sorted(by: Self.addressOrder)
        var text = "table inet \(tableName) {\n\tchain input {\n"
        text += "\t\ttype filter hook input priority filter - 10; policy accept;\n"
        if !allowed.isEmpty {
            let set = allowed.count == 1 ? allowed[0] : "{ " + allowed.joined(separator: ", ") + " }"
            text += "\t\t\(match) \(family) saddr \(set) accept\n"
        }
        text += "\t\t\(match) drop\n\t}\n}\n"
        return text
    }

    /// The line `doctor` looks for: everyone not let in above is dropped.
    var dropRule: String { "tcp dport \(port) drop" }

    var file: OutputFile {
        var text = "#!\(program) -f\n\(header)\n"
        text +=
            "# Only the hosts of window '\(end.window)' may reach spiped on \(listen) port "
            + "\(port): \(peers.joined(separator: ", ")).\n"
        text +=
            "# The service \(end.serviceName) loads it (nft -f) before spiped starts; loading it again replaces it.\n"
        text += "table inet \(tableName)\ndelete table inet \(tableName)\n"
        text += table
        return OutputFile(output, contents: text)
    }

    /// Numeric order, as nft sorts a set's addresses.
    static func addressOrder(_ one: String, _ other: String) -> Bool {
        guard let first = bytes(one), let second = bytes(other) else { return one < other }
        return first.lexicographicallyPrecedes(second)
    }

    static func bytes(_ address: String) -> [UInt8]? {
        let family = address.contains(":") ? AF_INET6 : AF_INET
        var buffer = [UInt8](repeating: 0, count: 16)
        guard inet_pton(family, address, &buffer) == 1 else { return nil }
        return family == AF_INET ? Array(buffer[0..<4]) : buffer
    }
}
