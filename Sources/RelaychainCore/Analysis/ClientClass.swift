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
