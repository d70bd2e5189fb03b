import RelaychainCore

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
    /// The env settings each user wrapper's bypass holds, by wrapper name.
    var bypasses: [String: [(String, String)]] = [:]
    /// Every file given, by path: what `. FILE`, envdir and `sh -c` may read.
    var files: [String: String] = [:]
    /// Files read through a run script, and those no reader took.
    var consumed: Set<String> = []
    var unread: [InstallationFile] = []

    static func basename(_ path: String) -> String { String(path.split(separator: "/").last ?? "") }
    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func assignment(_ word: String) -> (String, String)? {
        guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return nil }
        let name = word[..<equals]
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
            name.first?.isNumber == false
        else {
            return nil
        }
        return (String(name), String(word[word.index(after: equals)...]))
    }

    mutating func leaveOut(_ file: InstallationFile, _ line: Int, _ text: String, _ reason: String) {
        facts.leftOut.append(.init(file: file.path, line: line, text: text, reason: reason))
    }

    mutating func read(_ files: [InstallationFile]) {
        // Hints first (setup's comments name the windows), then the services, then the rest.
        self.files = Dictionary(files.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
        // Rules last: a run script's -x says which service a tcp.smtp belongs to.
        let ordered =
            files.filter { isSetup($0) } + files.filter { !isSetup($0) && !isRules($0) } + files.filter(isRules)
        for file in ordered { read(file) }
        // A file a run script reads (`. FILE`, envdir's directory) was read through it.
        for file in unread where !consumed.contains(file.path) {
            leaveOut(file, 1, Self.basename(file.path), "not a file relaychain knows how to read")
        }
        settleBypasses()
    }

    /// tcprules sources: `tcp.rules`, `<service>.rules`, and `tcp.<service>` as LWQ, Debian and
    /// the toasters name them (not the compiled `.cdb`).
    func isRules(_ file: InstallationFile) -> Bool {
        let name = Self.basename(file.path)
        return name.hasSuffix(".rules") || name.hasPrefix("tcp.") && !name.hasSuffix(".cdb") && !name.hasSuffix(".tmp")
    }

    /// The service a `tcp.<name>` file belongs to: the one whose tcpserver -x compiles it, else `<name>`.
    func service(ofRules name: String) -> String {
        let compiled = name + ".cdb"
        let user = facts.commands.first { imported in
            imported.command.tcpserver?.values["x"]?.known.map { Self.basename($0) == compiled } ?? false
        }
        return user?.service ?? String(name.dropFirst(4))
    }

    func isSetup(_ file: InstallationFile) -> Bool {
        Self.basename(file.path) == "setup" && file.text.contains("\nneed_user ") || file.text.contains("\nfinish\n")
    }

    mutating func read(_ file: InstallationFile) {
        facts.reading = (file.path, file.text)
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
            readRules(
                file, service: name == "tcp.rules" ? parent : String(name.dropLast(6)), runBy: runBy(of: file.path))
        } else if isRules(file) {
            readRules(file, service: service(ofRules: name), runBy: runBy(of: file.path))
        } else if name.hasSuffix(".acl"), parent == "redis" {
            readACL(file)
        } else if file.text.contains("mail_executable") {
            readDovecot1(file)
        } else if file.text.contains("relay-ctrl-allow"), file.text.contains("exec \"$@\"") {
            readPostLogin(file)
        } else if file.text.contains("script-login") {
            readDovecot2(file)
        } else if file.text.contains("relay-ctrl-age") {
            readCron(file)
        } else {
            unread.append(file)
        }
    }

    /// build's Redis ACL lines: the spec says them through the window's users and prefix, so only
    /// a line of another shape is left out.
    mutating func readACL(_ file: InstallationFile) {
        // +set is what builds before SETEX wrote for the writer.
        let shape =
            #/
            user\ ([A-Za-z0-9._-]+)\ on\ ~([A-Za-z0-9:._\/-]+)\*\ resetchannels\ -@all
            \ \+(setex|set|get|scan\ \+get)(\ \+select)?
            /#
        for (number, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") || line == "user default off" { continue }
            if let match = line.wholeMatch(of: shape) {
                // The users of the window with this prefix (a side may be missing from the files).
                var users = facts.redisUsers[String(match.2)] ?? (nil, nil, nil, nil)
                users.window = String(Self.basename(file.path).dropLast(4))
                switch match.3 {
                case "get": users.reader = String(match.1)
                case "scan +get": users.auditor = String(match.1)
                default: users.writer = String(match.1)
                }
                facts.redisUsers[String(match.2)] = users
                continue
            }
            leaveOut(file, number + 1, String(line), "an ACL line that relaychain does not write")
        }
    }

    /// Lines without comments, continuation lines joined, with their first line numbers.
    static func logicalLines(_ text: String) -> [(line: Int, text: String)] {
        var result: [(Int, String)] = []
        var pending: (Int, String)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            var current = pending.map { ($0.0, $0.1 + " " + line) } ?? (index + 1, line)
            if line.hasSuffix("\\") {
                current.1.removeLast()
                pending = current
                continue
            }
            result.append(current)
            pending = nil
        }
        if let pending { result.append(pending) }
        return result
    }

    // MARK: relaychain's setup: where it installs things and what the windows are called

    mutating func readSetup(_ file: InstallationFile) {
        var window: String?
        for (_, line) in Self.logicalLines(file.text) {
            if line.hasPrefix("# Store of window '"), let end = line.dropFirst(19).firstIndex(of: "'") {
                window = String(line.dropFirst(19)[..<end])
                continue
            }
            guard let words = ShellWords.split(Substring(line.trimmingPrefix(while: { $0 == " " }))), words.count >= 2
            else { continue }
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

    // MARK: cron

    mutating func readCron(_ file: InstallationFile) {
        // A cron.hourly (or daily) script is sh run by run-parts, not crontab lines.
        if file.path.split(separator: "/").contains(where: { $0.hasPrefix("cron.") && $0 != "cron.d" })
            || file.text.hasPrefix("#!")
        {
            let line =
                file.text.split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.contains("relay-ctrl-age") }.map { $0 + 1 } ?? 1
            leaveOut(
                file, line, Self.text(of: line, in: file),
                "a script that run-parts or another program runs; builds run relay-ctrl-age from a cron.d line "
                    + "every minute")
            return
        }
        // A crontab's NAME=value lines set the environment of the lines after them.
        var environment: [(String, String)] = []
        for (number, raw) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if let setting = Self.crontabSetting(line) {
                environment.removeAll { $0.0 == setting.0 }
                environment.append(setting)
                continue
            }
            guard !line.trimmingPrefix(while: { $0 == " " || $0 == "\t" }).hasPrefix("#"),
                line.contains("relay-ctrl-age")
            else { continue }
            guard let words = ShellWords.split(Substring(line.replacing("\\%", with: "%"))), words.count > 5 else {
                leaveOut(file, number + 1, line, "a crontab line relaychain cannot read")
                continue
            }
            facts.sawCron = true
            var index = 5
            if !words[index].hasPrefix("/"), !words[index].contains("="), words[index] != "relay-ctrl-age",
                words[index] != "envdir", index + 1 < words.count
            {
                facts.cronWithUser = true
                if words[index] != "root" {
                    leaveOut(
                        file, number + 1, "\(words[index]) \(words[index + 1])",
                        "builds run relay-ctrl-age as root (only root may enter the store's parent)")
                }
                index += 1
            }
            let everyMinute: Set<String> = ["*", "*/1", "0-59", "0-59/1"]
            if !everyMinute.contains(words[0]) || words[1...4].contains(where: { $0 != "*" }) {
                leaveOut(
                    file, number + 1, words.prefix(5).joined(separator: " "),
                    "a schedule other than every minute (builds run relay-ctrl-age every minute)")
            }
            var assignments: [(String, String)] = []
            while index < words.count {
                let word = words[index]
                index += 1
                if let setting = Self.assignment(word) {
                    assignments.append(setting)
                } else if Self.basename(word) == "envdir", index < words.count {
                    assignments += envdirSettings(words[index], file: file, line: number + 1)
                    index += 1
                } else if word.hasPrefix("/") {
                    facts.note(program: word)
                } else if word != "relay-ctrl-age", word != "-" {
                    leaveOut(file, number + 1, word, "a word of the cron line that the spec cannot say")
                }
            }
            // The line's own settings come first: readWindow takes the first of each name.
            _ = facts.readWindow(assignments + environment, smtpSide: false)
        }
    }

    /// `NAME=value`, `NAME = "value"` or `NAME='value'` on a crontab line of its own.
    static func crontabSetting(_ line: String) -> (String, String)? {
        guard let match = line.wholeMatch(of: #/([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*?)[ \t]*/#) else {
            return nil
        }
        var value = String(match.2)
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            value = String(value.dropFirst().dropLast())
        }
        return (String(match.1), value)
    }

    /// The variables `envdir DIR` sets (each file's first line), when DIR's files were given;
    /// otherwise a line left out, since the window they set is not known.
    mutating func envdirSettings(_ directory: String, file: InstallationFile, line: Int) -> [(String, String)] {
        let found = ServiceCommand.paths(
            in: directory, context: .init(files: files, serviceDirectory: Self.dirname(file.path)))
        if found.isEmpty {
            leaveOut(
                file, line, "envdir \(directory)",
                "its files were not given, so the window it sets (RELAY_CTRL_EXPIRY...) is not known")
        }
        return found.map { path, text in
            consumed.insert(path)
            return (
                Self.basename(path), String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            )
        }
    }
}
