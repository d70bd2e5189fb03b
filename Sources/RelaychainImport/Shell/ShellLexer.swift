/// Splits sh text into tokens as the shell's own reading does (POSIX, "Token Recognition"):
/// quotes, backslashes and expansions keep a word together, `#` starts a comment only where a
/// word could start, a backslash before a newline joins the lines, and here-documents are taken
/// at the end of their line. Bounded: nesting deeper than `maximumDepth` is an error.
struct ShellLexer {
    enum Token: Equatable {
        case word(ShellWord)
        /// `;` `&` `&&` `||` `|` `(` `)` `;;`
        case control(String)
        case redirection(descriptor: Int?, ShellRedirection.Operator)
        case newline
        case end
    }

    static let maximumDepth = 32

    var characters: [Character]
    var position = 0
    var line = 1
    var depth: Int
    /// Here-documents whose bodies begin after the next newline.
    var pendingHereDocuments: [(delimiter: String, stripTabs: Bool)] = []

    init(_ characters: [Character], position: Int = 0, line: Int = 1, depth: Int = 0) {
        self.characters = characters
        self.position = position
        self.line = line
        self.depth = depth
    }

    var current: Character? { position < characters.count ? characters[position] : nil }
    func peek(_ offset: Int = 1) -> Character? {
        position + offset < characters.count ? characters[position + offset] : nil
    }

    mutating func advance() {
        if characters[position] == "\n" { line += 1 }
        position += 1
    }

