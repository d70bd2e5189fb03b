/// What a qmail-smtpd service runs: tcprules rules, its environment, the chain of programs
/// with their arguments, and relay networks.
extension SpecLoader {
    func rules(_ node: YAMLNode) -> [AccessRule]? {
        guard let items = reader.list(node, "rules") else { return nil }
        var rules: [AccessRule] = []
        var complete = true
        for item in items {
            guard let fields = reader.fields(of: item, "a rule", allowed: RuleKey.allCases) else {
                complete = false
                continue
            }
            guard let fromNode = fields[.from] else {
                reader.report(
                    .error(
                        .missingKey, "missing required key 'from' in a rule", at: fields.location,
                        notes: [DiagnosticNote("write from: \"\" for every client")]))
                complete = false
                continue
            }
            guard let from = reader.string(fromNode, "from") else {
                complete = false
                continue
            }
            if !from.value.isEmpty, let problem = RelayNetwork.ruleProblem(with: from.value) {
                reader.report(
                    .error(
                        .badNetwork, "rule address '\(from.value)' \(problem.message)", at: fromNode.location,
                        fix: problem.fix))
                complete = false
                continue
            }
            let deny = fields[.deny].flatMap { reader.bool($0, "deny") } ?? Located(false, at: nil)
            let set = fields[.set].flatMap { environment($0, "set") } ?? []
            if fields[.set] != nil, set.isEmpty { complete = false }
            for setting in set {
                let value = setting.value.value
                if value.contains("\n") || (value.contains("\"") && value.contains("'")) {
                    reader.report(
                        .error(
                            .targetCannotCarry,
                            "tcprules cannot carry the value of \(setting.name.value): it holds a newline or both "
                                + "kinds of quote",
                            at: setting.value.location ?? fromNode.location))
                    complete = false
                }
                if setting.name.value == "RELAYCLIENT", from.value.isEmpty, !deny.value {
                    reader.report(
                        .error(
                            .unsafeEnvironment, "this rule sets RELAYCLIENT for every client: an open relay",
                            at: setting.name.location ?? fromNode.location,
                            fix: "name the network in 'from', or let clients relay by logging in"))
                    complete = false
                }
                if setting.name.value == "QMAILQUEUE", !value.hasPrefix("/") {
                    reader.report(
                        .error(
                            .unsafeEnvironment, "QMAILQUEUE '\(value)' is not an absolute path",
                            at: setting.value.location ?? fromNode.location,
                            notes: [DiagnosticNote("qmail-smtpd runs it for every message")],
                            fix: "write the queue program's full path"))
                    complete = false
                }
            }
            if deny.value, !set.isEmpty, let setNode = fields[.set] {
                reader.report(.error(.wrongType, "a rule that denies cannot set variables", at: setNode.location))
                complete = false
            } else {
                rules.append(AccessRule(from: from.written(at: fromNode.location), deny: deny, set: set))
            }
        }
        return complete ? rules : nil
    }

    /// `environment: { QMAILQUEUE: /usr/pkg/bin/qmail-qfilter-queue, DATABYTES: "10000000" }`.
    /// RELAYCLIENT is refused (it would relay for everyone), and so is a relative QMAILQUEUE
    /// (qmail-smtpd would run whatever program of that name its directory holds).
    func serviceEnvironment(_ node: YAMLNode) -> [EnvironmentSetting]? {
        guard let settings = environment(node, "environment") else { return nil }
        var complete = true
        for setting in settings {
            switch setting.name.value {
            case "RELAYCLIENT":
                reader.report(
                    .error(
                        .unsafeEnvironment,
                        "'environment' sets RELAYCLIENT, which lets every client relay: an open relay",
                        at: setting.name.location ?? node.location,
                        fix: "remove it; relay networks go under 'relay-networks'"))
                complete = false
            case "QMAILQUEUE" where !setting.value.value.hasPrefix("/"):
                reader.report(
                    .error(
                        .unsafeEnvironment, "QMAILQUEUE '\(setting.value.value)' is not an absolute path",
                        at: setting.value.location ?? node.location,
                        notes: [DiagnosticNote("qmail-smtpd runs it for every message")],
                        fix: "write the queue program's full path"))
                complete = false
            default:
                break
            }
        }
        return complete ? settings : nil
    }

    func chain(_ node: YAMLNode) -> [ChainEntry]? {
        guard let items = reader.list(node, "chain") else { return nil }
        let entries = items.compactMap(chainEntry)
        return entries.count == items.count ? entries : nil
    }

    /// `"rblsmtpd -r zen.spamhaus.org"` (words split on spaces) or `{ use: rblsmtpd, args: [...] }`.
    func chainEntry(_ node: YAMLNode) -> ChainEntry? {
        if case .mapping = node {
            guard let fields = reader.fields(of: node, "a chain entry", allowed: ChainEntryKey.allCases) else {
                return nil
            }
            guard let useNode = fields[.use] else {
                reader.report(.error(.missingKey, "missing required key 'use' in a chain entry", at: fields.location))
                return nil
            }
            guard let program = reader.string(useNode, "use")?.written(at: useNode.location) else { return nil }
            guard let args = fields[.args].map({ arguments($0) }) ?? [] else { return nil }
            outline.chainPrograms.append(program)
            checkArguments(program, args)
            return ChainEntry(program: program, args: args)
        }
        guard let text = reader.string(node, "chain entry"), case .scalar(let scalar) = node else { return nil }
        // Columns of the words are exact for plain and simple quoted scalars on one line.
        let start = scalar.style == .plain ? node.location : node.location.advanced(by: 1)
        var words: [Located<String>] = []
        var offset = 0
        for piece in text.value.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false) {
            if !piece.isEmpty {
                words.append(Located(String(String.UnicodeScalarView(piece)), at: start.advanced(by: offset)))
            }
            offset += piece.count + 1
        }
        guard let program = words.first?.written(at: start) else {
            reader.report(.error(.emptyChainEntry, "empty chain entry", at: node.location))
            return nil
        }
        outline.chainPrograms.append(program)
        checkArguments(program, Array(words.dropFirst()))
        return ChainEntry(program: program, args: Array(words.dropFirst()))
    }

    /// The entry's words as its program reads them (a declared wrapper's own `args` first).
    func checkArguments(_ program: Written<String>, _ args: [Located<String>]) {
        if let declared = declaredWrappers[program.value] {
            guard let grammar = declared.grammar else { return }
            if let problem = ArgumentDiagnostics.check(program, declared.args + args, grammar) {
                reader.report(problem)
            }
        } else if let known = Catalog.program(named: program.value), known.role == .wrapper,
            let grammar = known.grammar
        {
            if let problem = ArgumentDiagnostics.check(program, args, grammar) { reader.report(problem) }
        }
    }

    func networks(_ node: YAMLNode) -> [Located<String>]? {
        guard let items = reader.list(node, "relay-networks") else { return nil }
        var networks: [Located<String>] = []
        var complete = true
        for item in items {
            guard let text = reader.string(item, "relay-networks") else {
                complete = false
                continue
            }
            if let problem = RelayNetwork.problem(with: text.value) {
                reader.report(
                    .error(
                        .badNetwork, "relay network '\(text.value)' \(problem.message)", at: item.location,
                        fix: problem.fix))
                complete = false
                continue
            }
            networks.append(text)
        }
        return complete ? networks : nil
    }
}
