/// A word of an emitted command line, with the spec position it came from (nil: relaychain's
/// own words), so that a target that cannot carry it can say where it was written.
public struct Word: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Reaches the program exactly as `text`.
        case literal
        /// `NAME=value`: written `NAME='value'` in shell, as pkgsrc and the article do.
        case assignment(name: String, value: String)
        /// relaychain's own shell code (`"$QMAILDUID"`), written as is in shell targets.
        case shellCode
    }

    public var text: String
    public var origin: SourceLocation?
    public var kind: Kind

    public init(_ text: String, from origin: SourceLocation? = nil) {
        self.text = text
        self.origin = origin
        self.kind = .literal
    }

    static func assign(_ name: String, _ value: String, from origin: SourceLocation? = nil) -> Word {
        var word = Word("\(name)=\(value)", from: origin)
        word.kind = .assignment(name: name, value: value)
        return word
    }

    static func shellCode(_ code: String) -> Word {
        var word = Word(code)
        word.kind = .shellCode
        return word
    }

    /// As a POSIX shell word.
    var shell: String {
        switch kind {
        case .literal: ShellQuoting.word(text)
        case .assignment(let name, let value): ShellQuoting.assignment(name, value)
        case .shellCode: text
        }
    }
}

/// What the compiled chains of one spec consist of, shared by every target.
struct ChainPlan {
    let spec: Spec

    /// A catalog program's path, remembering whether it came from `paths` or from `prefix`.
    func path(_ program: KnownProgram) -> Word {
        Word(spec.platform.path(of: program), from: spec.platform.origin(of: program))
    }

    /// A program the spec names by a word of its own (a log command, a checkpassword): a catalog
    /// program's path, else `<prefix>/bin/<name>`.
    func path(named name: String) -> Word {
        KnownProgram(rawValue: name).map(path)
            ?? Word(spec.platform.path(ofNamed: name), from: spec.platform.prefix.location)
    }

    /// Where the tools find the store: RELAY_CTRL_DIR, or for Redis the URL with the role's ACL
    /// user, its password file, the prefix and timeout when not the default, and (for the
    /// writer, whose SET carries the expiry) the window.
    func storeWords(_ window: RelayWindow, as role: Spiped.Role) -> [Word] {
        guard let redis = window.redis else {
            return [Word.assign("RELAY_CTRL_DIR", window.store.value, from: window.store.location)]
        }
        let user = role == .writer ? redis.writer : redis.reader
        var words: [Word] = [
            .assign(
                "RELAY_CTRL_REDIS", redis.url(as: user.value, role: role),
                from: window.store.location),
            .assign(
                "RELAY_CTRL_REDIS_PASSWORD_FILE", redis.passwordFile(of: user.value),
                from: user.location),
        ]
        if redis.prefix != RedisStore.defaultPrefix { words.append(.assign("RELAY_CTRL_REDIS_PREFIX", redis.prefix)) }
        let replicatedWriter = role == .writer && redis.replication != nil
        if let timeout = redis.timeout ?? (replicatedWriter ? RedisReplication.defaultWriterTimeout : nil) {
            words.append(.assign("RELAY_CTRL_REDIS_TIMEOUT", String(timeout)))
        }
        if role == .writer {
            words.append(
                .assign("RELAY_CTRL_EXPIRY", String(window.length.value.seconds), from: window.length.location))
        }
        if let replication = redis.replication {
            switch role {
            case .writer where replication.wait.value > 0:
                words.append(
                    .assign("RELAY_CTRL_REDIS_WAIT", String(replication.wait.value), from: replication.wait.location))
            case .writer: break
            case .reader:
                words.append(
                    .assign(
                        "RELAY_CTRL_REDIS_STALE_AFTER", String(replication.staleAfter.value.seconds),
                        from: replication.staleAfter.location))
            }
        }
        return words
    }

    /// relay-ctrl-chdir, which opens a directory store before privileges drop; none for Redis.
    func chdirWords(_ window: RelayWindow?) -> [Word] {
        guard let window, window.redis == nil else { return [] }
        return [path(.relayCtrlChdir)]
    }

    /// The settings relay-ctrl-check (and relay-ctrl-age) need, as `NAME=value` words.
    func checkEnvironment(_ window: RelayWindow) -> [Word] {
        var words = storeWords(window, as: .reader)
        words.append(.assign("RELAY_CTRL_EXPIRY", String(window.length.value.seconds), from: window.length.location))
        if !window.relayClient.value.isEmpty {
            words.append(.assign("RELAY_CTRL_RELAYCLIENT", window.relayClient.value, from: window.relayClient.location))
        }
        if window.log.value { words.append(.assign("RELAY_CTRL_LOG_IPS", "1", from: window.log.location)) }
        words += carryWords(window)
        return words
    }

    /// The service's own variables (`environment`), after relay-ctrl's.
    func serviceEnvironment(_ smtpd: QmailSMTPD) -> [Word] {
        smtpd.environment.map { .assign($0.name.value, $0.value.value, from: $0.value.location) }
            + (smtpd.tls?.value.environment ?? []).map { .assign($0.name, $0.value.value, from: $0.value.location) }
    }

    /// RELAY_CTRL_CARRY, written only when it differs from the tools' default (USER,DOMAIN).
    func carryWords(_ window: RelayWindow) -> [Word] {
        let names = window.carry.map(\.value)
        guard names != RelayWindow.defaultCarry else { return [] }
        return [.assign("RELAY_CTRL_CARRY", names.joined(separator: ","), from: window.carry.first?.location)]
    }

