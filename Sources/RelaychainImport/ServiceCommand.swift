/// What a supervised service runs, once the programs that only build its environment have run:
/// `env [-] VAR=value`, `envdir DIR` (with the directory's files when they were given),
/// `chpst -e DIR` and `sh -c 'script' [name args]`. Two run scripts start the same command when
/// their `ServiceCommand`s are equal, however each writes it.
struct ServiceCommand: Equatable {
    /// The variables the command is given by the script and the programs before it, in the
    /// order they were first set.
    var environment: [ShellRun.Setting] = []
    /// `env` as the command names it.
    var environmentProgram: String?
    /// tcpserver as the command names it.
    var tcpserverPath: String?
    /// `env -` ran: nothing of the supervisor's environment reaches the command.
    var clearsEnvironment = false
    /// The programs before tcpserver, with their arguments (softlimit, relay-ctrl-chdir...).
    var before: [ShellText] = []
    var tcpserver: TcpserverCommand?
    /// The whole command when it runs no tcpserver.
    var words: [ShellText] = []
    var errorsToOutput = false
    var line: Int
    var problems: [ShellRun.Problem] = []
    /// The given files it read (envdir's, those `sh -c` sourced).
    var consumed: Set<String> = []

    static func == (left: ServiceCommand, right: ServiceCommand) -> Bool {
        left.variables == right.variables && left.before == right.before && left.tcpserver == right.tcpserver
            && left.words == right.words
    }

