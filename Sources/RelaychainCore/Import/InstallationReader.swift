/// Reads an installation's files into `InstallationFacts`: pkgsrc qmail-run's rc.conf variables,
/// daemontools and runit run scripts with their tcp.rules and log/run, dovecot.conf lines
/// (`mail_executable`, a post-login service) and the post-login script, a relay-ctrl-age crontab
/// line, and relaychain's own setup script. A line it cannot express is recorded as left out.
public struct InstallationFile: Sendable {
    /// As given (for messages), relative to the imported directory when one was given.
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

struct InstallationReader {
    var facts = InstallationFacts()

    static func basename(_ path: String) -> String { String(path.split(separator: "/").last ?? "") }
    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func assignment(_ word: String) -> (String, String)? {
        guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return nil }
        let name = word[..<equals]
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !name.first!.isNumber else { return nil }
        return (String(name), String(word[word.index(after: equals)...]))
    }

    mutating func leaveOut(_ file: InstallationFile, _ line: Int, _ text: String, _ reason: String) {
        facts.leftOut.append(.init(file: file.path, line: line, text: text, reason: reason))
    }

    mutating func read(_ files: [InstallationFile]) {
        // Hints first (setup's comments name the windows), then the services, then the rest.
        let ordered = files.filter { isSetup($0) } + files.filter { !isSetup($0) }
        for file in ordered { read(file) }
    }

    private func isSetup(_ file: InstallationFile) -> Bool {
        Self.basename(file.path) == "setup" && file.text.contains("\nneed_user ") || file.text.contains("\nfinish\n")
    }

    private mutating func read(_ file: InstallationFile) {
        let name = Self.basename(file.path)
        let parent = Self.basename(Self.dirname(file.path))
        if isSetup(file) {
            readSetup(file)
        } else if file.text.range(of: #"(?m)^\s*qmail(smtpd|pop3d)_[a-z]+="#, options: .regularExpression) != nil {
            readRCConf(file)
        } else if name == "run", parent == "log" {
            readLogRun(file, service: Self.basename(Self.dirname(Self.dirname(file.path))))
        } else if name == "run" {
            readRunScript(file, service: parent)
        } else if name.hasSuffix(".service"), file.text.contains("ExecStart=") {
            readUnit(file)
        } else if name.hasSuffix(".rules") {
            readRules(file, service: name == "tcp.rules" ? parent : String(name.dropLast(6)), runBy: runBy(of: file.path))
        } else if file.text.contains("mail_executable") {
            readDovecot1(file)
        } else if file.text.contains("relay-ctrl-allow"), file.text.contains("exec \"$@\"") {
            readPostLogin(file)
        } else if file.text.contains("script-login") {
            readDovecot2(file)
        } else if file.text.contains("relay-ctrl-age") {
            readCron(file)
        } else {
            leaveOut(file, 1, name, "not a file relaychain knows how to read")
        }
    }

