/// Parses sh into `ShellScript` (POSIX "Shell Grammar"): lists, `&&`/`||`, pipelines, simple
/// commands with assignments and redirections, `if`/`elif`/`else`, `case`, `for`/`while`/`until`,
/// `{ }`, `( )` and function definitions.
struct ShellParser {
    var lexer: ShellLexer
    var lookahead: ShellLexer.Token?

    static let reserved: Set<String> = [
        "if", "then", "elif", "else", "fi", "case", "esac", "for", "while", "until", "do", "done", "in", "{", "}", "!",
    ]

    /// The whole text, or the first syntax error with its line.
    static func parse(_ text: String) -> Result<ShellScript, ShellSyntaxError> {
        var parser = ShellParser(lexer: ShellLexer(Array(text)))
        do throws(ShellSyntaxError) {
            let script = try parser.parseScript()
            return .success(script)
        } catch {
            return .failure(error)
        }
    }

    mutating func peek() throws(ShellSyntaxError) -> ShellLexer.Token {
        if let lookahead { return lookahead }
        let token = try lexer.next()
        lookahead = token
        return token
    }

    mutating func take() throws(ShellSyntaxError) -> ShellLexer.Token {
        let token = try peek()
        lookahead = nil
        return token
    }

    /// The reserved word the next token is, if it is one (only plain words can be).
    mutating func peekReserved() throws(ShellSyntaxError) -> String? {
        guard case .word(let word) = try peek(), let text = word.plainText, Self.reserved.contains(text) else {
            return nil
        }
        return text
    }

    mutating func expect(_ reserved: String, opened: Int) throws(ShellSyntaxError) {
        try skipNewlines()
        guard try peekReserved() == reserved else {
            throw ShellSyntaxError(line: lexer.line, message: "'\(reserved)' expected (for the line \(opened))")
        }
        _ = try take()
    }

    mutating func skipNewlines() throws(ShellSyntaxError) {
        while try peek() == .newline { _ = try take() }
    }

    mutating func parseScript() throws(ShellSyntaxError) -> ShellScript {
        let script = try parseList(stoppingAt: [])
        switch try peek() {
        case .end: return script
        case .control(let control):
            throw ShellSyntaxError(line: lexer.line, message: "'\(control)' where a command should be")
        default:
            let word = try peekReserved() ?? "?"
            throw ShellSyntaxError(line: lexer.line, message: "'\(word)' where a command should be")
        }
    }

    /// Commands up to one of `stops` (reserved words), `)`, `;;` or the end.
    mutating func parseList(stoppingAt stops: Set<String>) throws(ShellSyntaxError) -> ShellScript {
        var script = ShellScript()
        while true {
            while true {
                let token = try peek()
                guard token == .newline || token == .control(";") else { break }
                _ = try take()
            }
            switch try peek() {
            case .end, .control(")"), .control(";;"): return script
            default: break
            }
            if let word = try peekReserved(), stops.contains(word) { return script }
            var item = try parseAndOr()
            if try peek() == .control("&") {
                _ = try take()
                item.background = true
            }
            script.items.append(item)
            switch try peek() {
            case .newline, .control(";"), .control("&"), .end, .control(")"), .control(";;"): continue
            default:
                if let word = try peekReserved(), stops.contains(word) { continue }
                throw ShellSyntaxError(line: lexer.line, message: "a command ends where it should not")
            }
        }
    }

    mutating func parseAndOr() throws(ShellSyntaxError) -> ShellAndOr {
        var item = ShellAndOr(first: try parsePipeline())
        while true {
            let connector: ShellAndOr.Connector
            switch try peek() {
            case .control("&&"): connector = .and
            case .control("||"): connector = .or
            default: return item
            }
            _ = try take()
            try skipNewlines()
            item.rest.append((connector, try parsePipeline()))
        }
    }

