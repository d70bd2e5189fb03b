/// What `relaychain import` learned from an installation's files, before it is written as a
/// spec: the services, the windows (by store), the paths of the programs, and every line it could
/// not express.
struct InstallationFacts {
    struct Window {
        var store: String
        var name: String?
        var expiry: Int?
        var relayClient = ""
        var log = false
        var carry: [String]?
    }

    struct Entry {
        var program: String
        var args: [String]
    }

    struct SMTPD {
        var runBy: Supervisor
        var listen: String?
        var port = 25
        var store: String?
        var chain: [Entry] = []
        var relayNetworks: [String] = []
        var rules: [(from: String, deny: Bool, set: [(String, String)])] = []
        var environment: [(String, String)] = []
        var datalimit: Int?
        var concurrency: Int?
        var smtpdArgs: [String] = []
        var logCommand: [String] = []
        var relayClientEnvironment: [(String, String)] = []
        /// relay-ctrl-check runs first in the chain.
        var checks = false
    }

    struct POP3D {
        var runBy: Supervisor
        var listen: String?
        var port = 110
        var store: String?
        var checkpassword = "checkpassword"
        var hostname: String?
        var maildir = "Maildir"
    }

    struct Dovecot {
        var version: String
        var protocols: [String]
        var store: String?
        var postLoginUser: String?
    }

    enum Role {
        case dovecot(Dovecot)
        case pop3d(POP3D)
        case smtpd(SMTPD)
    }

    struct Service {
        var name: String
        var role: Role
    }

    /// A line that the spec cannot say, kept as a comment and listed.
    public struct LeftOut: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var text: String
        public var reason: String
        public var description: String { "\(file):\(line): \(text): \(reason)" }
    }

    var services: [Service] = []
    var windows: [Window] = []
    /// Catalog programs by name, and the path each was found at.
    var programs: [String: String] = [:]
    /// Programs that are not in the catalog (user wrappers), by name.
    var wrappers: [String: String] = [:]
    var env: String?
    var dovecotLibexec: String?
    var libexec: String?
    var smtpUser: String?
    var logUser: String?
    /// From a setup script: where it installs and links things.
    var cronD: String?
    var cronWithUser = false
    var sawCron = false
    var dovecotConfD: String?
    var serviceDirectory: String?
    var leftOut: [LeftOut] = []

    /// A service under a name no other has: two files may both describe an `imap`.
    mutating func add(_ service: Service) {
        var service = service
        var suffix = 2
        let base = service.name
        while services.contains(where: { $0.name == service.name }) {
            service.name = "\(base)-\(suffix)"
            suffix += 1
        }
        services.append(service)
    }

    mutating func window(store: String) -> Int {
        if let index = windows.firstIndex(where: { $0.store == store }) { return index }
        windows.append(Window(store: store))
        return windows.count - 1
    }

    mutating func note(program path: String) {
        let name = String(path.split(separator: "/").last ?? "")
        if name == "env" {
            env = env ?? path
        } else if Catalog.program(named: name) != nil {
            programs[name] = programs[name] ?? path
        } else if name.hasPrefix("qmail-smtpd") {
            programs["qmail-smtpd"] = programs["qmail-smtpd"] ?? path
        } else {
            wrappers[name] = wrappers[name] ?? path
        }
    }

    /// Window settings from NAME=value words (RELAY_CTRL_*); the other assignments are returned.
    mutating func readWindow(_ assignments: [(String, String)], smtpSide: Bool) -> (
        store: String?, others: [(String, String)]
    ) {
        var others: [(String, String)] = []
        guard let store = assignments.first(where: { $0.0 == "RELAY_CTRL_DIR" })?.1 else { return (nil, assignments) }
        let index = window(store: store)
        for (name, value) in assignments {
            switch name {
            case "RELAY_CTRL_DIR": break
            case "RELAY_CTRL_EXPIRY": windows[index].expiry = Int(value)
            case "RELAY_CTRL_RELAYCLIENT": windows[index].relayClient = value
            case "RELAY_CTRL_LOG_IPS": if smtpSide { windows[index].log = true }
            case "RELAY_CTRL_CARRY": windows[index].carry = value.split(separator: ",").map(String.init)
            default: others.append((name, value))
            }
        }
        return (store, others)
    }
}
