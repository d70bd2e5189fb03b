/// The parts of POSIX sh that run scripts are written in, as parsed: words made of quoted and
/// unquoted pieces and expansions, simple commands with their assignments and redirections, and
/// the compound commands (`if`, `case`, loops, groups) around them.
indirect enum ShellWordPart: Equatable, Sendable {
    /// Unquoted text: it is split into fields where an expansion is, and `*` in it is a pattern.
    case literal(String)
    /// `'...'` or a backslash-escaped character: exactly this text.
    case quoted(String)
    case doubleQuoted([ShellWordPart])
    case parameter(ParameterExpansion)
    /// `$(...)` or backquotes, parsed.
    case command(ShellScript)
    /// `$((...))`, which run scripts use only with values known at run time.
    case arithmetic(String)
}

struct ShellWord: Equatable, Sendable {
    var parts: [ShellWordPart]
    var line: Int

    /// The word as plain text when it has no quotes or expansions (reserved words, names).
    var plainText: String? {
        var text = ""
        for part in parts {
            guard case .literal(let piece) = part else { return nil }
            text += piece
        }
        return text
    }
}

struct ParameterExpansion: Equatable, Sendable {
    enum Operator: String, Equatable, Sendable {
        case useDefault = "-"
        case useDefaultIfEmpty = ":-"
        case assignDefault = "="
        case assignDefaultIfEmpty = ":="
        case useAlternative = "+"
        case useAlternativeIfSet = ":+"
        case failIfUnset = "?"
        case failIfEmpty = ":?"
        case removeSmallestSuffix = "%"
        case removeLargestSuffix = "%%"
        case removeSmallestPrefix = "#"
        case removeLargestPrefix = "##"
    }

    /// A variable name, a positional parameter's number or a special parameter (`@`, `#`, `?`...).
    var name: String
    var operation: Operator?
    var word: ShellWord?
    /// `${#NAME}`.
    var length = false
}

struct ShellRedirection: Equatable, Sendable {
    enum Operator: String, Equatable, Sendable {
        case input = "<"
        case output = ">"
        case append = ">>"
        case clobber = ">|"
        case readWrite = "<>"
        case duplicateInput = "<&"
        case duplicateOutput = ">&"
        case hereDocument = "<<"
        case hereDocumentStrippingTabs = "<<-"
    }

    var descriptor: Int?
    var operation: Operator
    var target: ShellWord
}

struct ShellAssignment: Equatable, Sendable {
    var name: String
    var value: ShellWord
}

struct SimpleCommand: Equatable, Sendable {
    var assignments: [ShellAssignment] = []
    var words: [ShellWord] = []
    var redirections: [ShellRedirection] = []
    var line: Int
}

indirect enum ShellCommand: Equatable, Sendable {
    case simple(SimpleCommand)
    /// `if` with its `elif`s: each condition and its body, then the `else` body.
    case ifClause(branches: [(condition: ShellScript, body: ShellScript)], otherwise: ShellScript?, line: Int)
    case caseClause(subject: ShellWord, items: [(patterns: [ShellWord], body: ShellScript)], line: Int)
    /// `for`, `while` and `until`: their bodies run a number of times known only at run time.
    case loop(body: ShellScript, line: Int)
    case group(ShellScript, redirections: [ShellRedirection])
    case subshell(ShellScript, redirections: [ShellRedirection])
    case functionDefinition(name: String, body: ShellScript, line: Int)

    static func == (left: ShellCommand, right: ShellCommand) -> Bool {
        switch (left, right) {
        case (.simple(let a), .simple(let b)): a == b
        case (.ifClause(let a, let elseA, let lineA), .ifClause(let b, let elseB, let lineB)):
            a.count == b.count && zip(a, b).allSatisfy { $0.condition == $1.condition && $0.body == $1.body }
                && elseA == elseB && lineA == lineB
        case (.caseClause(let subjectA, let a, let lineA), .caseClause(let subjectB, let b, let lineB)):
            subjectA == subjectB && lineA == lineB && a.count == b.count
                && zip(a, b).allSatisfy { $0.patterns == $1.patterns && $0.body == $1.body }
        case (.loop(let a, let lineA), .loop(let b, let lineB)): a == b && lineA == lineB
        case (.group(let a, let redirectionsA), .group(let b, let redirectionsB)):
            a == b && redirectionsA == redirectionsB
        case (.subshell(let a, let redirectionsA), .subshell(let b, let redirectionsB)):
            a == b && redirectionsA == redirectionsB
        case (.functionDefinition(let nameA, let a, let lineA), .functionDefinition(let nameB, let b, let lineB)):
            nameA == nameB && a == b && lineA == lineB
        default: false
        }
    }
}

/// `a | b`, possibly `! a`.
struct ShellPipeline: Equatable, Sendable {
    var commands: [ShellCommand]
    var negated = false
}

/// `a && b || c`: the first pipeline, then each one with the operator before it.
struct ShellAndOr: Equatable, Sendable {
    enum Connector: Equatable, Sendable { case and, or }
    var first: ShellPipeline
    var rest: [(Connector, ShellPipeline)] = []
    /// Ended by `&`: run in the background.
    var background = false

    static func == (left: ShellAndOr, right: ShellAndOr) -> Bool {
        left.first == right.first && left.background == right.background && left.rest.count == right.rest.count
            && zip(left.rest, right.rest).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

struct ShellScript: Equatable, Sendable {
    var items: [ShellAndOr] = []
}

struct ShellSyntaxError: Error, Equatable, Sendable {
    var line: Int
    var message: String
}
