import RelaychainCore

/// The SMTP chain and the tcpserver services: run scripts, systemd units, log/run, tcp.rules.
extension InstallationReader {
    // MARK: the SMTP chain

    /// `relay-ctrl-check [ifrelayclient env VAR=... --] wrapper... [qmail-smtpd args...]`.
    mutating func readChain(
        _ words: [String], into smtpd: inout InstallationFacts.SMTPD, file: InstallationFile, line: Int,
        endsWithServer: Bool
    ) {
        var index = 0
        var settings: [(String, String)] = []
        if index < words.count, Self.basename(words[index]) == "relay-ctrl-check" {
            smtpd.checks = true
            facts.note(program: words[index])
            index += 1
        }
        if index < words.count, Self.basename(words[index]) == "ifrelayclient" {
            facts.note(program: words[index])
            index += 1
            if index < words.count {
                facts.env = facts.env ?? words[index]
                index += 1
            }
            while index < words.count, words[index] != "--" {
                if let setting = Self.assignment(words[index]) { settings.append(setting) }
                index += 1
            }
            index += 1
        }
        while index < words.count {
            let word = words[index]
            let name = Self.basename(word)
            // Without its directory, which words are the next program's is anyone's guess.
            if endsWithServer, !word.hasPrefix("/") {
                leaveOut(
                    file, line, words[index...].joined(separator: " "),
                    "programs named without their directory (found through PATH when the script runs); "
                        + "the spec names each program in full, since chains run with no PATH")
                break
            }
            if let replaced = Self.otherPOPBeforeSMTP[name] {
                facts.note(program: word)
                leaveOut(file, line, word, "\(replaced); relaychain replaces it by relay-ctrl-check and a window")
                index += 1
                continue
            }
            if endsWithServer, name.hasPrefix("qmail-smtpd") {
                facts.note(program: word)
                smtpd.smtpdArgs = Array(words[(index + 1)...])
                index = words.count
                break
            }
            let rest = Array(words[(index + 1)...])
            let count = Self.argumentCount(of: name, in: rest)
            // An unknown program's words end at the next absolute path: a guess, said as one.
            if Catalog.program(named: name) == nil, Self.optionsWithValues[name] == nil, count < rest.count {
                let next = rest[count]
                let nextName = Self.basename(next)
                if !(endsWithServer && nextName.hasPrefix("qmail-smtpd")), Catalog.program(named: nextName) == nil {
                    facts.assumptions.append(
                        "\(file.path):\(line): \(next): relaychain does not know \(name)'s options; this word is "
                            + "taken for the next program of the chain, not an argument of \(name)")
                }
            }
            facts.note(program: word)
            smtpd.chain.append(.init(program: name, args: Array(rest.prefix(count))))
            index += 1 + count
        }
        smtpd.ifRelayClientSettings = settings
        (smtpd.wrapperSettings, smtpd.relayClientEnvironment) = attribute(settings, to: smtpd.chain)
    }

    /// POP-before-SMTP checks of other packages, in an SMTP chain: recognised and named.
    static let otherPOPBeforeSMTP = [
        "pbscheck": "qmail-ldap's POP-before-SMTP check (pbsadd records each POP3 or IMAP login in pbsdbd)",
        "relay-ctrl-udp-check": "relay-ctrl-udp's check, which asks a daemon over UDP",
    ]

    /// A user wrapper's bypass is what every service that runs it sets for it: a setting beside it
    /// in one service only is that service's relay-client-env (settled once every file is read).
    mutating func settleBypasses() {
        var settled: [String: [(String, String)]] = [:]
        for case .smtpd(let smtpd) in facts.services.map(\.role) where !smtpd.ifRelayClientSettings.isEmpty {
            for entry in smtpd.chain where Catalog.program(named: entry.program) == nil {
                let mine = smtpd.wrapperSettings[entry.program] ?? []
                let common = settled[entry.program].map { known in
                    known.filter { setting in mine.contains { $0 == setting } }
                }
                settled[entry.program] = common ?? mine
            }
        }
        for (wrapper, settings) in settled where !settings.isEmpty { bypasses[wrapper] = settings }
        for index in facts.services.indices {
            guard case .smtpd(var smtpd) = facts.services[index].role, !smtpd.ifRelayClientSettings.isEmpty else {
                continue
            }
            smtpd.relayClientEnvironment = smtpd.ifRelayClientSettings.filter { setting in
                let catalog = smtpd.chain.contains { entry in
                    guard case .environment(let list) = Catalog.program(named: entry.program)?.bypass else {
                        return false
                    }
                    return list.contains { $0.name.value == setting.0 && $0.value.value == setting.1 }
                }
                let wrapper = smtpd.chain.contains { entry in
                    (bypasses[entry.program] ?? []).contains { $0 == setting }
                }
                return !catalog && !wrapper
            }
            facts.services[index].role = .smtpd(smtpd)
        }
    }

