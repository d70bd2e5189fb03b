/// Who connects to an SMTP service, for the analysis and `relaychain explain`.
public enum ClientClass: Sendable, Equatable {
    /// Logged in to a login service this many seconds ago.
    case loggedIn(secondsAgo: Int)
    /// Never logged in.
    case stranger

    public var description: String {
        switch self {
        case .loggedIn(let seconds): "logged in \(seconds)s ago"
        case .stranger: "never logged in"
        }
    }
}

/// Which of the declared relay networks (tcprules prefixes) an address falls in.
enum RelayNetworkMatch {
    static func matches(_ address: String, _ pattern: String) -> Bool {
        if pattern.hasSuffix(".") || pattern.hasSuffix(":") { return address.hasPrefix(pattern) }
        if let dash = pattern.lastIndex(of: "-"), let dot = pattern.lastIndex(of: "."), dash > dot,
            let low = Int(pattern[pattern.index(after: dot)..<dash]), let high = Int(pattern[pattern.index(after: dash)...]) {
            let prefix = String(pattern[...dot])
            guard address.hasPrefix(prefix), let last = Int(address.dropFirst(prefix.count)) else { return false }
            return (low...high).contains(last)
        }
        return address == pattern
    }
}
