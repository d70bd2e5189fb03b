/// What a chain entry's arguments would make its program do, when that is not "run the rest of
/// the chain": each problem of `ArgumentGrammar.read` as a diagnostic at the word concerned.
enum ArgumentDiagnostics {
    /// `words` are the entry's arguments after the program (a user wrapper's own `args` first).
    static func check(_ program: Written<String>, _ words: [Located<String>], _ grammar: ArgumentGrammar) -> Diagnostic?
    {
        guard case .failure(let problem) = grammar.read(words.map(\.value)) else { return nil }
        let name = program.value
        func at(_ index: Int) -> SourceLocation { words[index].location ?? program.location }
        let end = words.last?.location ?? program.location
        let takes = DiagnosticNote("\(name) reads: \(synopsis(name, grammar))")
        switch problem {
        case .unknownOption(let word, let letter):
            let option = letter == "-" ? "'\(words[word].value)'" : "-\(letter)"
            return .error(
                .unknownOption, "\(name) has no option \(option); it would refuse to start", at: at(word),
                notes: [takes])
        case .missingValue(let option):
            return .error(
                .missingArgument,
                "option -\(option) of \(name) needs a value; here it would take the next program's path",
                at: end, notes: [takes], fix: "give -\(option) its value in this entry")
        case .missingOperand(let operand):
            let what = ArgumentGrammar.name(of: operand)
            return .error(
                .missingArgument,
                "\(name) needs \(article(what)) \(what) before the program it runs; "
                    + "here it would take the next program's path",
                at: words.isEmpty ? program.location : end, notes: [takes], fix: "write '\(name) \(what.uppercased())'"
            )
        case .badValue(let word, let option, let kind):
            return .error(
                .missingArgument, "'\(words[word].value)' is not a valid value for option -\(option) of \(name)",
                at: at(word), notes: [DiagnosticNote("-\(option) takes \(describe(kind))"), takes])
        case .runsWord(let word):
            var fix = "remove '\(words[word].value)'"
            if let option = grammar.usualValueOption, !words[word].value.hasPrefix("-") {
                var fixed = words.map(\.value)
                fixed.insert("-\(option)", at: word)
                fix = "did you mean '\(([name] + fixed).joined(separator: " "))'?"
            }
            return .error(
                .runsWrongProgram,
                "\(name) would run '\(words[word].value)' as its program instead of the rest of the chain",
                at: at(word), notes: [DiagnosticNote("every connection would fail"), takes], fix: fix)
        case .runsOperand(let word):
            return .error(
                .runsWrongProgram,
                "\(name) runs '\(words[word].value)' with the rest of the chain as its arguments: "
                    + "the next program never runs",
                at: at(word), fix: "write the program itself in the chain instead of \(name)")
        }
    }

    static func synopsis(_ name: String, _ grammar: ArgumentGrammar) -> String {
        var parts: [String] = []
        // b B c C ...: each letter's lower case first, as manual pages list them.
        for letter in grammar.options.keys.sorted(by: {
            $0.lowercased() != $1.lowercased() ? $0.lowercased() < $1.lowercased() : $0.isLowercase
        }) {
            let takesValue = grammar.options[letter].map { $0 != nil } ?? false
            parts.append(takesValue ? "[-\(letter) VALUE]" : "[-\(letter)]")
        }
        parts += grammar.operands.map { ArgumentGrammar.name(of: $0).uppercased() }
        return (parts + ["PROGRAM..."]).joined(separator: " ")
    }

    private static func describe(_ kind: ArgumentGrammar.Value) -> String {
        switch kind {
        case .word: "a word"
        case .limit: "a number or '=' (the hard limit)"
        case .number: "a whole number"
        }
    }

    private static func article(_ word: String) -> String {
        "aeiou".contains(word.first ?? "x") ? "an" : "a"
    }
}