    /// How many of `rest` a program takes: by its grammar (the most words it reads that leave a
    /// program name next), else every word up to the next absolute path.
    static func argumentCount(of name: String, in rest: [String]) -> Int {
        if let valued = optionsWithValues[name] { return optionCount(rest, valued: valued) }
        let untilPath = rest.firstIndex { $0.hasPrefix("/") } ?? rest.count
        guard let grammar = Catalog.program(named: name)?.grammar, grammar != .runsItsArguments else {
            return untilPath
        }
        for count in stride(from: rest.count, through: 0, by: -1) {
            guard count == rest.count || rest[count].hasPrefix("/") else { continue }
            if case .success = grammar.read(Array(rest.prefix(count))) { return count }
        }
        return untilPath
    }

    /// Programs outside the catalog whose command-line options import knows from their
    /// documentation: the options that take a value. Their words end at the first word that is
    /// no option (spamdyke's README: everything else is in its configuration file).
    static let optionsWithValues: [String: Set<String>] = ["spamdyke": ["-f", "--config-file"]]

    /// Options, each valued one with its value (attached with `=`, or the next word), then the program.
    static func optionCount(_ rest: [String], valued: Set<String>) -> Int {
        var index = 0
        while index < rest.count, rest[index].hasPrefix("-"), rest[index] != "-" {
            if rest[index] == "--" { return index + 1 }
            if valued.contains(rest[index]) { index += 1 }
            index += 1
        }
        return min(index, rest.count)
    }

    /// What import says of a program it knows outside the catalog, in the spec beside it.
    static let knownWrapperNotes: [String: String] = [
        "spamdyke":
            "spamdyke may itself let clients relay (SMTP AUTH; ip-relay-file and rdns-relay-file in its "
            + "configuration file): grants relaychain cannot see"
    ]

    /// ifrelayclient's settings: those a catalog wrapper of the chain asks for are its own; the
    /// others go to the user wrappers in chain order; what is left, to the service itself.
    func attribute(_ settings: [(String, String)], to chain: [InstallationFacts.Entry]) -> (
        assigned: [String: [(String, String)]], extra: [(String, String)]
    ) {
        var cursor = 0
        var extra: [(String, String)] = []
        var assigned: [String: [(String, String)]] = [:]
        for (name, value) in settings {
            if let index = chain.indices.first(where: { index in
                guard case .environment(let list) = Catalog.program(named: chain[index].program)?.bypass else {
                    return false
                }
                return list.contains { $0.name.value == name && $0.value.value == value }
            }) {
                if name != "RBLSMTPD" { cursor = max(cursor, index) }
                continue
            }
            if let index = chain.indices.first(where: {
                $0 >= cursor && Catalog.program(named: chain[$0].program) == nil
            }) {
                assigned[chain[index].program, default: []].append((name, value))
                cursor = index
            } else {
                extra.append((name, value))
            }
        }
        return (assigned, extra)
    }

    // MARK: daemontools and runit

    /// A systemd unit's ExecStart: the same chain, with envuidgid in place of the run script's id.
    mutating func readUnit(_ file: InstallationFile) {
        var name = Self.basename(file.path)
        name = String(name.dropLast(8))
        if name.hasPrefix("relaychain-") { name.removeFirst(11) }
        guard let exec = Self.logicalLines(file.text).first(where: { $0.text.hasPrefix("ExecStart=") }),
            let words = Self.systemdWords(exec.text.dropFirst(10))
        else {
            leaveOut(file, 1, "ExecStart", "no ExecStart line that relaychain can read")
            return
        }
        let suffix = "/etc/relaychain/\(name)"
        if let directory = Self.logicalLines(file.text).first(where: { $0.text.hasPrefix("WorkingDirectory=") }),
            directory.text.hasSuffix(suffix)
        {
            facts.configPrefix = String(directory.text.dropFirst(17).dropLast(suffix.count))
        }
        let run = ShellRun(command: .init(words: words, line: exec.line))
        let context = ServiceCommand.Context(files: files, serviceDirectory: Self.dirname(file.path))
        guard let command = ServiceCommand.resolve(run, in: context) else { return }
        for problem in command.problems {
            leaveOut(file, problem.line, Self.text(of: problem.line, in: file), problem.reason)
        }
        facts.commands.append(.init(service: name, file: file.path, command: command))
        readServiceCommand(command, file: file, service: name, runBy: .systemd)
    }

