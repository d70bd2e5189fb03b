/// How a chain-loading program reads its arguments, as its own source does: getopt-style options
/// (djb's sgetopt: flags may be grouped, `-t5` and `-t 5` both give a value, `--` ends the
/// options, the first word not starting with `-` ends them too), then a fixed number of
/// operands, then the program it runs with the rest of its arguments.
///
/// Whatever is left after the operands is what the program runs: in a chain, that must be the
/// next program, so a word left over in a chain entry is a program the chain never meant to run
/// (`rblsmtpd zen.spamhaus.org` runs `zen.spamhaus.org`), and a missing value or operand swallows
/// the next program's path instead.
public struct ArgumentGrammar: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        /// Any word (a DNS zone, a message).
        case word
        /// A number, or `=` for "the hard limit" (softlimit).
        case limit
        /// A whole number (seconds).
        case number
    }

    public enum Operand: Sendable, Equatable {
        case account
        case directory
        case word
    }

    /// Option letters and what each takes (nil: a flag).
    public var options: [Character: Value?]
    /// False for programs that read no options at all (recordio, pgrphack, setuidgid): there a
    /// word starting with `-` is an operand or the program to run, and `--` is no terminator.
    public var parsesOptions: Bool
    public var operands: [Operand]
    /// The program runs its first operand, with the rest of the chain as that program's
    /// arguments (argv0): the next program of the chain never runs as a program.
    public var runsFirstOperand: Bool
    /// What each option means, for `explain`.
    public var meanings: [Character: String]
    /// The option a bare value most likely belongs to (`rblsmtpd zen.spamhaus.org`: -r).
    public var usualValueOption: Character?

    public init(
        options: [Character: Value?] = [:], parsesOptions: Bool = true, operands: [Operand] = [],
        runsFirstOperand: Bool = false, meanings: [Character: String] = [:], usualValueOption: Character? = nil
    ) {
        self.options = options
        self.parsesOptions = parsesOptions
        self.operands = operands
        self.runsFirstOperand = runsFirstOperand
        self.meanings = meanings
        self.usualValueOption = usualValueOption
    }

    /// A program that reads no options and no operands, and runs its arguments.
    public static let runsItsArguments = ArgumentGrammar(parsesOptions: false)

    /// A getopt option string (`"bBcCt:r:a:"`): a letter followed by `:` takes a value.
    public init?(optionString: String, operands: Int) {
        var options: [Character: Value?] = [:]
        var letters = Array(optionString)
        while !letters.isEmpty {
            let letter = letters.removeFirst()
            guard letter.isASCII, letter.isLetter || letter.isNumber, options[letter] == nil else { return nil }
            if letters.first == ":" {
                letters.removeFirst()
                options[letter] = .some(.word)
            } else {
                options[letter] = .some(nil)
            }
        }
        self.init(options: options, operands: Array(repeating: .word, count: operands))
    }

    /// One word as the program reads it.
    public struct Reading: Sendable, Equatable {
        public var word: Int
        public var meaning: String
    }

    public enum Problem: Error, Sendable, Equatable {
        /// `-x` is no option of the program.
        case unknownOption(word: Int, letter: Character)
        /// The option's value, or an operand, would be the next program's path.
        case missingValue(option: Character)
        case missingOperand(Operand)
        /// Not a valid value (softlimit -m abc).
        case badValue(word: Int, option: Character, Value)
        /// The program would run this word instead of the rest of the chain.
        case runsWord(word: Int)
        /// The program runs its own operand, not the rest of the chain (argv0).
        case runsOperand(word: Int)
    }

    /// Reads `words` (everything after the program's name in one chain entry); the rest of the
    /// chain follows them. Returns what each word means, or the first problem.
    public func read(_ words: [String]) -> Result<[Reading], Problem> {
        var readings: [Reading] = []
        var index = 0
        options: while parsesOptions, index < words.count {
            let word = Array(words[index])
            guard word.count > 1, word[0] == "-" else { break }
            if word == ["-", "-"] {
                readings.append(Reading(word: index, meaning: "ends the options"))
                index += 1
                break
            }
            var position = 1
            while position < word.count {
                let letter = word[position]
                guard let value = options[letter] else { return .failure(.unknownOption(word: index, letter: letter)) }
                guard let kind = value else {
                    readings.append(Reading(word: index, meaning: describe(letter, nil)))
                    position += 1
                    continue
                }
                let valueText: String
                let valueWord: Int
                if position + 1 < word.count {
                    valueText = String(word[(position + 1)...])
                    valueWord = index
                } else {
                    guard index + 1 < words.count else { return .failure(.missingValue(option: letter)) }
                    index += 1
                    valueText = words[index]
                    valueWord = index
                }
                guard Self.accepts(kind, valueText) else {
                    return .failure(.badValue(word: valueWord, option: letter, kind))
                }
                readings.append(Reading(word: valueWord, meaning: describe(letter, valueText)))
                index += 1
                continue options
            }
            index += 1
        }
        for operand in operands {
            guard index < words.count else { return .failure(.missingOperand(operand)) }
            readings.append(Reading(word: index, meaning: "\(Self.name(of: operand)) '\(words[index])'"))
            index += 1
        }
        if index < words.count { return .failure(.runsWord(word: index)) }
        if runsFirstOperand, let first = readings.first(where: { $0.meaning.hasPrefix("operand") }) {
            return .failure(.runsOperand(word: first.word))
        }
        return .success(readings)
    }

    private func describe(_ letter: Character, _ value: String?) -> String {
        let meaning = meanings[letter].map { ": \($0)" } ?? ""
        return value.map { "option -\(letter) '\($0)'\(meaning)" } ?? "option -\(letter)\(meaning)"
    }

    static func accepts(_ kind: Value, _ text: String) -> Bool {
        switch kind {
        case .word: !text.isEmpty
        case .limit: text == "=" || (!text.isEmpty && text.count <= 19 && text.allSatisfy { $0.isASCII && $0.isNumber })
        case .number: !text.isEmpty && text.count <= 9 && text.allSatisfy { $0.isASCII && $0.isNumber }
        }
    }

    static func name(of operand: Operand) -> String {
        switch operand {
        case .account: "account"
        case .directory: "directory"
        case .word: "operand"
        }
    }
}