    mutating func parsePipeline() throws(ShellSyntaxError) -> ShellPipeline {
        var pipeline = ShellPipeline(commands: [])
        if try peekReserved() == "!" {
            _ = try take()
            pipeline.negated = true
        }
        pipeline.commands.append(try parseCommand())
        while try peek() == .control("|") {
            _ = try take()
            try skipNewlines()
            pipeline.commands.append(try parseCommand())
        }
        return pipeline
    }

    mutating func parseCommand() throws(ShellSyntaxError) -> ShellCommand {
        let line = lexer.line
        if try peek() == .control("(") {
            _ = try take()
            let body = try parseList(stoppingAt: [])
            guard try take() == .control(")") else {
                throw ShellSyntaxError(line: line, message: "a ( that is never closed")
            }
            return .subshell(body, redirections: try parseRedirections())
        }
        switch try peekReserved() {
        case "if": return try redirected(try parseIf())
        case "case": return try redirected(try parseCase())
        case "for", "while", "until": return try redirected(try parseLoop())
        case "{":
            _ = try take()
            let body = try parseList(stoppingAt: ["}"])
            try expect("}", opened: line)
            return .group(body, redirections: try parseRedirections())
        case .some(let word):
            throw ShellSyntaxError(line: line, message: "'\(word)' where a command should be")
        case nil: return try parseSimpleOrFunction()
        }
    }

    /// `if ...; fi > /dev/null`: a compound command's redirections, kept as those of a group
    /// around it.
    mutating func redirected(_ command: ShellCommand) throws(ShellSyntaxError) -> ShellCommand {
        let redirections = try parseRedirections()
        guard !redirections.isEmpty else { return command }
        return .group(
            ShellScript(items: [ShellAndOr(first: ShellPipeline(commands: [command]))]), redirections: redirections)
    }

    mutating func parseRedirections() throws(ShellSyntaxError) -> [ShellRedirection] {
        var redirections: [ShellRedirection] = []
        while case .redirection(let descriptor, let operation) = try peek() {
            _ = try take()
            redirections.append(try parseRedirectionTarget(descriptor: descriptor, operation))
        }
        return redirections
    }

    mutating func parseRedirectionTarget(
        descriptor: Int?, _ operation: ShellRedirection.Operator
    ) throws(ShellSyntaxError) -> ShellRedirection {
        guard case .word(let target) = try take() else {
            throw ShellSyntaxError(line: lexer.line, message: "a redirection with no file")
        }
        if operation == .hereDocument || operation == .hereDocumentStrippingTabs {
            let delimiter = target.parts.map { part -> String in
                switch part {
                case .literal(let text), .quoted(let text): text
                case .doubleQuoted(let inner): inner.map { if case .quoted(let t) = $0 { t } else { "" } }.joined()
                default: ""
                }
            }.joined()
            lexer.pendingHereDocuments.append((delimiter, operation == .hereDocumentStrippingTabs))
        }
        return ShellRedirection(descriptor: descriptor, operation: operation, target: target)
    }

    mutating func parseSimpleOrFunction() throws(ShellSyntaxError) -> ShellCommand {
        var command = SimpleCommand(line: lexer.line)
        while true {
            switch try peek() {
            case .word(let word):
                if command.words.isEmpty, let assignment = Self.assignment(word) {
                    _ = try take()
                    command.assignments.append(assignment)
                    continue
                }
                _ = try take()
                if command.words.isEmpty, command.assignments.isEmpty, try peek() == .control("("),
                    let name = word.plainText
                {
                    return try parseFunction(name: name, line: word.line)
                }
                command.words.append(word)
            case .redirection(let descriptor, let operation):
                _ = try take()
                command.redirections.append(try parseRedirectionTarget(descriptor: descriptor, operation))
            default:
                guard !command.words.isEmpty || !command.assignments.isEmpty || !command.redirections.isEmpty else {
                    throw ShellSyntaxError(line: lexer.line, message: "a command is missing")
                }
                return .simple(command)
            }
        }
    }

