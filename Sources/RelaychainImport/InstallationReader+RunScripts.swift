import RelaychainCore

/// Run scripts read as sh (`ShellParser`, `ShellEvaluator`), then the command they start read
/// as tcpserver reads it. Each part the spec cannot say is left out at its line, with why; a
/// left-out part contributes nothing to the spec.
extension InstallationReader {
    /// What our own builds give tcpserver: `-v -R`, the other choices at their defaults.
    static let builtChoices: [String: Character] = TcpserverCommand.defaults.merging(
        ["verbosity": "v", "remote info": "R"], uniquingKeysWith: { _, built in built })

    static func text(of line: Int, in file: InstallationFile) -> String {
        let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return Self.basename(file.path) }
        let text = lines[line - 1].drop { $0 == " " || $0 == "\t" }
        return String(text.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    mutating func readRunScript(_ file: InstallationFile, service: String) {
        var runBy: Supervisor = file.text.contains("# runit service") ? .runit : .daemontools
        if let existing = facts.services.firstIndex(where: { $0.name == service }),
            case .smtpd(let known) = facts.services[existing].role
        {
            runBy = known.runBy
        }
        let script: ShellScript
        switch ShellParser.parse(file.text) {
        case .success(let parsed): script = parsed
        case .failure(let error):
            leaveOut(
                file, error.line, Self.text(of: error.line, in: file), "not sh relaychain can read: \(error.message)")
            return
        }
        var evaluator = ShellEvaluator()
        evaluator.files = files
        let run = evaluator.run(script, from: ShellEvaluator.State(positional: [ShellText("./run")]))
        let context = ServiceCommand.Context(files: files, serviceDirectory: Self.dirname(file.path))
        guard let command = ServiceCommand.resolve(run, in: context) else {
            for problem in run.problems {
                leaveOut(file, problem.line, Self.text(of: problem.line, in: file), problem.reason)
            }
            leaveOut(file, 1, Self.basename(file.path), "starts no command that relaychain can read")
            return
        }
        for problem in command.problems {
            leaveOut(file, problem.line, Self.text(of: problem.line, in: file), problem.reason)
        }
        consumed.formUnion(command.consumed.union(evaluator.consumed))
        facts.commands.append(.init(service: service, file: file.path, command: command))
        readServiceCommand(command, file: file, service: service, runBy: runBy)
    }

    /// The words a service's command holds where the spec needs text: a value known only at run
    /// time is left out (and the words without it returned).
    mutating func knownWords(_ words: [ShellText], file: InstallationFile, line: Int, what: String) -> [String] {
        var known: [String] = []
        for word in words {
            guard let text = word.known else {
                let sources = word.runtimeValues.map(\.description).joined(separator: ", ")
                leaveOut(file, line, word.description, "\(what) known only at run time (\(sources))")
                continue
            }
            known.append(text)
        }
        return known
    }

    mutating func readServiceCommand(
        _ command: ServiceCommand, file: InstallationFile, service: String, runBy: Supervisor
    ) {
        let line = command.line
        guard let tcpserver = command.tcpserver, let tcpserverPath = command.tcpserverPath else {
            leaveOut(file, line, Self.text(of: line, in: file), "starts no tcpserver")
            return
        }
        var assignments: [(String, String)] = []
        for setting in command.environment {
            guard let value = setting.value.known else {
                let sources = setting.value.runtimeValues.map(\.description).joined(separator: ", ")
                leaveOut(file, line, "\(setting.name)=\(setting.value)", "a value known only at run time (\(sources))")
                continue
            }
            assignments.append((setting.name, value))
        }
        if let env = command.environmentProgram { facts.env = facts.env ?? env }
        let datalimit = readBeforeTcpserver(command.before, file: file, line: line)
        facts.note(program: tcpserverPath)
        let options = readTcpserverOptions(tcpserver, file: file, line: line)
        let host = knownWords([tcpserver.host], file: file, line: line, what: "tcpserver's address").first
        let port = knownWords([tcpserver.port], file: file, line: line, what: "tcpserver's port").first.flatMap {
            Int($0)
        }
        var program = tcpserver.program
        // qmail-popup's host name from `hostname` or `uname -n` is what builds write when none is said.
        if let popup = program.firstIndex(where: { $0.known.map { Self.basename($0) == "qmail-popup" } ?? false }),
            popup + 1 < program.count, program[popup + 1] == ShellText(.hostName)
        {
            program[popup + 1] = ShellText("$(uname -n)")
        }
        let rest = knownWords(program, file: file, line: line, what: "a word of the chain")
        guard rest.count == program.count, let host, let port else { return }
        let listen = host == "0" ? nil : host
        if rest.contains(where: { Self.basename($0) == "qmail-popup" }) {
            guard tcpserver.server == .tcpserver else {
                leaveOut(
                    file, line, tcpserverPath,
                    "qmail-pop3d under sslserver (POP3 over TLS): the spec runs qmail-pop3d under tcpserver only")
                return
            }
            readPOP3D(rest, service: service, runBy: runBy, listen: listen, port: port, assignments: assignments)
            return
        }
        var smtpd = InstallationFacts.SMTPD(runBy: runBy)
        smtpd.listen = listen
        smtpd.port = port
        var (store, others) = facts.readWindow(assignments, smtpSide: true)
        smtpd.store = store
        if tcpserver.server == .sslserver {
            // sslserver reads its files from these; the spec says them under tls.
            var files: [TLSFile: String] = [:]
            for file in TLSFile.allCases {
                guard let index = others.firstIndex(where: { $0.0 == file.variable }) else { continue }
                files[file] = others.remove(at: index).1
            }
            smtpd.tls = (files, options.starttls)
        }
        smtpd.environment = others
        smtpd.datalimit = datalimit
        smtpd.concurrency = options.concurrency
        smtpd.localName = options.localName
        smtpd.remoteHost = options.remoteHost
        smtpd.remoteInfo = options.remoteInfo
        smtpd.backlog = options.backlog
        smtpd.rulesCDB = options.rulesCDB
        readChain(rest, into: &smtpd, file: file, line: line, endsWithServer: true)
        merge(service, smtpd)
    }

    /// softlimit's `-m` is the spec's datalimit; envuidgid names the SMTP account (systemd);
    /// relay-ctrl-chdir is relaychain's. Any other program before tcpserver is left out.
    mutating func readBeforeTcpserver(_ before: [ShellText], file: InstallationFile, line: Int) -> Int? {
        var datalimit: Int?
        var index = 0
        while index < before.count {
            guard let word = before[index].known else {
                leaveOut(file, line, before[index].description, "a program known only at run time")
                index += 1
                continue
            }
            facts.note(program: word)
            index += 1
            switch Self.basename(word) {
            case "softlimit":
                while index < before.count, let option = before[index].known, option.hasPrefix("-") {
                    let value = index + 1 < before.count ? before[index + 1] : ShellText()
                    if option == "-m", let limit = value.known.flatMap({ Int($0) }) {
                        datalimit = limit
                    } else if option == "-m" {
                        leaveOut(file, line, "softlimit -m \(value)", "a data limit known only at run time")
                    } else {
                        leaveOut(
                            file, line, "softlimit \(option) \(value)", "the spec says only softlimit's -m (datalimit)")
                    }
                    index += 2
                }
            case "envuidgid" where index < before.count:
                facts.smtpUser = before[index].known ?? facts.smtpUser
                index += 1
            case "relay-ctrl-chdir": break
            default:
                leaveOut(file, line, word, "a program before tcpserver that the spec cannot say")
                while index < before.count, !(before[index].known?.hasPrefix("/") ?? false) { index += 1 }
            }
        }
        return datalimit
    }

    /// What a service's tcpserver options say in the spec.
    struct TcpserverSettings {
        var concurrency: Concurrency?
        var localName: LocalName?
        var remoteHost: RemoteHostLookup?
        var rulesCDB: String?
        var backlog: Int?
        /// sslserver's -n.
        var starttls = false
        var remoteInfo: RemoteInfo?
    }

    /// The options the spec can say come back through it (-h/-H/-p as remote-host, -c as
    /// concurrency, -l as local-name, the account of -u and -g as smtp-user); each other one
    /// is left out by name.
    mutating func readTcpserverOptions(
        _ tcpserver: TcpserverCommand, file: InstallationFile, line: Int
    ) -> TcpserverSettings {
        var settings = TcpserverSettings()
        var choices = tcpserver.choices
        switch (choices["remote host"], choices["paranoid"]) {
        case ("H", "P"): settings.remoteHost = .skip
        case ("h", "p"): settings.remoteHost = .paranoid
        default: break
        }
        if settings.remoteHost != nil { (choices["remote host"], choices["paranoid"]) = ("h", "P") }
        let server = tcpserver.server.rawValue
        // Ident lookups (-r, tcpserver's default) and their timeout are the spec's remote-info.
        let lookups = choices["remote info"] == "r"
        if lookups {
            choices["remote info"] = "R"
            let timeout = tcpserver.values["t"]?.known.flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil }
            settings.remoteInfo = .lookup(timeout: timeout)
        }
        if tcpserver.server == .sslserver {
            settings.starttls = choices.removeValue(forKey: "STARTTLS") == "n"
            if choices.removeValue(forKey: "TCP environment") != "e" {
                leaveOut(
                    file, line, "sslserver without -e",
                    "sslserver sets TCPREMOTEIP only with -e, so relay-ctrl-check would find no client "
                        + "(or one its own environment names); builds write -e")
            }
        }
        let built = Self.builtChoices.merging(tcpserver.server.defaults, uniquingKeysWith: { built, _ in built })
        for (choice, flag) in choices.sorted(by: { $0.key < $1.key }) where built[choice] != flag {
            let written = built[choice].map { "-\($0)" } ?? "its default"
            leaveOut(
                file, line, "\(server) -\(flag)",
                "the spec cannot say \(server)'s \(choice) choice (builds write \(written))")
        }
        for flag in tcpserver.switches.sorted() where flag != "U" {
            let reason =
                flag == "X"
                ? "builds never write -X: with it, a missing rules cdb lets every client in without its rules "
                    + "(the deny rules too), where without it \(server) refuses them"
                : "the spec cannot say this \(server) option"
            leaveOut(file, line, "\(server) -\(flag)", reason)
        }
        var account: String?
        for (flag, value) in tcpserver.values.sorted(by: { $0.key < $1.key }) {
            let option = "\(server) -\(flag) \(value)"
            switch (flag, value.known, value.runtimeValues.count == 1 ? value.runtimeValues.first : nil) {
            case ("c", let known?, _) where Int(known).map({ $0 >= 1 }) ?? false:
                settings.concurrency = Int(known).map(Concurrency.count)
            case ("c", nil, .fileContents(let path)?) where value.pieces.count == 1:
                settings.concurrency = .contentsOf(path)
            case ("c", _, let source?):
                leaveOut(file, line, option, "the spec cannot say a concurrency read at start this way (\(source))")
            case ("b", let known?, _) where Int(known).map({ $0 >= 1 }) ?? false:
                settings.backlog = Int(known)
            case ("t", let known?, _) where lookups && Int(known).map({ $0 >= 1 }) ?? false: break
            case ("t", _, _) where !lookups:
                leaveOut(
                    file, line, option,
                    "a timeout for ident lookups, which -R turns off: builds write none with -R (the spec's "
                        + "remote-info: {timeout: N} is -t N without -R)")
            case ("x", "tcp.cdb", _): break
            case ("x", let known?, _) where known.contains("/vpopmail/etc/tcp."):
                leaveOut(
                    file, line, option,
                    "vpopmail's roaming users: vpopmail rebuilds this cdb from tcp.smtp and open-smtp after each "
                        + "POP3 or IMAP login (clearopensmtp ages them); relaychain replaces that by relay-ctrl-allow, "
                        + "relay-ctrl-check and a window, with rules it compiles elsewhere")
            case ("x", let known?, _) where RulesCDB.isValidPath(known):
                settings.rulesCDB = known
            case ("x", _, _):
                leaveOut(
                    file, line, option,
                    "the spec says the rules' cdb only as tcp.cdb in the service directory or an absolute NAME.cdb")
            case ("l", let known?, _) where LocalName.isValidName(known):
                settings.localName = .name(known)
            case ("l", nil, .firstLine(let path)?) where value.pieces.count == 1:
                settings.localName = .firstLineOf(path)
            case ("l", nil, .hostName?) where value.pieces.count == 1:
                settings.localName = .hostName
            case ("u", let known?, _) where Int(known) != nil, ("g", let known?, _) where Int(known) != nil:
                leaveOut(
                    file, line, option,
                    "a numeric \(flag == "u" ? "user" : "group") ID: the spec names the account (smtp-user) whose "
                        + "IDs builds look up with id -u and id -g")
            case ("u", _, .userID(let name)?), ("g", _, .groupID(let name)?):
                if let account, account != name {
                    leaveOut(file, line, option, "the user and group come from two accounts (\(account), \(name))")
                    continue
                }
                if let earlier = facts.smtpUser, earlier != name {
                    leaveOut(
                        file, line, option,
                        "another service runs qmail-smtpd as \(earlier); the spec names one account for all")
                    continue
                }
                account = name
            default:
                leaveOut(file, line, option, "the spec cannot say this \(server) option")
            }
        }
        if let account { facts.smtpUser = account }
        if tcpserver.values["l"] == nil { settings.localName = .dnsLookup }
        return settings
    }

    mutating func readPOP3D(
        _ rest: [String], service: String, runBy: Supervisor, listen: String?, port: Int,
        assignments: [(String, String)]
    ) {
        var pop3d = InstallationFacts.POP3D(runBy: runBy)
        pop3d.listen = listen
        pop3d.port = port
        pop3d.store = facts.readWindow(assignments, smtpSide: false).store
        if rest.count >= 6 {
            facts.note(program: rest[0])
            pop3d.hostname = rest[1].hasPrefix("$(") || rest[1] == "%H" ? nil : rest[1]
            let base = Self.basename(rest[2])
            pop3d.checkpassword =
                Catalog.program(named: base) != nil && rest[2] == facts.programs[base] ? base : rest[2]
            for word in [rest[3], rest[4]] { facts.note(program: word) }
            pop3d.maildir = rest[5]
        }
        if let index = facts.services.firstIndex(where: { $0.name == service }) {
            // Its log/run came first and left a placeholder: runit or daemontools.
            if case .smtpd(let placeholder) = facts.services[index].role, placeholder.runBy == .runit {
                pop3d.runBy = .runit
            }
            facts.services[index].role = .pop3d(pop3d)
        } else {
            facts.add(.init(name: service, role: .pop3d(pop3d)))
        }
    }
}
