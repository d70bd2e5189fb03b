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
    /// How it reads its arguments (wrappers; nil for the servers relaychain writes itself).
    public var grammar: ArgumentGrammar?

    init(
        _ name: String, _ role: Role, bypass: Bypass = .notAFilter, delay: String? = nil,
        grammar: ArgumentGrammar? = nil, _ summary: String
    ) {
        self.name = name
        self.role = role
        self.bypass = bypass
        self.delay = delay
        self.grammar = grammar
        self.summary = summary
    }
}

public enum Catalog {
    private static func unset(_ name: String) -> Bypass {
        .environment([EnvironmentSetting(name: .byDefault(name), value: .byDefault(""))])
    }

    public static let programs: [CatalogProgram] = [
        CatalogProgram(
            "rblsmtpd", .wrapper, bypass: unset("RBLSMTPD"), grammar: Grammars.rblsmtpd,
            "ucspi-tcp's DNS blocklist filter; an empty RBLSMTPD makes it step aside"),
        CatalogProgram(
            "greetdelay", .wrapper, bypass: unset("GREETDELAY"), delay: "delays the greeting",
            grammar: ArgumentGrammar(),
            "delays the greeting to catch impatient spamware; an empty GREETDELAY means no delay"),
        CatalogProgram(
            "qgreylist", .wrapper, bypass: .honoursRelayClient, grammar: .runsItsArguments,
            "greylisting by client address; steps aside when RELAYCLIENT is set"),
        CatalogProgram(
            "jgreylist", .wrapper, bypass: .honoursRelayClient, grammar: .runsItsArguments,
            "greylisting by client address; steps aside when RELAYCLIENT is set"),
        CatalogProgram(
            "fixsmtpio", .wrapper, grammar: .runsItsArguments,
            "rewrites SMTP responses (pkgsrc default chain); refuses nobody"),
        CatalogProgram("recordio", .wrapper, grammar: .runsItsArguments, "logs the SMTP conversation; refuses nobody"),
        CatalogProgram("softlimit", .wrapper, grammar: Grammars.softlimit, "sets resource limits; refuses nobody"),
        CatalogProgram(
            "setuidgid", .wrapper, grammar: ArgumentGrammar(parsesOptions: false, operands: [.account]),
            "drops to an account's uid and gid"),
        CatalogProgram(
            "envuidgid", .wrapper, grammar: ArgumentGrammar(parsesOptions: false, operands: [.account]),
            "sets UID and GID from an account"),
        CatalogProgram(
            "envdir", .wrapper, grammar: ArgumentGrammar(parsesOptions: false, operands: [.directory]),
            "sets variables from a directory of files"),
        CatalogProgram(
            "argv0", .wrapper,
            grammar: ArgumentGrammar(parsesOptions: false, operands: [.word, .word], runsFirstOperand: true),
            "runs a program under another argv[0]"),
        CatalogProgram("pgrphack", .wrapper, grammar: .runsItsArguments, "runs a program in its own process group"),

        CatalogProgram("tcpserver", .server, grammar: Grammars.tcpserver, "ucspi-tcp's TCP server; sets TCPREMOTEIP"),
        CatalogProgram("sslserver", .server, "ucspi-ssl's TLS-capable tcpserver"),
        CatalogProgram("tcprules", .server, "compiles tcpserver's access rules"),
        CatalogProgram("multilog", .server, "daemontools' log writer"),
        CatalogProgram("doveconf", .server, "Dovecot's configuration reader; relaychain doctor runs it"),
        CatalogProgram("svlogd", .server, "runit's log writer"),
        CatalogProgram("chpst", .server, "runit's process-state changer"),
        CatalogProgram("spiped", .server, "the secure pipe daemon that carries Redis connections between hosts"),
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

/// Argument grammars of the catalog programs, from their sources: ucspi-tcp 0.88 (rblsmtpd,
/// recordio, argv0) and daemontools 0.76 (softlimit, setuidgid, envuidgid, envdir, pgrphack) read
/// their options with djb's sgetopt or read none; greetdelay takes `--` (pkgsrc qmail-run's own
/// default chain passes it); the greylisters and fixsmtpio run their arguments.
enum Grammars {
    static let rblsmtpd = ArgumentGrammar(
        options: ["b": nil, "B": nil, "c": nil, "C": nil, "t": .number, "r": .word, "a": .word],
        meanings: [
            "b": "refuse with 553 (permanent)", "B": "refuse with 451 (temporary, the default)",
            "c": "a failed DNS lookup refuses", "C": "a failed DNS lookup lets the client in",
            "t": "seconds to refuse for", "r": "a DNS blocklist to look the client up in",
            "a": "a DNS allowlist: a listed client is let in",
        ],
        usualValueOption: "r")

    /// ucspi-tcp-ipv6 0.88's tcpserver: options, then the host and port it listens on.
    static let tcpserver: ArgumentGrammar = {
        var grammar = ArgumentGrammar(optionString: "46dDvqQhHrR1UXx:t:u:g:l:b:B:c:I:pPoO", operands: 2)!
        grammar.meanings = [
            "x": "the access rules (cdb)", "c": "connections at most", "u": "uid", "g": "gid", "l": "local host name",
        ]
        return grammar
    }()

    static let softlimit = ArgumentGrammar(
        options: [
            "a": .limit, "c": .limit, "d": .limit, "f": .limit, "l": .limit, "m": .limit, "o": .limit,
            "p": .limit, "r": .limit, "s": .limit, "t": .limit,
        ],
        meanings: [
            "a": "address space bytes", "c": "core file bytes", "d": "data segment bytes", "f": "file size bytes",
            "l": "locked memory bytes", "m": "bytes of every memory segment", "o": "open files",
            "p": "processes", "r": "resident set bytes", "s": "stack bytes", "t": "CPU seconds",
        ],
        usualValueOption: "m")
}