    mutating func parseFunction(name: String, line: Int) throws(ShellSyntaxError) -> ShellCommand {
        _ = try take()
        guard try take() == .control(")") else {
            throw ShellSyntaxError(line: line, message: "'\(name)(' that does not define a function")
        }
        try skipNewlines()
        let body = try parseCommand()
        return .functionDefinition(
            name: name, body: ShellScript(items: [ShellAndOr(first: ShellPipeline(commands: [body]))]), line: line)
    }

    /// `NAME=value`: an unquoted name and `=` at the start of the word.
    static func assignment(_ word: ShellWord) -> ShellAssignment? {
        guard case .literal(let text) = word.parts.first, let equals = text.firstIndex(of: "="),
            equals != text.startIndex, text[..<equals].allSatisfy(ShellLexer.isNameCharacter),
            text.first?.isNumber == false
        else { return nil }
        let rest = String(text[text.index(after: equals)...])
        var parts = Array(word.parts.dropFirst())
        if !rest.isEmpty { parts.insert(.literal(rest), at: 0) }
        return ShellAssignment(name: String(text[..<equals]), value: ShellWord(parts: parts, line: word.line))
    }

    mutating func parseIf() throws(ShellSyntaxError) -> ShellCommand {
        let line = lexer.line
        _ = try take()
        var branches: [(condition: ShellScript, body: ShellScript)] = []
        var otherwise: ShellScript?
        while true {
            let condition = try parseList(stoppingAt: ["then"])
            try expect("then", opened: line)
            let body = try parseList(stoppingAt: ["elif", "else", "fi"])
            branches.append((condition, body))
            switch try peekReserved() {
            case "elif":
                _ = try take()
                continue
            case "else":
                _ = try take()
                otherwise = try parseList(stoppingAt: ["fi"])
            default: break
            }
            try expect("fi", opened: line)
            return .ifClause(branches: branches, otherwise: otherwise, line: line)
        }
    }

    mutating func parseCase() throws(ShellSyntaxError) -> ShellCommand {
        let line = lexer.line
        _ = try take()
        guard case .word(let subject) = try take() else {
            throw ShellSyntaxError(line: line, message: "'case' with no word")
        }
        try expect("in", opened: line)
        var items: [(patterns: [ShellWord], body: ShellScript)] = []
        while true {
            try skipNewlines()
            if try peekReserved() == "esac" {
                _ = try take()
                return .caseClause(subject: subject, items: items, line: line)
            }
            if try peek() == .control("(") { _ = try take() }
            var patterns: [ShellWord] = []
            while true {
                guard case .word(let pattern) = try take() else {
                    throw ShellSyntaxError(line: lexer.line, message: "a case pattern is missing")
                }
                patterns.append(pattern)
                let next = try take()
                if next == .control(")") { break }
                guard next == .control("|") else {
                    throw ShellSyntaxError(line: lexer.line, message: "')' expected after a case pattern")
                }
            }
            let body = try parseList(stoppingAt: ["esac"])
            items.append((patterns, body))
            if try peek() == .control(";;") { _ = try take() }
        }
    }

    mutating func parseLoop() throws(ShellSyntaxError) -> ShellCommand {
        let line = lexer.line
        guard case .word(let keyword) = try take() else { throw ShellSyntaxError(line: line, message: "a loop") }
        if keyword.plainText == "for" {
            guard case .word = try take() else { throw ShellSyntaxError(line: line, message: "'for' with no name") }
            try skipNewlines()
            if try peekReserved() == "in" {
                _ = try take()
                while case .word = try peek() { _ = try take() }
            }
            // `for NAME in WORDS; do`: the `;` ends the list as a newline does.
            if try peek() == .control(";") { _ = try take() }
        } else {
            _ = try parseList(stoppingAt: ["do"])
        }
        try expect("do", opened: line)
        let body = try parseList(stoppingAt: ["done"])
        try expect("done", opened: line)
        return .loop(body: body, line: line)
    }
}
