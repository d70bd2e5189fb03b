/// Runs a parsed script symbolically: assignments, exports and expansions are followed, a
/// command substitution becomes the `RuntimeValue` it computes, a test whose answer is known
/// takes its branch and one known only at run time takes both (a variable they set differently
/// becomes a `.branch` value), until the script `exec`s its command or ends.
struct ShellEvaluator {
    enum Ending: Equatable {
        case exec(ShellRun.Command)
        case exit
        /// Branches chosen at run time end differently.
        case undecided(line: Int)
        /// Reading stopped at a bound (its problem says which); what the script does is not known.
        case abandoned
    }

    struct State {
        /// nil: unset by the script; absent: never set, so the inherited environment's.
        var variables: [String: ShellText?] = [:]
        var exportOrder: [String] = []
        var positional: [ShellText] = []
        var errorsToOutput = false
        var workingDirectory: ShellText?
        var ending: Ending?
        var lastCommand: ShellRun.Command?
        var functions: [String: ShellScript] = [:]
    }

    static let maximumDepth = 16
    /// Run scripts are short: functions that call themselves twice, or files that source
    /// themselves, would otherwise take time without end.
    static let maximumSteps = 20_000
    static let maximumValueSize = 4_096

    /// Files a script may source (`. FILE`), by path.
    var files: [String: String] = [:]
    var problems: [ShellRun.Problem] = []
    var depth = 0
    var steps = 0
    /// The given files `. FILE` read.
    var consumed: Set<String> = []
    var parsedFiles: [String: Result<ShellScript, ShellSyntaxError>] = [:]
    var parsedEvals: [String: Result<ShellScript, ShellSyntaxError>] = [:]

    /// Evaluates `script` from `state` (positional parameters, a known environment).
    mutating func run(_ script: ShellScript, from state: State = State()) -> ShellRun {
        var state = state
        evaluate(script, &state)
        var result = ShellRun(problems: problems)
        switch state.ending {
        case .exec(let command): result.command = command
        case .undecided(let line):
            result.problems.append(.init(line: line, reason: "which command runs depends on a test made at run time"))
        case .exit, .abandoned: break
        case nil:
            if var last = state.lastCommand {
                last.byExec = false
                result.command = last
            }
        }
        result.exported = state.exportOrder.compactMap { name in
            guard case .some(.some(let value)) = state.variables[name] else { return nil }
            return ShellRun.Setting(name: name, value: value)
        }
        result.errorsToOutput = state.errorsToOutput
        result.workingDirectory = state.workingDirectory
        return result
    }

    mutating func problem(_ line: Int, _ reason: String) {
        if !problems.contains(where: { $0.line == line && $0.reason == reason }) {
            problems.append(.init(line: line, reason: reason))
        }
    }

    mutating func evaluate(_ script: ShellScript, _ state: inout State) {
        for item in script.items {
            guard state.ending == nil else { return }
            steps += 1
            guard steps <= Self.maximumSteps else {
                let line = Self.line(of: item.first)
                if steps == Self.maximumSteps + 1 {
                    problem(line, "runs more than \(Self.maximumSteps) commands before its last one")
                }
                state.ending = .abandoned
                return
            }
            if item.background {
                // Runs beside the script; it changes nothing the command sees.
                continue
            }
            evaluate(item, &state)
        }
    }

    /// `a && b || c`: the first runs; whether each next one runs is a test made at run time,
    /// unless the answer is known.
    mutating func evaluate(_ item: ShellAndOr, _ state: inout State) {
        var status = evaluate(item.first, &state)
        for (connector, pipeline) in item.rest {
            guard state.ending == nil else { return }
            switch (connector, status) {
            case (.and, false?), (.or, true?): continue
            case (.and, true?), (.or, false?): status = evaluate(pipeline, &state)
            case (_, nil):
                let line = Self.line(of: pipeline)
                state = branches(
                    [ShellScript(items: [ShellAndOr(first: pipeline)]), ShellScript()], from: state, line: line)
                status = nil
            }
        }
    }

    /// The pipeline's exit status when it is known.
    mutating func evaluate(_ pipeline: ShellPipeline, _ state: inout State) -> Bool? {
        guard pipeline.commands.count == 1 else {
            // Each part of a pipeline runs in a subshell: nothing in it reaches the script.
            return nil
        }
        let status = evaluate(pipeline.commands[0], &state)
        return pipeline.negated ? status.map(!) : status
    }

    static func line(of pipeline: ShellPipeline) -> Int {
        switch pipeline.commands.first {
        case .simple(let command): command.line
        case .ifClause(_, _, let line), .caseClause(_, _, let line), .loop(_, let line),
            .functionDefinition(_, _, let line):
            line
        case .group(let script, _), .subshell(let script, _):
            script.items.first.map { line(of: $0.first) } ?? 0
        case nil: 0
        }
    }

