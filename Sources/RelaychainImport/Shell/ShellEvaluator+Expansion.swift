/// Word expansion as sh does it: parameters (with their operators), command substitution,
/// then field splitting of what was unquoted. A value known only at run time stays one field.
extension ShellEvaluator {
    /// Fields as they are built: a quoted empty string still makes one.
    struct Fields {
        var done: [ShellText] = []
        var current = ShellText()
        var started = false
        /// A field grew past `maximumValueSize`; the rest of it was dropped.
        var overflowed = false

        mutating func add(_ text: ShellText) {
            started = true
            guard current.size + text.size <= ShellEvaluator.maximumValueSize else {
                overflowed = true
                return
            }
            current.append(text)
        }

        /// Unquoted known text splits at blanks; run-time values do not (they are ids, numbers
        /// and names in the scripts this reads).
        mutating func addSplitting(_ text: ShellText) {
            for piece in text.pieces {
                guard case .text(let known) = piece else {
                    if case .runtime(let value) = piece { add(ShellText(value)) }
                    continue
                }
                var chunk = ""
                for character in known {
                    if character == " " || character == "\t" || character == "\n" {
                        if !chunk.isEmpty { add(ShellText(chunk)) }
                        chunk = ""
                        finish()
                    } else {
                        chunk.append(character)
                    }
                }
                if !chunk.isEmpty { add(ShellText(chunk)) }
            }
        }

        mutating func finish() {
            if started { done.append(current) }
            current = ShellText()
            started = false
        }
    }

    mutating func expandWords(_ words: [ShellWord], _ state: inout State) -> [ShellText] {
        var result: [ShellText] = []
        for word in words {
            var fields = Fields()
            expand(word.parts, quoted: false, into: &fields, &state)
            fields.finish()
            if fields.overflowed { return [tooLong(line: word.line)] }
            result += fields.done
        }
        return result
    }

    /// A word where no splitting happens (assignments, case subjects, redirection targets).
    mutating func expandSingle(_ word: ShellWord, _ state: inout State) -> ShellText {
        var fields = Fields()
        expand(word.parts, quoted: true, into: &fields, &state)
        return fields.overflowed ? tooLong(line: word.line) : fields.current
    }

    /// A pattern word (`case`, `${VAR%pattern}`): what was quoted matches itself, so its `*`, `?`,
    /// `[` and backslash are escaped; what was not stays a pattern.
    mutating func expandPattern(_ word: ShellWord, _ state: inout State) -> ShellText {
        expandPattern(word.parts, quoted: false, line: word.line, &state)
    }

    mutating func expandPattern(
        _ parts: [ShellWordPart], quoted: Bool, line: Int, _ state: inout State
    ) -> ShellText {
        var result = ShellText()
        for part in parts {
            switch part {
            case .literal(let text): result.append(quoted ? Self.escapedForPattern(text) : text)
            case .quoted(let text): result.append(Self.escapedForPattern(text))
            case .doubleQuoted(let inner): result.append(expandPattern(inner, quoted: true, line: line, &state))
            case .parameter, .command, .arithmetic:
                var fields = Fields()
                expand([part], quoted: true, into: &fields, &state)
                guard !fields.overflowed else { return tooLong(line: line) }
                guard quoted else {
                    result.append(fields.current)
                    continue
                }
                for piece in fields.current.pieces {
                    switch piece {
                    case .text(let text): result.append(Self.escapedForPattern(text))
                    case .runtime(let value): result.append(ShellText(value))
                    }
                }
            }
            guard result.size <= Self.maximumValueSize else { return tooLong(line: line) }
        }
        return result
    }

    static func escapedForPattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// A value that doubles on each line would need memory without end: past a size no run
    /// script needs, it is a value known only at run time.
    mutating func tooLong(line: Int) -> ShellText {
        problem(line, "makes a value longer than \(Self.maximumValueSize) characters")
        return ShellText(.unknown("a value longer than \(Self.maximumValueSize) characters"))
    }