    /// systemd's ExecStart words: double or single quotes, backslash escapes, `$$` and `%%`. A
    /// specifier is a value systemd fills in when it starts the unit: `%H` the host name, any
    /// other one left unknown, so that nothing reads it as text.
    static func systemdWords(_ text: Substring) -> [ShellText]? {
        var words: [ShellText] = []
        var current = ShellText()
        var inWord = false
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            if quote == nil, character == " " || character == "\t" {
                if inWord {
                    words.append(current)
                    current = ShellText()
                    inWord = false
                }
                continue
            }
            inWord = true
            if let open = quote, character == open {
                quote = nil
                continue
            }
            if quote == nil, character == "\"" || character == "'" {
                quote = character
                continue
            }
            if character == "\\", index < text.endIndex {
                current.append(String(text[index]))
                index = text.index(after: index)
                continue
            }
            if character == "%", index < text.endIndex, text[index] != "%" {
                let specifier = text[index]
                index = text.index(after: index)
                current.append(ShellText(specifier == "H" ? .hostName : .unknown("systemd's specifier %\(specifier)")))
                continue
            }
            if character == "$" || character == "%", index < text.endIndex, text[index] == character {
                index = text.index(after: index)
            }
            current.append(String(character))
        }
        guard quote == nil else { return nil }
        if inWord { words.append(current) }
        return words
    }

    /// A run script and its tcp.rules or log/run may come in any order.
    mutating func merge(_ name: String, _ smtpd: InstallationFacts.SMTPD) {
        if let index = facts.services.firstIndex(where: { $0.name == name }),
            case .smtpd(let earlier) = facts.services[index].role
        {
            var merged = smtpd
            merged.relayNetworks = earlier.relayNetworks
            merged.rules = earlier.rules
            merged.logCommand = earlier.logCommand
            merged.rulesFile = earlier.rulesFile
            if earlier.runBy == .runit, merged.runBy == .daemontools { merged.runBy = .runit }
            facts.services[index].role = .smtpd(merged)
        } else {
            facts.add(.init(name: name, role: .smtpd(smtpd)))
        }
    }

    mutating func smtpdPart(_ name: String, _ update: (inout InstallationFacts.SMTPD) -> Void) {
        if let index = facts.services.firstIndex(where: { $0.name == name }) {
            if case .smtpd(var smtpd) = facts.services[index].role {
                update(&smtpd)
                facts.services[index].role = .smtpd(smtpd)
            } else if case .pop3d(var pop3d) = facts.services[index].role {
                var probe = InstallationFacts.SMTPD(runBy: pop3d.runBy)
                update(&probe)
                pop3d.runBy = probe.runBy
                facts.services[index].role = .pop3d(pop3d)
            }
        } else {
            var smtpd = InstallationFacts.SMTPD(runBy: .daemontools)
            update(&smtpd)
            facts.add(.init(name: name, role: .smtpd(smtpd)))
        }
    }

    mutating func readLogRun(_ file: InstallationFile, service: String) {
        guard let exec = Self.logicalLines(file.text).last(where: { $0.text.hasPrefix("exec ") }),
            let words = ShellWords.split(exec.text.dropFirst(5)), words.count >= 3
        else { return }
        let runit = Self.basename(words[0]) == "chpst"
        let userIndex = runit ? 2 : 1
        guard userIndex < words.count else { return }
        facts.note(program: words[0])
        facts.logUser = words[userIndex]
        let command = Array(words[(userIndex + 1)...])
        let standard = runit ? ["svlogd", "-tt", "./main"] : ["multilog", "t", "./main"]
        if let first = command.first { facts.note(program: first) }
        let isStandard =
            command.count == 3 && Self.basename(command[0]) == standard[0]
            && Array(command.dropFirst()) == Array(standard.dropFirst())
        smtpdPart(service) { smtpd in
            if runit { smtpd.runBy = .runit }
            if !isStandard { smtpd.logCommand = command }
        }
    }

    /// systemd services keep their rules in systemd/<service>/tcp.rules.
    func runBy(of path: String) -> Supervisor? {
        path.split(separator: "/").contains("systemd") ? .systemd : nil
    }

    mutating func readRules(_ file: InstallationFile, service: String, runBy: Supervisor?) {
        var networks: [String] = []
        var rules: [(from: String, deny: Bool, set: [(String, String)])] = []
        for (number, raw) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let rule = Self.rule(line) else {
                leaveOut(file, number + 1, line, "a tcprules line relaychain cannot read")
                continue
            }
            if rules.isEmpty, !rule.deny, rule.set.count == 1, rule.set[0] == ("RELAYCLIENT", ""), !rule.from.isEmpty {
                networks.append(rule.from)
            } else {
                rules.append(rule)
            }
        }
        if let last = rules.last, last.from.isEmpty, !last.deny, last.set.isEmpty { rules.removeLast() }
        smtpdPart(service) { smtpd in
            smtpd.rulesFile = file.path
            smtpd.relayNetworks = networks
            smtpd.rules = rules
            if let runBy { smtpd.runBy = runBy }
        }
    }

    /// `addr:allow,VAR="value",VAR='value'` or `addr:deny`.
    static func rule(_ line: String) -> (from: String, deny: Bool, set: [(String, String)])? {
        guard let colon = line.range(of: ":allow") ?? line.range(of: ":deny") else { return nil }
        let from = String(line[..<colon.lowerBound])
        let deny = line[colon].hasSuffix("deny")
        var rest = line[colon.upperBound...]
        var set: [(String, String)] = []
        while rest.first == "," {
            rest = rest.dropFirst()
            guard let equals = rest.firstIndex(of: "=") else { return nil }
            let name = String(rest[..<equals])
            rest = rest[rest.index(after: equals)...]
            guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: quote) else { return nil }
            set.append((name, String(rest[..<end])))
            rest = rest[rest.index(after: end)...]
        }
        return rest.isEmpty ? (from, deny, set) : nil
    }
}