    static func isOperatorStart(_ character: Character) -> Bool { ";&|()<>".contains(character) }
    static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }
    static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_")
    }

    mutating func next() throws(ShellSyntaxError) -> Token {
        while let character = current {
            if Self.isBlank(character) {
                advance()
            } else if character == "\\", peek() == "\n" {
                advance()
                advance()
            } else if character == "#" {
                while let comment = current, comment != "\n" { advance() }
            } else {
                break
            }
        }
        guard let character = current else { return .end }
        if character == "\n" {
            advance()
            try readHereDocuments()
            return .newline
        }
        if Self.isOperatorStart(character) { return try readOperator(descriptor: nil) }
        let startLine = line
        let start = position
        let parts = try readWordParts()
        // `2>&1`: a number right before a redirection names the descriptor.
        if let next = current, next == "<" || next == ">", position > start,
            characters[start..<position].allSatisfy({ $0.isASCII && $0.isNumber }),
            let descriptor = Int(String(characters[start..<position]))
        {
            return try readOperator(descriptor: descriptor)
        }
        return .word(ShellWord(parts: parts, line: startLine))
    }

    mutating func readOperator(descriptor: Int?) throws(ShellSyntaxError) -> Token {
        let character = characters[position]
        let second = peek()
        advance()
        switch character {
        case ";":
            if second == ";" {
                advance()
                return .control(";;")
            }
            return .control(";")
        case "&", "|":
            if second == character {
                advance()
                return .control(String([character, character]))
            }
            return .control(String(character))
        case "(", ")": return .control(String(character))
        case "<":
            if second == "<" {
                advance()
                if current == "-" {
                    advance()
                    return .redirection(descriptor: descriptor, .hereDocumentStrippingTabs)
                }
                return .redirection(descriptor: descriptor, .hereDocument)
            }
            if second == "&" || second == ">" {
                advance()
                return .redirection(descriptor: descriptor, second == "&" ? .duplicateInput : .readWrite)
            }
            return .redirection(descriptor: descriptor, .input)
        default:
            if second == ">" || second == "&" || second == "|" {
                advance()
                let operation: ShellRedirection.Operator =
                    second == ">" ? .append : second == "&" ? .duplicateOutput : .clobber
                return .redirection(descriptor: descriptor, operation)
            }
            return .redirection(descriptor: descriptor, .output)
        }
    }

    /// A word's pieces up to an unquoted blank, newline or operator.
    mutating func readWordParts() throws(ShellSyntaxError) -> [ShellWordPart] {
        var parts: [ShellWordPart] = []
        var literal = ""
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
        }
        while let character = current, !Self.isBlank(character), character != "\n", !Self.isOperatorStart(character) {
            switch character {
            case "'":
                flush()
                let opened = line
                advance()
                var text = ""
                while let quoted = current, quoted != "'" {
                    text.append(quoted)
                    advance()
                }
                guard current == "'" else { throw ShellSyntaxError(line: opened, message: "a ' that is never closed") }
                advance()
                parts.append(.quoted(text))
            case "\"":
                flush()
                advance()
                parts.append(.doubleQuoted(try readDoubleQuoted()))
            case "\\":
                advance()
                guard let escaped = current else { break }
                advance()
                if escaped != "\n" {
                    flush()
                    parts.append(.quoted(String(escaped)))
                }
            case "$":
                if let expansion = try readDollar() {
                    flush()
                    parts.append(expansion)
                } else {
                    literal.append("$")
                    advance()
                }
            case "`":
                flush()
                parts.append(try readBackquoted())
            default:
                literal.append(character)
                advance()
            }
        }
        flush()
        return parts
    }

    /// After an opening `"`: up to its closing one.
    mutating func readDoubleQuoted() throws(ShellSyntaxError) -> [ShellWordPart] {
        var parts: [ShellWordPart] = []
        var text = ""
        func flush() {
            if !text.isEmpty { parts.append(.quoted(text)) }
            text = ""
        }
        let opened = line
        while let character = current, character != "\"" {
            switch character {
            case "\\":
                advance()
                guard let escaped = current else { break }
                advance()
                if escaped == "\n" { continue }
                if !"$`\"\\".contains(escaped) { text.append("\\") }
                text.append(escaped)
            case "$":
                if let expansion = try readDollar() {
                    flush()
                    parts.append(expansion)
                } else {
                    text.append("$")
                    advance()
                }
            case "`":
                flush()
                parts.append(try readBackquoted())
            default:
                text.append(character)
                advance()
            }
        }
        guard current == "\"" else { throw ShellSyntaxError(line: opened, message: "a \" that is never closed") }
        advance()
        flush()
        return parts
    }

    /// At a `$`: an expansion, or nil when the `$` is a plain character.
    mutating func readDollar() throws(ShellSyntaxError) -> ShellWordPart? {
        guard let next = peek() else { return nil }
        if next == "(" {
            if peek(2) == "(" { return try readArithmetic() }
            advance()
            advance()
            return .command(try readNested(until: ")"))
        }
        if next == "{" {
            advance()
            advance()
            return .parameter(try readBraced())
        }
        if Self.isNameCharacter(next), !next.isNumber {
            advance()
            var name = ""
            while let character = current, Self.isNameCharacter(character) {
                name.append(character)
                advance()
            }
            return .parameter(ParameterExpansion(name: name))
        }
        if next.isNumber || "@*#?$!-".contains(next) {
            advance()
            advance()
            return .parameter(ParameterExpansion(name: String(next)))
        }
        return nil
    }

    mutating func readArithmetic() throws(ShellSyntaxError) -> ShellWordPart {
        let opened = line
        position += 3
        var depthOfParentheses = 0
        var text = ""
        while let character = current {
            if character == "(" { depthOfParentheses += 1 }
            if character == ")" {
                if depthOfParentheses == 0, peek() == ")" {
                    advance()
                    advance()
                    return .arithmetic(text)
                }
                depthOfParentheses -= 1
            }
            text.append(character)
            advance()
        }
        throw ShellSyntaxError(line: opened, message: "a $(( that is never closed")
    }

    /// After `${`: the name, an operator and its word, up to the matching `}`.
    mutating func readBraced() throws(ShellSyntaxError) -> ParameterExpansion {
        let opened = line
        var expansion = ParameterExpansion(name: "")
        if current == "#", let next = peek(), next != "}" {
            expansion.length = true
            advance()
        }
        if let character = current, !Self.isNameCharacter(character), "@*#?$!-".contains(character) {
            expansion.name = String(character)
            advance()
        } else {
            while let character = current, Self.isNameCharacter(character) {
                expansion.name.append(character)
                advance()
            }
        }
        guard !expansion.name.isEmpty else { throw ShellSyntaxError(line: opened, message: "a ${ with no name") }
        if current == "}" {
            advance()
            return expansion
        }
        var symbol = ""
        if current == ":" {
            symbol = ":"
            advance()
        }
        guard let character = current, "-=+?%#".contains(character) else {
            throw ShellSyntaxError(line: opened, message: "a ${\(expansion.name) expansion the shell does not know")
        }
        symbol.append(character)
        advance()
        if symbol.count == 1, character == "%" || character == "#", current == character {
            symbol.append(character)
            advance()
        }
        guard let operation = ParameterExpansion.Operator(rawValue: symbol) else {
            throw ShellSyntaxError(line: opened, message: "a ${\(expansion.name) expansion the shell does not know")
        }
        expansion.operation = operation
        expansion.word = try readBracedWord(opened: opened)
        return expansion
    }

    /// The word inside `${NAME:-...}`: quotes and expansions as in a word, blanks kept.
    mutating func readBracedWord(opened: Int) throws(ShellSyntaxError) -> ShellWord {
        var parts: [ShellWordPart] = []
        var literal = ""
        let startLine = line
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
        }
        while let character = current, character != "}" {
            switch character {
            case "'", "\"", "\\", "`", "$":
                // One piece of a word, read as a word reads it; a blank here is text.
                flush()
                if character == "$", let expansion = try readDollar() {
                    parts.append(expansion)
                } else if character == "$" {
                    literal.append("$")
                    advance()
                } else {
                    parts += try readOnePiece()
                }
            default:
                literal.append(character)
                advance()
            }
        }
        guard current == "}" else { throw ShellSyntaxError(line: opened, message: "a ${ that is never closed") }
        advance()
        flush()
        return ShellWord(parts: parts, line: startLine)
    }

    /// One quoted piece, backslash or backquote at the current position.
    mutating func readOnePiece() throws(ShellSyntaxError) -> [ShellWordPart] {
        switch current {
        case "'":
            let opened = line
            advance()
            var text = ""
            while let quoted = current, quoted != "'" {
                text.append(quoted)
                advance()
            }
            guard current == "'" else { throw ShellSyntaxError(line: opened, message: "a ' that is never closed") }
            advance()
            return [.quoted(text)]
        case "\"":
            advance()
            return [.doubleQuoted(try readDoubleQuoted())]
        case "\\":
            advance()
            guard let escaped = current else { return [] }
            advance()
            return escaped == "\n" ? [] : [.quoted(String(escaped))]
        default:
            return [try readBackquoted()]
        }
    }

    /// `` `...` ``: the text up to the closing backquote with `\$`, `` \` `` and `\\` unescaped,
    /// parsed as a script of its own.
    mutating func readBackquoted() throws(ShellSyntaxError) -> ShellWordPart {
        let opened = line
        advance()
        var text: [Character] = []
        while let character = current, character != "`" {
            if character == "\\", let next = peek(), "$`\\".contains(next) {
                text.append(next)
                advance()
                advance()
                continue
            }
            text.append(character)
            advance()
        }
        guard current == "`" else { throw ShellSyntaxError(line: opened, message: "a ` that is never closed") }
        advance()
        guard depth < Self.maximumDepth else {
            throw ShellSyntaxError(line: opened, message: "command substitutions nested too deeply")
        }
        var parser = ShellParser(lexer: ShellLexer(text, line: opened, depth: depth + 1))
        return .command(try parser.parseScript())
    }

    /// `$(...)`: a script parsed in place, up to its `)`.
    mutating func readNested(until closing: String) throws(ShellSyntaxError) -> ShellScript {
        let opened = line
        guard depth < Self.maximumDepth else {
            throw ShellSyntaxError(line: opened, message: "command substitutions nested too deeply")
        }
        var parser = ShellParser(lexer: ShellLexer(characters, position: position, line: line, depth: depth + 1))
        let script = try parser.parseList(stoppingAt: [])
        guard case .control(")") = try parser.take() else {
            throw ShellSyntaxError(line: opened, message: "a $( that is never closed")
        }
        position = parser.lexer.position
        line = parser.lexer.line
        return script
    }

    /// At the start of a line after `<<`: each pending body, up to its delimiter line.
    mutating func readHereDocuments() throws(ShellSyntaxError) {
        let pending = pendingHereDocuments
        pendingHereDocuments = []
        for document in pending {
            let opened = line
            while true {
                guard current != nil else {
                    throw ShellSyntaxError(line: opened, message: "a here-document with no \(document.delimiter) line")
                }
                var text = ""
                while let character = current, character != "\n" {
                    text.append(character)
                    advance()
                }
                if current == "\n" { advance() }
                let candidate = document.stripTabs ? String(text.drop { $0 == "\t" }) : text
                if candidate == document.delimiter { break }
            }
        }
    }
}
