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

    public var program: KnownProgram
    public var name: String { program.rawValue }
    public var role: Role
    /// What the analysis and the simulation must know of it beyond its bypass.
    public var traits: Traits
    public var bypass: Bypass
    /// When not told to step aside it only slows the client down instead of refusing it; this
    /// says how ("delays the greeting").
    public var delay: String?
    public var summary: String
    /// How it reads its arguments (wrappers; nil for the servers relaychain writes itself).
    public var grammar: ArgumentGrammar?

    init(
        _ program: KnownProgram, _ role: Role, bypass: Bypass = .notAFilter, delay: String? = nil,
        grammar: ArgumentGrammar? = nil, traits: Traits = [], _ summary: String
    ) {
        self.program = program
        self.role = role
        self.traits = traits
        self.bypass = bypass
        self.delay = delay
        self.grammar = grammar
        self.summary = summary
    }
}

extension CatalogProgram {
    /// Behaviour that changes what a chain does, beyond letting a client through or not.
    public struct Traits: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Gives up root for the rest of the chain: a later one cannot change users (setuidgid).
        public static let dropsRoot = Traits(rawValue: 1 << 0)
        /// Sets whatever variables a directory's files name, RELAYCLIENT included (envdir).
        public static let setsVariablesFromDirectory = Traits(rawValue: 1 << 1)
        /// Looks the client up in DNS lists and refuses a listed one, RBLSMTPD deciding (rblsmtpd).
        public static let consultsBlocklists = Traits(rawValue: 1 << 2)
    }
}

public enum Catalog {
    private static func unset(_ name: String) -> Bypass {
        .environment([EnvironmentSetting(name: .byDefault(name), value: .byDefault(""))])
    }

    /// Every program relaychain knows, in the order of `KnownProgram`.
    public static let programs: [CatalogProgram] = KnownProgram.allCases.map { Catalog[$0] }