    mutating func expand(_ parts: [ShellWordPart], quoted: Bool, into fields: inout Fields, _ state: inout State) {
        for part in parts {
            switch part {
            case .literal(let text):
                if !quoted, Self.isPattern(text) {
                    fields.add(ShellText(.unknown("the file names matching \(text)")))
                } else {
                    fields.add(ShellText(text))
                }
            case .quoted(let text):
                fields.add(ShellText(text))
            case .doubleQuoted(let inner):
                fields.started = true
                if inner.count == 1, case .parameter(let expansion) = inner[0], expansion.name == "@",
                    expansion.operation == nil
                {
                    for (index, argument) in state.positional.dropFirst().enumerated() {
                        if index > 0 { fields.finish() }
                        fields.add(argument)
                    }
                    if state.positional.count <= 1 { fields.started = false }
                    continue
                }
                expand(inner, quoted: true, into: &fields, &state)
            case .parameter(let expansion):
                let value = parameter(expansion, &state)
                if quoted { fields.add(value) } else { fields.addSplitting(value) }
            case .command(let script):
                let value = substitute(script, state)
                if quoted { fields.add(value) } else { fields.addSplitting(value) }
            case .arithmetic(let text):
                fields.add(ShellText(.unknown("the arithmetic $((\(text)))")))
            }
        }
    }

    static func isPattern(_ text: String) -> Bool {
        text.contains("*") || text.contains("?") || (text.contains("[") && text.contains("]"))
    }

    /// A parameter's value: set by the script (or nil, unset by it), else inherited.
    func lookup(_ name: String, _ state: State) -> ShellText?? {
        if let number = Int(name) { return number < state.positional.count ? state.positional[number] : .some(nil) }
        switch name {
        case "@", "*":
            var joined = ShellText()
            for (index, argument) in state.positional.dropFirst().enumerated() {
                if index > 0 { joined.append(" ") }
                joined.append(argument)
            }
            return joined
        case "#": return ShellText(String(max(0, state.positional.count - 1)))
        case "?", "$", "!", "-": return ShellText(.unknown("$\(name)"))
        default: return state.variables[name]
        }
    }

    mutating func parameter(_ expansion: ParameterExpansion, _ state: inout State) -> ShellText {
        let name = expansion.name
        let found = lookup(name, state)
        if expansion.length {
            guard case .some(let value) = found else { return ShellText(.unknown("${#\(name)}")) }
            return value.map { $0.known.map { ShellText(String($0.count)) } ?? ShellText(.unknown("${#\(name)}")) }
                ?? ShellText("0")
        }
        guard let operation = expansion.operation else {
            guard case .some(let value) = found else { return ShellText(.environment(name)) }
            return value ?? ShellText()
        }
        let removes = [.removeSmallestSuffix, .removeLargestSuffix, .removeSmallestPrefix, .removeLargestPrefix]
            .contains(operation)
        let word =
            expansion.word.map { removes ? expandPattern($0, &state) : expandSingle($0, &state) } ?? ShellText()
        let written = "${\(name)\(operation.rawValue)\(word)}"
        // Whether the variable is set, and whether it is empty, when the script alone says so.
        let isSet: Bool?
        let isEmpty: Bool?
        switch found {
        case .none:
            (isSet, isEmpty) = (nil, nil)
        case .some(.none):
            (isSet, isEmpty) = (false, true)
        case .some(.some(let value)):
            isSet = true
            isEmpty =
                value.known.map(\.isEmpty) ?? (value.pieces.contains { $0 != .text("") && $0.isText } ? false : nil)
        }
        let value: ShellText = {
            if case .some(.some(let value)) = found { return value }
            return ShellText()
        }()
        let colon = operation.rawValue.hasPrefix(":")
        let missing: Bool? = colon ? (isSet == false ? true : isEmpty) : isSet.map(!)
        switch operation {
        case .useDefault, .useDefaultIfEmpty, .assignDefault, .assignDefaultIfEmpty:
            guard let missing else { return ShellText(.unknown("\(written) with $\(name) from the environment")) }
            if missing, operation == .assignDefault || operation == .assignDefaultIfEmpty {
                state.variables[name] = .some(word)
            }
            return missing ? word : value
        case .useAlternative, .useAlternativeIfSet:
            guard let missing else { return ShellText(.unknown("\(written) with $\(name) from the environment")) }
            return missing ? ShellText() : word
        case .failIfUnset, .failIfEmpty:
            guard let missing else { return ShellText(.unknown("\(written) with $\(name) from the environment")) }
            if missing { state.ending = .exit }
            return value
        case .removeSmallestSuffix, .removeLargestSuffix, .removeSmallestPrefix, .removeLargestPrefix:
            // Each length of the text is tried against the pattern: bounded, or it is left to run time.
            guard let text = value.known, let pattern = word.known, isSet == true,
                text.count * text.count * (pattern.count + 1) <= 4_000_000
            else {
                return ShellText(.unknown(written))
            }
            return ShellText(Self.remove(pattern, from: text, operation))
        }
    }