    /// A chain entry resolved against the catalog and the user's wrappers.
    struct Resolved {
        var name: String
        /// The catalog program it is; nil for a wrapper the spec defines.
        var known: CatalogProgram?
        var words: [Word]
        var bypass: Bypass
        /// Variables it sets for every client (user wrappers declare them).
        var sets: [EnvironmentSetting] = []
        var chainLoader = true
        /// How it slows a client it does not let through, when it does not refuse it.
        var delay: String?
        /// Where the chain names it.
        var location: SourceLocation
        /// How it reads its words (nil: an opaque user wrapper).
        var grammar: ArgumentGrammar?

        /// What each argument word means to the program, for `explain`.
        var readings: [String] {
            guard let grammar, case .success(let readings) = grammar.read(words.dropFirst().map(\.text)) else {
                return []
            }
            return readings.map { "reads \($0.meaning)" }
        }
    }

    func resolve(_ entry: ChainEntry) -> Resolved {
        let name = entry.program.value
        let args = entry.args.map { Word($0.value, from: $0.location) }
        if let wrapper = spec.wrapper(named: name) {
            let fixed = wrapper.args.map { Word($0.value, from: $0.location) }
            return Resolved(
                name: name, words: [Word(wrapper.path.value, from: wrapper.path.location)] + fixed + args,
                bypass: wrapper.bypass.value,
                sets: wrapper.sets, chainLoader: wrapper.chainLoader.value, location: entry.program.location,
                grammar: wrapper.grammar)
        }
        guard let program = Catalog.program(named: name) else {
            // Validation refuses a name that is neither; this keeps the plan total.
            return Resolved(
                name: name, words: [path(named: name)] + args, bypass: .none,
                location: entry.program.location)
        }
        return Resolved(
            name: name, known: program, words: [path(program.program)] + args, bypass: program.bypass,
            delay: program.delay, location: entry.program.location, grammar: program.grammar)
    }

    /// The variables ifrelayclient must set so that every wrapper steps aside for a relay
    /// client: rblsmtpd's RBLSMTPD first (relay-ctrl's own convention), then the others in
    /// chain order, each once.
    func bypassSettings(_ chain: [Resolved], extra: [EnvironmentSetting] = []) -> [EnvironmentSetting] {
        var settings: [EnvironmentSetting] = []
        let lists =
            chain.compactMap { resolved -> [EnvironmentSetting]? in
                guard case .environment(let list) = resolved.bypass else { return nil }
                return list
            } + [extra]
        for list in lists {
            for setting in list where !settings.contains(where: { $0.name.value == setting.name.value }) {
                settings.append(setting)
            }
        }
        let first = Self.firstBypassVariable
        return settings.filter { $0.name.value == first } + settings.filter { $0.name.value != first }
    }

    /// The variable ifrelayclient sets first: rblsmtpd's, as relay-ctrl's own examples order it.
    static let firstBypassVariable = "RBLSMTPD"

    /// One program of the SMTP chain and the words it is written as.
    struct Step {
        enum Program {
            case relayCtrlCheck(RelayWindow)
            case ifRelayClient([EnvironmentSetting])
            case wrapper(Resolved)
            case qmailSMTPD
        }
        var program: Program
        var words: [Word]
    }

    /// Everything tcpserver runs for one SMTP connection: relay-ctrl-check, ifrelayclient with
    /// the bypass settings, the wrappers in order, qmail-smtpd. The emitter writes these words;
    /// the analysis interprets these programs.
    func smtpSteps(_ smtpd: QmailSMTPD) -> [Step] {
        let chain = smtpd.chain.map(resolve)
        var steps: [Step] = []
        if let window = window(smtpd.checks) {
            steps.append(Step(program: .relayCtrlCheck(window), words: [path(.relayCtrlCheck)]))
            let settings = bypassSettings(chain, extra: smtpd.relayClientEnvironment)
            if !settings.isEmpty {
                let assignments = settings.map { Word.assign($0.name.value, $0.value.value, from: $0.value.location) }
                steps.append(
                    Step(
                        program: .ifRelayClient(settings),
                        words: [path(.ifrelayclient), Word(spec.platform.env.value, from: spec.platform.env.location)]
                            + assignments + [Word("--")]))
            }
        }
        steps += chain.map { Step(program: .wrapper($0), words: $0.words) }
        let arguments = smtpd.smtpdArguments.map { Word($0.value, from: $0.location) }
        steps.append(Step(program: .qmailSMTPD, words: [path(.qmailSMTPD)] + arguments))
        return steps
    }

    func smtpCommand(_ smtpd: QmailSMTPD) -> [Word] {
        smtpSteps(smtpd).flatMap(\.words)
    }

    /// The words before qmail-smtpd: what tcpserver runs first.
    func wrapperCommand(_ smtpd: QmailSMTPD) -> [Word] {
        smtpSteps(smtpd).dropLast().flatMap(\.words)
    }

    /// softlimit -m for `datalimit`, before tcpserver (run scripts and units; qmail-run has its own).
    func datalimitWords(_ smtpd: QmailSMTPD) -> [Word] {
        guard let limit = smtpd.datalimit else { return [] }
        return [path(.softlimit), Word("-m"), Word(String(limit.value), from: limit.location)]
    }

    /// The log command, its program resolved like a chain's (`multilog` is the platform's multilog).
    func logCommandWords(_ smtpd: QmailSMTPD) -> [Word] {
        smtpd.logCommand.enumerated().map { index, word in
            index == 0 && !word.value.hasPrefix("/") ? path(named: word.value) : Word(word.value, from: word.location)
        }
    }

    func window(_ reference: Written<String>?) -> RelayWindow? {
        reference.flatMap { spec.window(named: $0.value) }
    }
}
