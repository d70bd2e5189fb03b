/// What relaychain knows about the programs a chain may name without defining them.
public struct CatalogProgram: Sendable {
    public enum Role: Sendable {
        /// May stand in an SMTP wrapper chain (rblsmtpd, greetdelay, softlimit...).
        case wrapper
        /// Ends or launches a chain; relaychain writes it where it belongs (tcpserver, qmail-smtpd).
        case server
        /// One of relaychain's own runtime tools; relaychain places it itself.
        case relayCtrl
    }

    public var name: String
    public var role: Role
    public var bypass: Bypass
    /// When not told to step aside it only slows the client down instead of refusing it; this
    /// says how ("delays the greeting").
    public var delay: String?
    public var summary: String

    init(_ name: String, _ role: Role, bypass: Bypass = .notAFilter, delay: String? = nil, _ summary: String) {
        self.name = name
        self.role = role
        self.bypass = bypass
        self.delay = delay
        self.summary = summary
    }
}

public enum Catalog {
    private static func unset(_ name: String) -> Bypass {
        .environment([EnvironmentSetting(name: .byDefault(name), value: .byDefault(""))])
    }

    public static let programs: [CatalogProgram] = [
        CatalogProgram("rblsmtpd", .wrapper, bypass: unset("RBLSMTPD"), "ucspi-tcp's DNS blocklist filter; an empty RBLSMTPD makes it step aside"),
        CatalogProgram("greetdelay", .wrapper, bypass: unset("GREETDELAY"), delay: "delays the greeting", "delays the greeting to catch impatient spamware; an empty GREETDELAY means no delay"),
        CatalogProgram("qgreylist", .wrapper, bypass: .honoursRelayClient, "greylisting by client address; steps aside when RELAYCLIENT is set"),
        CatalogProgram("jgreylist", .wrapper, bypass: .honoursRelayClient, "greylisting by client address; steps aside when RELAYCLIENT is set"),
        CatalogProgram("fixsmtpio", .wrapper, "rewrites SMTP responses (pkgsrc default chain); refuses nobody"),
        CatalogProgram("recordio", .wrapper, "logs the SMTP conversation; refuses nobody"),
        CatalogProgram("softlimit", .wrapper, "sets resource limits; refuses nobody"),
        CatalogProgram("setuidgid", .wrapper, "drops to an account's uid and gid"),
        CatalogProgram("envuidgid", .wrapper, "sets UID and GID from an account"),
        CatalogProgram("envdir", .wrapper, "sets variables from a directory of files"),
        CatalogProgram("argv0", .wrapper, "runs a program under another argv[0]"),
        CatalogProgram("pgrphack", .wrapper, "runs a program in its own process group"),

        CatalogProgram("tcpserver", .server, "ucspi-tcp's TCP server; sets TCPREMOTEIP"),
        CatalogProgram("sslserver", .server, "ucspi-ssl's TLS-capable tcpserver"),
        CatalogProgram("tcprules", .server, "compiles tcpserver's access rules"),
        CatalogProgram("multilog", .server, "daemontools' log writer"),
        CatalogProgram("svlogd", .server, "runit's log writer"),
        CatalogProgram("chpst", .server, "runit's process-state changer"),
        CatalogProgram("checknotroot", .server, "pkgsrc qmail-run's guard against POP3 logins as root"),
        CatalogProgram("qmail-smtpd", .server, "qmail's SMTP server; relays when RELAYCLIENT is set"),
        CatalogProgram("qmail-popup", .server, "qmail's POP3 front end; reads the user name and password"),
        CatalogProgram("qmail-pop3d", .server, "qmail's POP3 server"),
        CatalogProgram("checkpassword", .server, "the classic checkpassword program"),
        CatalogProgram("nbcheckpassword", .server, "pkgsrc's checkpassword for NetBSD accounts"),

        CatalogProgram("relay-ctrl-allow", .relayCtrl, "records a relay grant after a login"),
        CatalogProgram("relay-ctrl-check", .relayCtrl, "sets RELAYCLIENT for a client with a fresh grant"),
        CatalogProgram("relay-ctrl-chdir", .relayCtrl, "opens the relay store and hands it on as RELAY_CTRL_DIR_FD"),
        CatalogProgram("relay-ctrl-age", .relayCtrl, "removes expired grants"),
        CatalogProgram("ifrelayclient", .relayCtrl, "runs its first command only for a relay client"),
        CatalogProgram("dovecot-settcpremoteip", .relayCtrl, "copies Dovecot's IP into TCPREMOTEIP"),
    ]

    public static func program(named name: String) -> CatalogProgram? {
        programs.first { $0.name == name }
    }

    public static var wrapperNames: [String] {
        programs.filter { $0.role == .wrapper }.map(\.name)
    }
}

extension CatalogProgram.Role: Equatable {}
