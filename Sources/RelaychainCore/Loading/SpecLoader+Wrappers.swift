/// User wrappers: the path, their own arguments and grammar, and how they treat a client that
/// has logged in (bypass).
extension SpecLoader {
    func wrapper(_ name: Written<String>, _ node: YAMLNode) -> WrapperDefinition? {
        let what = "wrapper '\(name.value)'"
        if let builtin = Catalog.program(named: name.value) {
            reader.report(
                .error(
                    .shadowsBuiltin, "wrapper '\(name.value)' has the name of a built-in program", at: name.location,
                    notes: [DiagnosticNote("built in: \(builtin.summary)")],
                    fix:
                        "use it in chains without defining it, set its path under 'platform: paths:', or choose "
                        + "another name"
                ))
        }
        guard let fields = reader.fields(of: node, what, allowed: WrapperKey.allCases) else { return nil }
        var complete = true
        var path: Located<String>?
        if let value = fields[.path] {
            path = reader.path(value, "path")
        } else if !fields.suggested.contains(WrapperKey.path.rawValue) {
            reader.report(.error(.missingKey, "missing required key 'path' in \(what)", at: fields.location))
        }
        let args = fields[.args].map { arguments($0) } ?? []
        let sets = fields[.sets].map { environment($0, "sets") } ?? []
        var bypass: Located<Bypass>?
        if let value = fields[.bypass] {
            bypass = self.bypass(value)
        } else if !fields.suggested.contains(WrapperKey.bypass.rawValue) {
            reader.report(
                .error(
                    .missingKey, "missing required key 'bypass' in \(what)", at: fields.location,
                    notes: [
                        DiagnosticNote(
                            "say how it treats a client that has logged in: 'bypass: { env: { NAME: \"\" } }', "
                                + "'bypass: honours-relayclient', 'bypass: not-a-filter' or 'bypass: none'"
                        )
                    ]))
        }
        var chainLoader = Located.byDefault(true)
        if let value = fields[.chainLoader] {
            if let flag = reader.bool(value, "chain-loader") { chainLoader = flag } else { complete = false }
        }
        var grammar: ArgumentGrammar?
        if let value = fields[.grammar] {
            if let read = self.grammar(value) { grammar = read } else { complete = false }
        }
        if let args { declaredWrappers[name.value] = (args, grammar) }
        guard complete, let path, let args, let sets, let bypass else { return nil }
        return WrapperDefinition(
            name: name, path: path, args: args, sets: sets, bypass: bypass, chainLoader: chainLoader, grammar: grammar)
    }

    /// `grammar: { options: "z:v", operands: 1 }`: a getopt option string and the number of
    /// words read before the program to run.
    func grammar(_ node: YAMLNode) -> ArgumentGrammar? {
        guard let fields = reader.fields(of: node, "a wrapper's grammar", allowed: GrammarKey.allCases) else {
            return nil
        }
        var optionString = ""
        if let value = fields[.options] {
            guard let text = reader.string(value, "options") else { return nil }
            optionString = text.value
        }
        var operands = 0
        if let value = fields[.operands] {
            guard let number = reader.int(value, "operands") else { return nil }
            operands = number.value
        }
        guard operands <= 8, let grammar = ArgumentGrammar(optionString: optionString, operands: operands) else {
            reader.report(
                .error(
                    .badGrammar, "a grammar of options '\(optionString)' and \(operands) operands cannot be read",
                    at: node.location,
                    notes: [
                        DiagnosticNote(
                            "options is a getopt string such as 'bv:' (a letter, ':' after one that takes a value); "
                                + "operands is 0 to 8")
                    ]))
            return nil
        }
        return grammar
    }

    func bypass(_ node: YAMLNode) -> Located<Bypass>? {
        if case .scalar = node {
            guard let keyword = reader.choice(node, "bypass", as: BypassKeyword.self) else { return nil }
            let bypass: Bypass =
                switch keyword.value {
                case .honoursRelayClient: .honoursRelayClient
                case .notAFilter: .notAFilter
                case .none: .none
                }
            return Located(bypass, at: node.location)
        }
        guard let fields = reader.fields(of: node, "'bypass'", allowed: BypassKey.allCases) else { return nil }
        guard let envNode = fields[.env] else {
            reader.report(.error(.missingKey, "missing required key 'env' in 'bypass'", at: fields.location))
            return nil
        }
        guard let settings = environment(envNode, "env"), !settings.isEmpty else {
            if case .mapping(let mapping) = envNode, mapping.count == 0 {
                reader.report(.error(.emptyCollection, "'env' must set at least one variable", at: envNode.location))
            }
            return nil
        }
        return Located(.environment(settings), at: node.location)
    }

    func environment(_ node: YAMLNode, _ what: String) -> [EnvironmentSetting]? {
        guard let entries = reader.namedEntries(of: node, "'\(what)'") else { return nil }
        var settings: [EnvironmentSetting] = []
        var complete = true
        for (name, value) in entries {
            guard EnvironmentName.isValid(name.value) else {
                reader.report(
                    .error(.badVariableName, "'\(name.value)' is not an environment variable name", at: name.location))
                complete = false
                continue
            }
            guard let text = reader.string(value, name.value, numbersAllowed: true) else {
                complete = false
                continue
            }
            settings.append(EnvironmentSetting(name: name.located, value: text))
        }
        return complete ? settings : nil
    }

    func arguments(_ node: YAMLNode) -> [Located<String>]? {
        guard let items = reader.list(node, "args") else { return nil }
        let args = items.compactMap { reader.string($0, "args", numbersAllowed: true) }
        return args.count == items.count ? args : nil
    }
}