    var variables: [String: ShellText] {
        Dictionary(environment.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    mutating func set(_ name: String, _ value: ShellText?) {
        guard let value else {
            environment.removeAll { $0.name == name }
            return
        }
        if let index = environment.firstIndex(where: { $0.name == name }) {
            environment[index].value = value
        } else {
            environment.append(.init(name: name, value: value))
        }
    }

    /// Files given with the installation, by path, for `envdir` and `sh -c` to read.
    struct Context {
        var files: [String: String]
        /// The run script's directory, which relative paths are taken from.
        var serviceDirectory: String
    }

    static func resolve(_ run: ShellRun, in context: Context) -> ServiceCommand? {
        guard let command = run.command else { return nil }
        var resolved = ServiceCommand(line: command.line, problems: run.problems)
        resolved.errorsToOutput = run.errorsToOutput
        for setting in run.environment { resolved.set(setting.name, setting.value) }
        var words = command.words[...]
        var depth = 0
        while let first = words.first?.known, depth < ShellEvaluator.maximumDepth {
            depth += 1
            switch InstallationReader.basename(first) {
            case "env":
                resolved.environmentProgram = resolved.environmentProgram ?? first
                words = words.dropFirst()
                while let word = words.first?.known, word == "-" || word == "-i" || word.hasPrefix("-") && word != "--"
                {
                    if word == "-" || word == "-i" {
                        resolved.clearsEnvironment = true
                        resolved.environment = []
                    }
                    words = words.dropFirst()
                }
                if words.first?.known == "--" { words = words.dropFirst() }
                while let word = words.first, let setting = Self.assignment(word) {
                    resolved.set(setting.name, setting.value)
                    words = words.dropFirst()
                }
                continue
            case "envdir" where words.count > 2:
                resolved.readDirectory(words[words.startIndex + 1], context: context, line: command.line)
                words = words.dropFirst(2)
                continue
            case "chpst" where words.count > 3 && words[words.startIndex + 1].known == "-e":
                resolved.readDirectory(words[words.startIndex + 2], context: context, line: command.line)
                words = words.dropFirst(3)
                continue
            // One `where` for the three names: on a list of patterns it would guard only the last.
            case let shell
            where ["sh", "bash", "dash"].contains(shell) && words.count > 2
                && words[words.startIndex + 1].known == "-c":
                guard let inner = resolved.runInner(words, context: context, line: command.line) else {
                    return resolved
                }
                words = inner
                continue
            default: break
            }
            break
        }
        let tcpserver = words.firstIndex { word in
            word.known.flatMap { SuperServer(rawValue: InstallationReader.basename($0)) } != nil
        }
        guard let tcpserver,
            let server = words[tcpserver].known.flatMap({
                SuperServer(rawValue: InstallationReader.basename($0))
            })
        else {
            let names = words.compactMap { $0.known.map(InstallationReader.basename) }
            if let other = names.first(where: { Self.otherServers[$0] != nil }), let what = Self.otherServers[other] {
                resolved.problems.append(
                    .init(
                        line: command.line,
                        reason: "runs \(other) (\(what)), which the spec cannot say: builds run tcpserver"))
            }
            resolved.words = Array(words)
            return resolved
        }
        resolved.before = Array(words[..<tcpserver])
        resolved.tcpserverPath = words[tcpserver].known
        switch TcpserverCommand.parse(words[(tcpserver + 1)...], server: server) {
        case .success(var parsed):
            resolved.takeAccount(from: &parsed)
            resolved.tcpserver = parsed
        case .failure(let refusal):
            resolved.problems.append(
                .init(line: command.line, reason: "\(server.rawValue) would refuse this: \(refusal.reason)"))
            resolved.words = Array(words)
        }
        return resolved
    }

    /// Other super-servers a run script may start instead of tcpserver, by the package they come from.
    static let otherServers = [
        "tcpsvd": "ipsvd or BusyBox", "s6-tcpserver": "s6-networking",
        "s6-tcpserver4": "s6-networking", "s6-tcpserver6": "s6-networking", "inetd": "inetd", "xinetd": "xinetd",
    ]

    /// `envuidgid NAME ... tcpserver -U` is `tcpserver -u <uid of NAME> -g <gid of NAME>`, as
    /// builds write it for daemontools and runit: one account, however it is said.
    mutating func takeAccount(from tcpserver: inout TcpserverCommand) {
        guard tcpserver.switches.contains("U"), tcpserver.values["u"] == nil, tcpserver.values["g"] == nil,
            let index = before.firstIndex(where: { $0.known.map(InstallationReader.basename) == "envuidgid" }),
            index + 1 < before.count, let account = before[index + 1].known
        else { return }
        before.removeSubrange(index...(index + 1))
        tcpserver.switches.remove("U")
        tcpserver.values["u"] = ShellText(.userID(account))
        tcpserver.values["g"] = ShellText(.groupID(account))
    }

    static func assignment(_ word: ShellText) -> ShellRun.Setting? {
        guard case .text(let text)? = word.pieces.first, let equals = text.firstIndex(of: "="),
            equals != text.startIndex, text[..<equals].allSatisfy(ShellLexer.isNameCharacter),
            text.first?.isNumber == false
        else { return nil }
        var value = ShellText(String(text[text.index(after: equals)...]))
        for piece in word.pieces.dropFirst() {
            value.append(
                piece.isText ? ShellText(TcpserverCommand.text(piece)) : ShellText(TcpserverCommand.runtime(piece)))
        }
        return .init(name: String(text[..<equals]), value: value)
    }

    /// envdir's rule: each file sets the variable of its name to its first line (trailing blanks
    /// removed, NUL as newline); an empty file removes the variable.
    mutating func readDirectory(_ directory: ShellText, context: Context, line: Int) {
        guard let path = directory.known else {
            problems.append(.init(line: line, reason: "envdir reads \(directory), a directory known only at run time"))
            return
        }
        let found = Self.files(in: path, context: context)
        guard !found.isEmpty else {
            problems.append(
                .init(line: line, reason: "envdir \(path): its files were not given, so what it sets is not known"))
            return
        }
        for (path, _) in Self.paths(in: path, context: context) { consumed.insert(path) }
        for (name, text) in found {
            if text.isEmpty {
                set(name, nil)
                continue
            }
            let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            var value = String(firstLine)
            while value.last == " " || value.last == "\t" { value.removeLast() }
            set(name, ShellText(value.replacing("\0", with: "\n")))
        }
    }

    /// The files directly in `directory` (absolute, or relative to the service directory).
    static func files(in directory: String, context: Context) -> [(String, String)] {
        paths(in: directory, context: context).map { (InstallationReader.basename($0.0), $0.1) }
    }

    static func paths(in directory: String, context: Context) -> [(String, String)] {
        var wanted = directory
        if wanted.hasPrefix("./") { wanted.removeFirst(2) }
        if !wanted.hasPrefix("/") {
            wanted = context.serviceDirectory == "." ? wanted : context.serviceDirectory + "/" + wanted
        }
        while wanted.hasSuffix("/"), wanted.count > 1 { wanted.removeLast() }
        let relative = wanted.hasPrefix("/") ? String(wanted.dropFirst()) : wanted
        return context.files.compactMap { path, text in
            let parent = InstallationReader.dirname(path)
            let matches = parent == wanted || parent == relative || parent.hasSuffix("/" + relative)
            return matches ? (path, text) : nil
        }.sorted { $0.0 < $1.0 }
    }

    /// `sh -c 'script' [name args...]`: the script read and run with what is known so far.
    mutating func runInner(_ words: ArraySlice<ShellText>, context: Context, line: Int) -> ArraySlice<ShellText>? {
        let scriptWord = words[words.startIndex + 2]
        guard let text = scriptWord.known else {
            problems.append(.init(line: line, reason: "sh -c runs a script known only at run time"))
            return nil
        }
        let script: ShellScript
        switch ShellParser.parse(text) {
        case .success(let parsed): script = parsed
        case .failure(let error):
            problems.append(.init(line: line, reason: "sh -c runs a script relaychain cannot read: \(error.message)"))
            return nil
        }
        var state = ShellEvaluator.State()
        for setting in environment {
            state.variables[setting.name] = .some(setting.value)
            state.exportOrder.append(setting.name)
        }
        let positional = Array(words.dropFirst(3))
        state.positional = positional.isEmpty ? [ShellText("sh")] : positional
        var evaluator = ShellEvaluator()
        evaluator.files = context.files
        let inner = evaluator.run(script, from: state)
        for problem in inner.problems { problems.append(.init(line: line, reason: "in sh -c: \(problem.reason)")) }
        consumed.formUnion(evaluator.consumed)
        guard let command = inner.command else {
            problems.append(.init(line: line, reason: "sh -c runs a script that starts no command"))
            return nil
        }
        for setting in inner.environment { set(setting.name, setting.value) }
        if inner.errorsToOutput { errorsToOutput = true }
        return command.words[...]
    }
}