    static func remove(_ pattern: String, from text: String, _ operation: ParameterExpansion.Operator) -> String {
        let characters = Array(text)
        let elements = ShellPattern.elements(pattern)
        let lengths = Array(0...characters.count)
        switch operation {
        case .removeSmallestSuffix, .removeLargestSuffix:
            let order = operation == .removeSmallestSuffix ? lengths : lengths.reversed()
            for length in order where ShellPattern.matches(Array(characters.suffix(length)), elements) {
                return String(characters.dropLast(length))
            }
        default:
            let order = operation == .removeSmallestPrefix ? lengths : lengths.reversed()
            for length in order where ShellPattern.matches(Array(characters.prefix(length)), elements) {
                return String(characters.dropFirst(length))
            }
        }
        return text
    }

    /// `$(...)`: what the command prints, named when it is one of the commands run scripts use
    /// to look up an id, a file or the host name.
    func substitute(_ script: ShellScript, _ state: State) -> ShellText {
        guard script.items.count == 1, let item = script.items.first, item.rest.isEmpty,
            item.first.commands.count == 1, !item.first.negated, case .simple(let simple) = item.first.commands[0],
            simple.assignments.isEmpty,
            simple.redirections.allSatisfy({ $0.descriptor == 2 && $0.target.plainText == "/dev/null" })
        else { return ShellText(.unknown("the output of a shell command")) }
        var evaluator = self
        var copy = state
        let fields = evaluator.expandWords(simple.words, &copy)
        let words = fields.compactMap(\.known)
        guard words.count == fields.count, let first = words.first else {
            return ShellText(.unknown("the output of '\(fields.map(\.description).joined(separator: " "))'"))
        }
        let program = first.split(separator: "/").last.map(String.init) ?? first
        let arguments = Array(words.dropFirst())
        switch (program, arguments.count) {
        case ("id", 2) where arguments[0] == "-u": return ShellText(.userID(arguments[1]))
        case ("id", 2) where arguments[0] == "-g": return ShellText(.groupID(arguments[1]))
        case ("cat", 1): return ShellText(.fileContents(arguments[0]))
        case ("head", 2) where arguments[0] == "-1" || arguments[0] == "-n1":
            return ShellText(.firstLine(arguments[1]))
        case ("head", 3) where arguments[0] == "-n" && arguments[1] == "1": return ShellText(.firstLine(arguments[2]))
        case ("hostname", 0): return ShellText(.hostName)
        case ("uname", 1) where arguments[0] == "-n": return ShellText(.hostName)
        case ("echo", _) where arguments.first.map { !$0.hasPrefix("-") } ?? true:
            return ShellText(arguments.joined(separator: " "))
        default: return ShellText(.output(words))
        }
    }
}

extension ShellText.Piece {
    var isText: Bool { if case .text = self { true } else { false } }
}