    /// Lines without comments, continuation lines joined, with their first line numbers.
    static func logicalLines(_ text: String) -> [(line: Int, text: String)] {
        var result: [(Int, String)] = []
        var pending: (Int, String)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if var current = pending {
                current.1 += " " + line
                pending = current
            } else {
                pending = (index + 1, line)
            }
            if line.hasSuffix("\\") {
                pending!.1.removeLast()
                continue
            }
            result.append(pending!)
            pending = nil
        }
        if let pending { result.append(pending) }
        return result
    }

    // MARK: relaychain's setup: where it installs things and what the windows are called

    private mutating func readSetup(_ file: InstallationFile) {
        var window: String?
        for (_, line) in Self.logicalLines(file.text) {
            if line.hasPrefix("# Store of window '"), let end = line.dropFirst(19).firstIndex(of: "'") {
                window = String(line.dropFirst(19)[..<end])
                continue
            }
            guard let words = ShellWords.split(Substring(line.trimmingPrefix(while: { $0 == " " }))), words.count >= 2 else { continue }
            switch words[0] {
            case "directory":
                if let window { facts.windows[facts.window(store: words[1])].name = window }
                window = nil
            case "install_file" where words.count >= 3:
                if words[1] == "cron/relay-ctrl-age" { facts.cronD = Self.dirname(words[2]) }
                if words[1].hasPrefix("dovecot/") { facts.dovecotConfD = Self.dirname(words[2]) }
            case "link_service" where words.count >= 3:
                facts.serviceDirectory = Self.dirname(words[2])
            default: break
            }
        }
    }

    // MARK: pkgsrc qmail-run

    private mutating func readRCConf(_ file: InstallationFile) {
        let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var smtpd: (line: Int, values: [String: [String]])?
        var pop3d: (line: Int, values: [String: [String]])?
        var names: [String: String] = [:]
        var windowNames: [String: String] = [:]
        for (index, line) in lines.enumerated() {
            // relaychain's comment: "# qmail-smtpd (service 'smtp', port 25): ... window 'relay' ..."
            for kind in ["qmail-smtpd", "qmail-pop3d"] where line.hasPrefix("# \(kind) (service '") {
                let rest = line.dropFirst(kind.count + 13)
                if let end = rest.firstIndex(of: "'") { names[kind] = String(rest[..<end]) }
                if let range = line.range(of: "window '"), let end = line[range.upperBound...].firstIndex(of: "'") {
                    windowNames[kind] = String(line[range.upperBound..<end])
                }
            }
            _ = index
        }
        for (name, range) in RCConfMerge.assignments(in: lines) {
            let text = lines[range].joined(separator: "\n").drop { $0 == " " || $0 == "\t" }.dropFirst(name.count + 1)
            guard let value = ShellWords.split(text)?.first, let words = ShellWords.split(Substring(value)) else {
                leaveOut(file, range.lowerBound + 1, lines[range.lowerBound], "an unclosed quote")
                continue
            }
            if name.hasPrefix("qmailsmtpd_") {
                if smtpd == nil { smtpd = (range.lowerBound + 1, [:]) }
                smtpd!.values[String(name.dropFirst(11))] = words
            } else if name.hasPrefix("qmailpop3d_") {
                if pop3d == nil { pop3d = (range.lowerBound + 1, [:]) }
                pop3d!.values[String(name.dropFirst(11))] = words
            }
        }
        if let smtpd { readQmailRunSMTPD(file, smtpd.line, smtpd.values, name: names["qmail-smtpd"] ?? "smtp", window: windowNames["qmail-smtpd"]) }
        if let pop3d { readQmailRunPOP3D(file, pop3d.line, pop3d.values, name: names["qmail-pop3d"] ?? "pop3", window: windowNames["qmail-pop3d"]) }
    }

    private mutating func readQmailRunSMTPD(_ file: InstallationFile, _ line: Int, _ values: [String: [String]], name: String, window: String?) {
        var smtpd = InstallationFacts.SMTPD(runBy: .qmailRun)
        for (variable, words) in values.sorted(by: { $0.key < $1.key }) {
            switch variable {
            case "postenv":
                let (store, others) = facts.readWindow(words.compactMap(Self.assignment), smtpSide: true)
                smtpd.store = store
                smtpd.environment = others
                if let store, let window { facts.windows[facts.window(store: store)].name = window }
            case "pretcpserver":
                for word in words { facts.note(program: word) }
            case "presmtpd": readChain(words, into: &smtpd, file: file, line: line, endsWithServer: false)
            case "smtpdcmd": if let first = words.first { facts.note(program: first) }
            case "postsmtpd": smtpd.smtpdArgs = words
            case "datalimit": smtpd.datalimit = words.first.flatMap { Int($0) }
            case "logcmd": smtpd.logCommand = words
            case "tcphost": smtpd.listen = words.first
            case "tcpport": smtpd.port = words.first.flatMap { Int($0) } ?? 25
            default: leaveOut(file, line, "qmailsmtpd_\(variable)=\"\(words.joined(separator: " "))\"", "the spec cannot say this variable")
            }
        }
        if values["presmtpd"] == nil {
            leaveOut(file, line, "qmailsmtpd_presmtpd", "not set: qmail-run's default chain (greetdelay, rblsmtpd, fixsmtpio) runs")
        }
        facts.services.append(.init(name: name, role: .smtpd(smtpd)))
    }

    private mutating func readQmailRunPOP3D(_ file: InstallationFile, _ line: Int, _ values: [String: [String]], name: String, window: String?) {
        var pop3d = InstallationFacts.POP3D(runBy: .qmailRun)
        pop3d.checkpassword = "nbcheckpassword"
        for (variable, words) in values.sorted(by: { $0.key < $1.key }) {
            switch variable {
            case "postenv":
                let (store, others) = facts.readWindow(words.compactMap(Self.assignment), smtpSide: false)
                pop3d.store = store
                if let store, let window { facts.windows[facts.window(store: store)].name = window }
                for (other, value) in others { leaveOut(file, line, "\(other)=\(value)", "qmail-pop3d services take no environment") }
            case "pretcpserver", "prepop3d": for word in words { facts.note(program: word) }
            case "checkpassword":
                if let first = words.first {
                    let base = Self.basename(first)
                    pop3d.checkpassword = Catalog.program(named: base) != nil ? base : first
                    facts.note(program: first)
                }
            case "postpop3d": pop3d.maildir = words.first ?? "Maildir"
            case "tcphost": pop3d.listen = words.first
            case "tcpport": pop3d.port = words.first.flatMap { Int($0) } ?? 110
            default: leaveOut(file, line, "qmailpop3d_\(variable)=\"\(words.joined(separator: " "))\"", "the spec cannot say this variable")
            }
        }
        facts.services.append(.init(name: name, role: .pop3d(pop3d)))
    }

    // MARK: the SMTP chain

    /// `relay-ctrl-check [ifrelayclient env VAR=... --] wrapper... [qmail-smtpd args...]`.
    mutating func readChain(_ words: [String], into smtpd: inout InstallationFacts.SMTPD, file: InstallationFile, line: Int, endsWithServer: Bool) {
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
            if index < words.count { facts.env = facts.env ?? words[index]; index += 1 }
            while index < words.count, words[index] != "--" {
                if let setting = Self.assignment(words[index]) { settings.append(setting) }
                index += 1
            }
            index += 1
        }
        while index < words.count {
            let word = words[index]
            let name = Self.basename(word)
            if endsWithServer, name.hasPrefix("qmail-smtpd") {
                facts.note(program: word)
                smtpd.smtpdArgs = Array(words[(index + 1)...])
                index = words.count
                break
            }
            let rest = Array(words[(index + 1)...])
            let count = Self.argumentCount(of: name, in: rest)
            facts.note(program: word)
            let program = Catalog.program(named: name) != nil || facts.wrappers[name] == word ? name : name
            smtpd.chain.append(.init(program: program, args: Array(rest.prefix(count))))
            index += 1 + count
        }
        smtpd.relayClientEnvironment = attribute(settings, to: smtpd.chain)
    }

    /// How many of `rest` a program takes: by its grammar (the most words it reads that leave a
    /// program name next), else every word up to the next absolute path.
    static func argumentCount(of name: String, in rest: [String]) -> Int {
        let untilPath = rest.firstIndex { $0.hasPrefix("/") } ?? rest.count
        guard let grammar = Catalog.program(named: name)?.grammar, grammar != .runsItsArguments else { return untilPath }
        for count in stride(from: rest.count, through: 0, by: -1) {
            guard count == rest.count || rest[count].hasPrefix("/") else { continue }
            if case .success = grammar.read(Array(rest.prefix(count))) { return count }
        }
        return untilPath
    }

    /// ifrelayclient's settings: those a catalog wrapper of the chain asks for are its own; the
    /// others go to the user wrappers in chain order; what is left, to the service itself.
    private mutating func attribute(_ settings: [(String, String)], to chain: [InstallationFacts.Entry]) -> [(String, String)] {
        var cursor = 0
        var extra: [(String, String)] = []
        var assigned: [String: [(String, String)]] = [:]
        for (name, value) in settings {
            if let index = chain.indices.first(where: { index in
                guard case .environment(let list) = Catalog.program(named: chain[index].program)?.bypass else { return false }
                return list.contains { $0.name.value == name && $0.value.value == value }
            }) {
                if name != "RBLSMTPD" { cursor = max(cursor, index) }
                continue
            }
            if let index = chain.indices.first(where: { $0 >= cursor && Catalog.program(named: chain[$0].program) == nil }) {
                assigned[chain[index].program, default: []].append((name, value))
                cursor = index
            } else {
                extra.append((name, value))
            }
        }
        for (wrapper, settings) in assigned {
            for setting in settings where !(bypasses[wrapper] ?? []).contains(where: { $0.0 == setting.0 }) {
                bypasses[wrapper, default: []].append(setting)
            }
        }
        return extra
    }

    /// The env settings each user wrapper's bypass holds, by wrapper name.
    var bypasses: [String: [(String, String)]] = [:]

    // MARK: daemontools and runit

    private mutating func readRunScript(_ file: InstallationFile, service: String) {
        let lines = Self.logicalLines(file.text)
        var runBy: Supervisor = file.text.contains("# runit service") ? .runit : .daemontools
        if let existing = facts.services.firstIndex(where: { $0.name == service }), case .smtpd(let known) = facts.services[existing].role {
            runBy = known.runBy
        }
        guard let exec = lines.last(where: { $0.text.hasPrefix("exec ") && !$0.text.hasPrefix("exec 2>&1") }),
            let words = ShellWords.split(exec.text.dropFirst(5)), words.count > 2
        else {
            leaveOut(file, 1, "run", "no exec line that relaychain can read")
            return
        }
        for (_, line) in lines {
            if line.hasPrefix("QMAILDUID=$(id -u "), let end = line.lastIndex(of: ")") {
                facts.smtpUser = String(line[line.index(line.startIndex, offsetBy: 18)..<end])
            }
        }
        readServiceWords(words, file: file, line: exec.line, service: service, runBy: runBy)
    }

    /// A systemd unit's ExecStart: the same chain, with envuidgid in place of the run script's id.
    private mutating func readUnit(_ file: InstallationFile) {
        var name = Self.basename(file.path)
        name = String(name.dropLast(8))
        if name.hasPrefix("relaychain-") { name.removeFirst(11) }
        guard let exec = Self.logicalLines(file.text).first(where: { $0.text.hasPrefix("ExecStart=") }),
            let words = Self.systemdWords(exec.text.dropFirst(10))
        else {
            leaveOut(file, 1, "ExecStart", "no ExecStart line that relaychain can read")
            return
        }
        readServiceWords(words, file: file, line: exec.line, service: name, runBy: .systemd)
    }

    /// systemd's ExecStart words: double or single quotes, backslash escapes, `$$` and `%%`.
    static func systemdWords(_ text: Substring) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            if quote == nil, character == " " || character == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
                continue
            }
            inWord = true
            if let open = quote, character == open { quote = nil; continue }
            if quote == nil, character == "\"" || character == "'" { quote = character; continue }
            if character == "\\", index < text.endIndex {
                current.append(text[index])
                index = text.index(after: index)
                continue
            }
            if character == "$" || character == "%", index < text.endIndex, text[index] == character {
                index = text.index(after: index)
            }
            current.append(character)
        }
        guard quote == nil else { return nil }
        if inWord { words.append(current) }
        return words
    }

    private mutating func readServiceWords(
        _ words: [String], file: InstallationFile, line: Int, service: String, runBy: Supervisor
    ) {
        let exec = (line: line, text: words.joined(separator: " "))
        var index = 0
        if Self.basename(words[0]) == "env" { facts.env = facts.env ?? words[0]; index = 1 }
        if index < words.count, words[index] == "-" { index += 1 }
        var assignments: [(String, String)] = []
        while index < words.count, let setting = Self.assignment(words[index]) { assignments.append(setting); index += 1 }
        var datalimit: Int?
        while index < words.count, Self.basename(words[index]) != "tcpserver" {
            facts.note(program: words[index])
            if Self.basename(words[index]) == "envuidgid", index + 1 < words.count {
                facts.smtpUser = words[index + 1]
                index += 2
                continue
            }
            if Self.basename(words[index]) == "softlimit", index + 2 < words.count, words[index + 1] == "-m" {
                datalimit = Int(words[index + 2])
                index += 3
                continue
            }
            index += 1
        }
        guard index < words.count else {
            leaveOut(file, exec.line, exec.text, "no tcpserver in the exec line")
            return
        }
        facts.note(program: words[index])
        index += 1
        var concurrency: Int?
        while index < words.count, words[index].hasPrefix("-") {
            let option = words[index]
            if ["-c", "-x", "-u", "-g", "-l", "-b", "-B", "-t", "-I"].contains(option) {
                if option == "-c" { concurrency = Int(words[index + 1]) }
                index += 2
            } else {
                index += 1
            }
        }
        guard index + 1 < words.count else { return }
        let listen = words[index] == "0" ? nil : words[index]
        let port = Int(words[index + 1])
        let rest = Array(words[(index + 2)...])
        if rest.contains(where: { Self.basename($0) == "qmail-popup" }) {
            var pop3d = InstallationFacts.POP3D(runBy: runBy)
            pop3d.listen = listen
            pop3d.port = port ?? 110
            pop3d.store = facts.readWindow(assignments, smtpSide: false).store
            if rest.count >= 6 {
                facts.note(program: rest[0])
                pop3d.hostname = rest[1].hasPrefix("$(") || rest[1] == "%H" ? nil : rest[1]
                let base = Self.basename(rest[2])
                pop3d.checkpassword = Catalog.program(named: base) != nil && rest[2] == facts.programs[base] ? base : rest[2]
                for word in [rest[3], rest[4]] { facts.note(program: word) }
                pop3d.maildir = rest[5]
            }
            if let index = facts.services.firstIndex(where: { $0.name == service }) {
                // Its log/run came first and left a placeholder: runit or daemontools.
                if case .smtpd(let placeholder) = facts.services[index].role, placeholder.runBy == .runit { pop3d.runBy = .runit }
                facts.services[index].role = .pop3d(pop3d)
            } else {
                facts.services.append(.init(name: service, role: .pop3d(pop3d)))
            }
            return
        }
        var smtpd = InstallationFacts.SMTPD(runBy: runBy)
        smtpd.listen = listen
        smtpd.port = port ?? 25
        let (store, others) = facts.readWindow(assignments, smtpSide: true)
        smtpd.store = store
        smtpd.environment = others
        smtpd.datalimit = datalimit
        smtpd.concurrency = concurrency
        readChain(rest, into: &smtpd, file: file, line: exec.line, endsWithServer: true)
        merge(service, smtpd)
    }

    /// A run script and its tcp.rules or log/run may come in any order.
    private mutating func merge(_ name: String, _ smtpd: InstallationFacts.SMTPD) {
        if let index = facts.services.firstIndex(where: { $0.name == name }), case .smtpd(let earlier) = facts.services[index].role {
            var merged = smtpd
            merged.relayNetworks = earlier.relayNetworks
            merged.rules = earlier.rules
            merged.logCommand = earlier.logCommand
            if earlier.runBy == .runit, merged.runBy == .daemontools { merged.runBy = .runit }
            facts.services[index].role = .smtpd(merged)
        } else {
            facts.services.append(.init(name: name, role: .smtpd(smtpd)))
        }
    }

    private mutating func smtpdPart(_ name: String, _ update: (inout InstallationFacts.SMTPD) -> Void) {
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
            facts.services.append(.init(name: name, role: .smtpd(smtpd)))
        }
    }

    private mutating func readLogRun(_ file: InstallationFile, service: String) {
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
        let isStandard = command.count == 3 && Self.basename(command[0]) == standard[0] && Array(command.dropFirst()) == Array(standard.dropFirst())
        smtpdPart(service) { smtpd in
            if runit { smtpd.runBy = .runit }
            if !isStandard { smtpd.logCommand = command }
        }
    }

    /// systemd services keep their rules in systemd/<service>/tcp.rules.
    private func runBy(of path: String) -> Supervisor? {
        path.split(separator: "/").contains("systemd") ? .systemd : nil
    }

    private mutating func readRules(_ file: InstallationFile, service: String, runBy: Supervisor?) {
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

    // MARK: Dovecot

    private mutating func readDovecot1(_ file: InstallationFile) {
        var version = "1.1"
        if let range = file.text.range(of: #"# Dovecot (1\.[0-9.]+):"#, options: .regularExpression) {
            version = String(file.text[range].dropFirst(10).dropLast())
        }
        var protocols: [String] = []
        var store: String?
        var current: String?
        for (number, raw) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("protocol "), let name = line.split(separator: " ").dropFirst().first { current = String(name) }
            guard line.hasPrefix("mail_executable") else { continue }
            let value = line.dropFirst(15).trimmingPrefix(while: { $0 == " " || $0 == "=" || $0 == ":" })
            let words = value.split(separator: " ").map(String.init)
            guard let last = words.last else { continue }
            var index = 0
            if Self.basename(words[0]) == "env" { facts.env = facts.env ?? words[0]; index = 1 }
            var assignments: [(String, String)] = []
            while index < words.count, let setting = Self.assignment(words[index]) { assignments.append(setting); index += 1 }
            store = facts.readWindow(assignments, smtpSide: false).store ?? store
            for word in words[index...].dropLast() { facts.note(program: word) }
            facts.dovecotLibexec = Self.dirname(last)
            let mailProtocol = current ?? Self.basename(last)
            if !protocols.contains(mailProtocol) { protocols.append(mailProtocol) }
            _ = number
        }
        if !file.text.contains("# Dovecot 1.") {
            leaveOut(file, 1, "Dovecot version", "not in the file; 1.1 assumed (mail_executable means 1.0-1.2)")
        }
        let name = Self.serviceName(fromFragment: file.path) ?? protocols.first ?? "imap"
        facts.services.append(.init(name: name, role: .dovecot(.init(version: version, protocols: protocols, store: store))))
    }

    static func serviceName(fromFragment path: String) -> String? {
        let base = basename(path)
        guard base.hasPrefix("relaychain-"), base.hasSuffix(".conf") else { return nil }
        return String(base.dropFirst(11).dropLast(5))
    }

    private mutating func readDovecot2(_ file: InstallationFile) {
        var version = file.text.contains("$SET:") ? "2.4" : "2.3"
        if let range = file.text.range(of: #"# Dovecot (2\.[0-9.]+):"#, options: .regularExpression) {
            version = String(file.text[range].dropFirst(10).dropLast())
        }
        var protocols: [String] = []
        var script: String?
        var user: String?
        var block: String?
        for raw in file.text.split(separator: "\n") {
            let line = raw.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("service "), let name = line.split(separator: " ").dropFirst().first { block = String(name) }
            if line.hasPrefix("executable = "), let block {
                let words = line.dropFirst(13).split(separator: " ").map(String.init)
                if ["imap", "pop3"].contains(block), words.count == 2 { protocols.append(block) }
                if words.first == "script-login", words.count >= 2 { script = words.last }
            }
            if line.hasPrefix("user = ") {
                let value = String(line.dropFirst(7))
                user = value.hasSuffix("default_internal_user") ? nil : value
            }
        }
        guard let script else {
            leaveOut(file, 1, "service", "a post-login service without a script relaychain can read")
            return
        }
        facts.libexec = Self.dirname(script)
        var name = Self.basename(script)
        if name.hasSuffix("-postlogin") { name.removeLast(10) }
        if let index = facts.services.firstIndex(where: { $0.name == name }), case .dovecot(var known) = facts.services[index].role {
            known.version = version
            known.protocols = protocols
            known.postLoginUser = user
            facts.services[index].role = .dovecot(known)
        } else {
            facts.services.append(.init(name: name, role: .dovecot(.init(version: version, protocols: protocols, postLoginUser: user))))
        }
    }

    private mutating func readPostLogin(_ file: InstallationFile) {
        var name = Self.basename(file.path)
        if name.hasSuffix("-postlogin") { name.removeLast(10) }
        for (_, line) in Self.logicalLines(file.text) where line.contains("relay-ctrl-allow") {
            guard let words = ShellWords.split(Substring(line.trimmingPrefix(while: { $0 == " " }))) else { continue }
            let assignments = words.compactMap(Self.assignment).filter { $0.0 != "TCPREMOTEIP" }
            let store = facts.readWindow(assignments, smtpSide: false).store
            for word in words where word.hasPrefix("/") { facts.note(program: word) }
            if let index = facts.services.firstIndex(where: { $0.name == name }), case .dovecot(var known) = facts.services[index].role {
                known.store = store
                facts.services[index].role = .dovecot(known)
            } else {
                facts.services.append(.init(name: name, role: .dovecot(.init(version: "2.3", protocols: [], store: store))))
            }
        }
    }

    // MARK: cron

    private mutating func readCron(_ file: InstallationFile) {
        for (number, raw) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            guard !line.hasPrefix("#"), line.contains("relay-ctrl-age"),
                let words = ShellWords.split(Substring(line.replacing("\\%", with: "%")))
            else { continue }
            guard words.count > 6 else { continue }
            facts.sawCron = true
            var index = 5
            if !words[index].hasPrefix("/") { facts.cronWithUser = true; facts.smtpUser = facts.smtpUser ?? words[index]; index += 1 }
            if words.prefix(5) != ["*", "*", "*", "*", "*"] {
                leaveOut(file, number + 1, line, "a schedule other than every minute")
            }
            var assignments: [(String, String)] = []
            for word in words[index...] {
                if let setting = Self.assignment(word) { assignments.append(setting) } else if word.hasPrefix("/") { facts.note(program: word) }
            }
            _ = facts.readWindow(assignments, smtpSide: false)
        }
    }
}
