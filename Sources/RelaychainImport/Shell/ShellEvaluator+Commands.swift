/// Simple commands: assignments, the builtins run scripts use (`exec`, `export`, `.`, `cd`,
/// `exit`, `test`) and functions; any other command is one the script runs and waits for.
extension ShellEvaluator {
    mutating func evaluateSimple(_ command: SimpleCommand, _ state: inout State) -> Bool? {
        let fields = expandWords(command.words, &state)
        var assignments: [ShellRun.Setting] = []
        for assignment in command.assignments {
            assignments.append(.init(name: assignment.name, value: expandSingle(assignment.value, &state)))
        }
        guard let first = fields.first else {
            for setting in assignments { state.variables[setting.name] = .some(setting.value) }
            return true
        }
        guard let name = first.known else {
            problem(command.line, "runs a command whose name is known only at run time (\(first))")
            state.lastCommand = nil
            return nil
        }
        // A command the script ran and waited for, and then went on: it did something before the
        // service's command that no build does (unless it only prints or waits).
        if let previous = state.lastCommand, name != "exit" { sideCommand(previous) }
        if name != "exec" { state.lastCommand = nil }
        switch name {
        case "exec":
            return evaluateExec(command, Array(fields.dropFirst()), assignments, &state)
        case "export", "readonly":
            for word in command.words.dropFirst() {
                if let assignment = ShellParser.assignment(word) {
                    state.variables[assignment.name] = .some(expandSingle(assignment.value, &state))
                    export(assignment.name, &state)
                } else if let exported = expandSingle(word, &state).known, !exported.hasPrefix("-") {
                    export(exported, &state)
                }
            }
            return true
        case "unset":
            for field in fields.dropFirst() {
                if let unset = field.known, !unset.hasPrefix("-") { state.variables[unset] = .some(nil) }
            }
            return true
        case ".", "source":
            return source(fields.dropFirst().first, line: command.line, &state)
        case "eval":
            return evaluateEval(Array(fields.dropFirst()), line: command.line, &state)
        case "read":
            for field in fields.dropFirst() {
                if let read = field.known, !read.hasPrefix("-") {
                    state.variables[read] = .some(ShellText(.unknown("$\(read), read at run time")))
                }
            }
            return nil
        case "cd":
            state.workingDirectory = fields.dropFirst().first ?? ShellText(.environment("HOME"))
            return nil
        case "exit":
            state.ending = .exit
            return nil
        case ":", "true": return true
        case "false": return false
        case "test", "[": return ShellTest.answer(fields)
        case "ulimit":
            problem(
                command.line,
                "sets a resource limit with ulimit, which the spec cannot say (its datalimit is softlimit -m)")
            return nil
        case "umask":
            problem(command.line, "sets the file mode mask with umask, which the spec cannot say")
            return nil
        case "echo", "printf", "set", "trap", "sleep", "shift", "wait", "logger":
            return nil
        default:
            if let body = state.functions[name] {
                return call(body, arguments: Array(fields.dropFirst()), line: command.line, &state)
            }
            var ran = ShellRun.Command(words: fields, assignments: assignments, line: command.line)
            ran.byExec = false
            if command.redirections.contains(where: Self.sendsErrorsToOutput) { state.errorsToOutput = true }
            state.lastCommand = ran
            return nil
        }
    }

    /// Programs that only print, wait or compute: running one before the command changes nothing.
    static let harmless: Set<String> = ["sleep", "logger", "echo", "printf", "true", "false", "date", "cat", "head"]

    mutating func sideCommand(_ ran: ShellRun.Command) {
        guard let first = ran.words.first?.known, !Self.harmless.contains(InstallationReader.basename(first)) else {
            return
        }
        let words = ran.words.map(\.description).joined(separator: " ")
        problem(ran.line, "runs '\(words)' before its command, which builds do not")
    }

    /// `exec 2>&1` changes the script's own descriptors; `exec COMMAND` becomes the command.
    mutating func evaluateExec(
        _ command: SimpleCommand, _ words: [ShellText], _ assignments: [ShellRun.Setting], _ state: inout State
    ) -> Bool? {
        for redirection in command.redirections {
            if Self.sendsErrorsToOutput(redirection) {
                state.errorsToOutput = true
            } else {
                let target = expandSingle(redirection.target, &state)
                problem(
                    command.line,
                    "a redirection relaychain does not write (\(redirection.descriptor.map(String.init) ?? "")"
                        + "\(redirection.operation.rawValue)\(target))")
            }
        }
        guard !words.isEmpty else { return true }
        state.ending = .exec(ShellRun.Command(words: words, assignments: assignments, line: command.line))
        return nil
    }

    func export(_ name: String, _ state: inout State) {
        if !state.exportOrder.contains(name) { state.exportOrder.append(name) }
        if state.variables[name] == nil { state.variables[name] = .some(ShellText(.environment(name))) }
    }

    /// `eval WORDS`: known text is read as sh in place; text known only at run time may set any
    /// variable, so what follows cannot be read.
    mutating func evaluateEval(_ words: [ShellText], line: Int, _ state: inout State) -> Bool? {
        let known = words.compactMap(\.known)
        guard known.count == words.count else {
            problem(line, "runs eval on text known only at run time; what it sets cannot be read")
            state.ending = .abandoned
            return nil
        }
        guard depth < Self.maximumDepth else {
            problem(line, "runs eval nested too deeply")
            return nil
        }
        let text = known.joined(separator: " ")
        // Parsed once, as sourced files are: an eval in a loop would otherwise parse on every step.
        let parsed = parsedEvals[text] ?? ShellParser.parse(text)
        parsedEvals[text] = parsed
        switch parsed {
        case .failure(let error):
            problem(line, "runs eval on text that is not sh relaychain can read (\(error.message))")
            return nil
        case .success(let script): return evaluateNested(script, &state)
        }
    }

    /// A script read in place (`.`, `eval`), one level deeper.
    mutating func evaluateNested(_ script: ShellScript, _ state: inout State) -> Bool? {
        depth += 1
        evaluate(script, &state)
        depth -= 1
        return nil
    }

    /// `. FILE`: a file given with the installation is read in place; any other is not known.
    mutating func source(_ path: ShellText?, line: Int, _ state: inout State) -> Bool? {
        let relative = path?.known.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        guard let path = path?.known, let relative,
            let found = files.first(where: { $0.key == path || $0.key == relative || $0.key.hasSuffix("/" + relative) })
        else {
            problem(line, "reads \(path?.description ?? "a file") with '.', and that file was not given")
            return nil
        }
        guard depth < Self.maximumDepth else {
            problem(line, "reads files with '.' nested too deeply")
            return nil
        }
        consumed.insert(found.key)
        // Parsed once: a file that sources itself would otherwise be parsed on every step.
        let parsed = parsedFiles[found.key] ?? ShellParser.parse(found.value)
        parsedFiles[found.key] = parsed
        switch parsed {
        case .failure(let error):
            problem(
                line, "reads \(path), which is not sh relaychain can read (its line \(error.line): \(error.message))")
            return nil
        case .success(let script): return evaluateNested(script, &state)
        }
    }

    mutating func call(_ body: ShellScript, arguments: [ShellText], line: Int, _ state: inout State) -> Bool? {
        guard depth < Self.maximumDepth else {
            problem(line, "calls functions nested too deeply")
            return nil
        }
        let saved = state.positional
        state.positional = [saved.first ?? ShellText("sh")] + arguments
        depth += 1
        evaluate(body, &state)
        depth -= 1
        state.positional = saved
        return nil
    }
}