    mutating func evaluate(_ command: ShellCommand, _ state: inout State) -> Bool? {
        switch command {
        case .simple(let simple):
            return evaluateSimple(simple, &state)
        case .ifClause(let branchesOfIf, let otherwise, let line):
            return evaluateIf(branchesOfIf, otherwise: otherwise, line: line, &state)
        case .caseClause(let subject, let items, let line):
            evaluateCase(subject, items, line: line, &state)
            return nil
        case .loop(let body, let line):
            // Runs a number of times known at run time: as if it may or may not run once.
            state = branches([body, ShellScript()], from: state, line: line)
            return nil
        case .group(let body, let redirections):
            if redirections.contains(where: Self.sendsErrorsToOutput) {
                problem(Self.line(of: ShellPipeline(commands: [command])), "a redirection of a whole group")
            }
            evaluate(body, &state)
            return nil
        case .subshell:
            return nil
        case .functionDefinition(let name, let body, _):
            state.functions[name] = body
            return true
        }
    }

    static func sendsErrorsToOutput(_ redirection: ShellRedirection) -> Bool {
        redirection.descriptor == 2 && redirection.operation == .duplicateOutput
            && redirection.target.plainText == "1"
    }

    mutating func evaluateIf(
        _ branchesOfIf: [(condition: ShellScript, body: ShellScript)], otherwise: ShellScript?, line: Int,
        _ state: inout State
    ) -> Bool? {
        for (index, branch) in branchesOfIf.enumerated() {
            var tested = state
            let answer = evaluateCondition(branch.condition, &tested)
            guard tested.ending == nil else {
                state = tested
                return nil
            }
            switch answer {
            case true?:
                state = tested
                evaluate(branch.body, &state)
                return nil
            case false?:
                state = tested
                continue
            case nil:
                // This test and every later one are made at run time.
                let later = Array(branchesOfIf[(index + 1)...])
                var rest = ShellScript()
                if !later.isEmpty || otherwise != nil {
                    rest.items = [
                        ShellAndOr(
                            first: ShellPipeline(commands: [
                                later.isEmpty
                                    ? .group(otherwise ?? ShellScript(), redirections: [])
                                    : .ifClause(branches: later, otherwise: otherwise, line: line)
                            ]))
                    ]
                }
                state = branches([branch.body, rest], from: tested, line: line)
                return nil
            }
        }
        if let otherwise { evaluate(otherwise, &state) }
        return nil
    }

    /// The condition's answer, when the script alone decides it.
    mutating func evaluateCondition(_ condition: ShellScript, _ state: inout State) -> Bool? {
        var answer: Bool?
        for item in condition.items {
            var copy = item
            copy.background = false
            let pipeline = item.first
            if item.rest.isEmpty, pipeline.commands.count == 1, case .simple(let simple) = pipeline.commands[0],
                simple.assignments.isEmpty
            {
                let fields = expandWords(simple.words, &state)
                answer = ShellTest.answer(fields).map { pipeline.negated ? !$0 : $0 }
                continue
            }
            evaluate(copy, &state)
            answer = nil
        }
        return answer
    }

    mutating func evaluateCase(
        _ subject: ShellWord, _ items: [(patterns: [ShellWord], body: ShellScript)], line: Int, _ state: inout State
    ) {
        let value = expandSingle(subject, &state)
        guard let known = value.known else {
            state = branches(items.map(\.body) + [ShellScript()], from: state, line: line)
            return
        }
        for item in items {
            for pattern in item.patterns {
                let text = expandPattern(pattern, &state)
                guard let patternText = text.known else {
                    state = branches(items.map(\.body) + [ShellScript()], from: state, line: line)
                    return
                }
                if ShellPattern.matches(known, patternText) {
                    evaluate(item.body, &state)
                    return
                }
            }
        }
    }

    /// Each of `bodies` run from `state`, one of them chosen at run time: what they agree on
    /// holds after; a variable they set differently is a `.branch` value.
    mutating func branches(_ bodies: [ShellScript], from state: State, line: Int) -> State {
        let results = bodies.map { body -> State in
            var copy = state
            evaluate(body, &copy)
            return copy
        }
        if var abandoned = results.first(where: { $0.ending == .abandoned }) {
            abandoned.ending = .abandoned
            return abandoned
        }
        let going = results.filter { $0.ending == nil }
        let endings = results.compactMap(\.ending).filter { $0 != .exit }
        if going.isEmpty {
            var ended = state
            ended.ending = Set(endings.map { "\($0)" }).count <= 1 ? endings.first ?? .exit : .undecided(line: line)
            return ended
        }
        var merged = going[0]
        if !endings.isEmpty { merged.ending = .undecided(line: line) }
        let names = Set(going.flatMap(\.variables.keys))
        for name in names {
            let values = going.map { $0.variables[name] }
            if values.dropFirst().allSatisfy({ $0 == values[0] }) { continue }
            merged.variables[name] = .some(ShellText(.branch(name: name, line: line)))
        }
        for result in going {
            for name in result.exportOrder where !merged.exportOrder.contains(name) { merged.exportOrder.append(name) }
            if result.errorsToOutput != merged.errorsToOutput {
                problem(line, "whether error output goes to the log depends on a test made at run time")
            }
            if result.lastCommand != merged.lastCommand { merged.lastCommand = nil }
        }
        return merged
    }
}