    public static subscript(program: KnownProgram) -> CatalogProgram {
        switch program {
        case .rblsmtpd:
            CatalogProgram(
                program, .wrapper, bypass: unset("RBLSMTPD"), grammar: Grammars.rblsmtpd, traits: .consultsBlocklists,
                "ucspi-tcp's DNS blocklist filter; an empty RBLSMTPD makes it step aside")
        case .greetdelay:
            CatalogProgram(
                program, .wrapper, bypass: unset("GREETDELAY"), delay: "delays the greeting",
                grammar: ArgumentGrammar(),
                "delays the greeting to catch impatient spamware; an empty GREETDELAY means no delay")
        case .qgreylist:
            CatalogProgram(
                program, .wrapper, bypass: .honoursRelayClient, grammar: .runsItsArguments,
                "greylisting by client address; steps aside when RELAYCLIENT is set")
        case .jgreylist:
            CatalogProgram(
                program, .wrapper, bypass: .honoursRelayClient, grammar: .runsItsArguments,
                "greylisting by client address; steps aside when RELAYCLIENT is set")
        case .fixsmtpio:
            CatalogProgram(
                program, .wrapper, grammar: .runsItsArguments,
                "rewrites SMTP responses (pkgsrc default chain); refuses nobody")
        case .fixcrio:
            CatalogProgram(
                program, .wrapper, grammar: .runsItsArguments,
                "adds the CR missing at the end of a line, in and out of the rest of the chain; refuses nobody")
        case .recordio:
            CatalogProgram(program, .wrapper, grammar: .runsItsArguments, "logs the SMTP conversation; refuses nobody")
        case .softlimit:
            CatalogProgram(program, .wrapper, grammar: Grammars.softlimit, "sets resource limits; refuses nobody")
        case .setuidgid:
            CatalogProgram(
                program, .wrapper, grammar: ArgumentGrammar(parsesOptions: false, operands: [.account]),
                traits: .dropsRoot,
                "drops to an account's uid and gid")
        case .envuidgid:
            CatalogProgram(
                program, .wrapper, grammar: ArgumentGrammar(parsesOptions: false, operands: [.account]),
                "sets UID and GID from an account")
        case .envdir:
            CatalogProgram(
                program, .wrapper, grammar: ArgumentGrammar(parsesOptions: false, operands: [.directory]),
                traits: .setsVariablesFromDirectory,
                "sets variables from a directory of files")
        case .argv0:
            CatalogProgram(
                program, .wrapper,
                grammar: ArgumentGrammar(parsesOptions: false, operands: [.word, .word], runsFirstOperand: true),
                "runs a program under another argv[0]")
        case .pgrphack:
            CatalogProgram(program, .wrapper, grammar: .runsItsArguments, "runs a program in its own process group")
        case .tcpserver:
            CatalogProgram(program, .server, grammar: Grammars.tcpserver, "ucspi-tcp's TCP server; sets TCPREMOTEIP")
        case .sslserver:
            CatalogProgram(
                program, .server, grammar: Grammars.sslserver,
                "ucspi-ssl's tcpserver with TLS; sets TCPREMOTEIP only with -e, which builds write")
        case .tcprules:
            CatalogProgram(program, .server, "compiles tcpserver's access rules")
        case .multilog:
            CatalogProgram(program, .server, "daemontools' log writer")
        case .doveconf:
            CatalogProgram(program, .server, "Dovecot's configuration reader; relaychain doctor runs it")
        case .svlogd:
            CatalogProgram(program, .server, "runit's log writer")
        case .chpst:
            CatalogProgram(program, .server, "runit's process-state changer")
        case .spiped:
            CatalogProgram(program, .server, "the secure pipe daemon that carries Redis connections between hosts")
        case .svc:
            CatalogProgram(program, .server, "daemontools' service control; setup restarts a service with svc -t")
        case .svok:
            CatalogProgram(program, .server, "daemontools' check that a service is supervised")
        case .svstat:
            CatalogProgram(program, .server, "daemontools' service status; doctor reads the running process from it")
        case .sv:
            CatalogProgram(program, .server, "runit's service control; setup restarts a service with sv restart")
        case .checknotroot:
            CatalogProgram(program, .server, "pkgsrc qmail-run's guard against POP3 logins as root")
        case .qmailSMTPD:
            CatalogProgram(program, .server, "qmail's SMTP server; relays when RELAYCLIENT is set")
        case .qmailPopup:
            CatalogProgram(program, .server, "qmail's POP3 front end; reads the user name and password")
        case .qmailPop3d:
            CatalogProgram(program, .server, "qmail's POP3 server")
        case .checkpassword:
            CatalogProgram(program, .server, "the classic checkpassword program")
        case .nbcheckpassword:
            CatalogProgram(program, .server, "pkgsrc's checkpassword for NetBSD accounts")
        case .relayCtrlAllow:
            CatalogProgram(program, .relayCtrl, "records a relay grant after a login")
        case .relayCtrlCheck:
            CatalogProgram(program, .relayCtrl, "sets RELAYCLIENT for a client with a fresh grant")
        case .relayCtrlChdir:
            CatalogProgram(program, .relayCtrl, "opens the relay store and hands it on as RELAY_CTRL_DIR_FD")
        case .relayCtrlAge:
            CatalogProgram(program, .relayCtrl, "removes expired grants")
        case .ifrelayclient:
            CatalogProgram(program, .relayCtrl, "runs its first command only for a relay client")
        case .dovecotSettcpremoteip:
            CatalogProgram(program, .relayCtrl, "copies Dovecot's IP into TCPREMOTEIP")
        }
    }

    /// A name as a spec or an installation writes it; nil when relaychain does not know it.
    public static func program(named name: String) -> CatalogProgram? {
        KnownProgram(rawValue: name).map { self[$0] }
    }

    public static var wrapperNames: [String] {
        programs.filter { $0.role == .wrapper }.map(\.name)
    }
}

extension CatalogProgram.Role: Equatable {}

/// Argument grammars of the catalog programs, from their sources: ucspi-tcp 0.88 (rblsmtpd,
/// recordio, argv0, fixcrio) and daemontools 0.76 (softlimit, setuidgid, envuidgid, envdir,
/// pgrphack) read their options with djb's sgetopt or read none; greetdelay takes `--` (pkgsrc
/// qmail-run's own default chain passes it); the greylisters, fixsmtpio and fixcrio run their
/// arguments.
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
        // A literal getopt string (a test reads tcpserver's words with it); never nil.
        var grammar =
            ArgumentGrammar(optionString: "46dDvqQhHrR1UXx:t:u:g:l:b:B:c:I:pPoO", operands: 2) ?? ArgumentGrammar()
        grammar.meanings = [
            "x": "the access rules (cdb)", "c": "connections at most", "u": "uid", "g": "gid", "l": "local host name",
        ]
        return grammar
    }()

    /// fehcom's ucspi-ssl 0.12 (as pkgsrc packages it): tcpserver's options and its own.
    static let sslserver: ArgumentGrammar = {
        var grammar =
            ArgumentGrammar(optionString: "1346dDvVqQhHrRUXx:t:T:u:g:l:b:B:c:pPoOIEeSsw:nNzZm", operands: 2)
            ?? ArgumentGrammar()
        grammar.meanings = tcpserver.meanings
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
