/// tcpserver's connection limit (-c): a count written in the spec, or a file read when the
/// service starts, as Life with qmail's run script reads `control/concurrencyincoming`.
public enum Concurrency: Sendable, Equatable {
    case count(Int)
    /// The whole file (`$(cat FILE)`).
    case contentsOf(String)

    /// What the build assumes of a count it cannot know (spiped's limit is sized from it):
    /// ten times tcpserver's own default of 40.
    public static let assumedUnknownCount = 400

    public var knownCount: Int? {
        if case .count(let count) = self { return count }
        return nil
    }
}

/// The local host name tcpserver hands the server (-l, TCPLOCALHOST): qmail-smtpd's greeting and
/// its Received lines say it. Builds write the host's name (`hostName`) unless the spec says
/// another (qmail-run keeps its own `-l0`).
public enum LocalName: Sendable, Equatable {
    case name(String)
    /// The file's first line when the service starts (`$(head -1 /var/qmail/control/me)`).
    case firstLineOf(String)
    /// The host's name when the service starts (`$(uname -n)`; systemd's `%H`).
    case hostName
    /// No -l: tcpserver looks its own address up in DNS for each connection (its default).
    case dnsLookup

    /// A name the spec may write: a host name's letters, digits, dots and dashes.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "." || scalar == "-"
            }
    }
}

/// Whether tcpserver looks the client's address up in DNS for TCPREMOTEHOST: tcpserver's
/// default (-h), not at all (-H), or paranoid (-p: the name must resolve back to the address).
public enum RemoteHostLookup: String, CaseIterable, Sendable {
    case lookup, skip, paranoid

    /// The flag a build writes; nil for tcpserver's default.
    public var flag: String? {
        switch self {
        case .lookup: nil
        case .skip: "-H"
        case .paranoid: "-p"
        }
    }
}

/// Whether tcpserver asks the client's ident server who connected (TCPREMOTEINFO): not at all
/// (-R, what builds write unless told), or as tcpserver does by default (-r), waiting at most
/// `timeout` seconds (-t; tcpserver's own default is 26).
public enum RemoteInfo: Sendable, Equatable {
    case skip
    case lookup(timeout: Int?)
}

/// `remote-info: skip`, `remote-info: lookup`, or `remote-info: {timeout: 5}`.
public enum RemoteInfoChoice: String, CaseIterable, Sendable {
    case skip, lookup
}

/// `remote-info: {timeout: SECONDS}`.
public enum RemoteInfoKey: String, CaseIterable, Sendable {
    case timeout
}

/// `local-name: {first-line-of: PATH}`, `{host-name: true}` or `{dns: true}`.
public enum LocalNameKey: String, CaseIterable, Sendable {
    case firstLineOf = "first-line-of"
    case hostName = "host-name"
    case dns
}

/// `concurrency: {contents-of: PATH}`.
public enum ConcurrencyKey: String, CaseIterable, Sendable {
    case contentsOf = "contents-of"
}

/// `rules-cdb`: where tcpserver's -x reads the compiled rules when not tcp.cdb in the service
/// directory.
public enum RulesCDB {
    /// Absolute, a file name ending in .cdb (tcprules writes NAME.tmp beside it, then renames it),
    /// and no `..` that would lead setup, run as root, out of the directory it checked.
    public static func isValidPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        let name = parts.last ?? ""
        return path.hasPrefix("/") && !path.hasSuffix("/") && name.hasSuffix(".cdb") && name.count > 4
            && !parts.contains("..") && !parts.contains(".")
    }
}
