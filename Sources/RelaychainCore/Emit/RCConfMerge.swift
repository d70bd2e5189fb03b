/// Puts the rc.conf variables of a build into an existing rc.conf: each variable's earlier
/// assignment is replaced where it stands (later ones, which would override it, are removed),
/// missing ones are appended, and every other byte is left as it was. Merging twice changes
/// nothing the second time.
public enum RCConfMerge {
    public static func merge(_ fragment: String, into existing: String) -> String {
        let ours = assignments(in: lines(fragment))
        var result = lines(existing)
        var missing: [String] = []
        for (name, range) in ours {
            let newLines = Array(lines(fragment)[range])
            let found = assignments(in: result).filter { $0.name == name }
            guard let first = found.first else {
                missing += newLines
                continue
            }
            // Remove later occurrences first (from the end) so that earlier ranges stay valid.
            for later in found.dropFirst().reversed() { result.removeSubrange(later.range) }
            result.replaceSubrange(first.range, with: newLines)
        }
        if !missing.isEmpty {
            if let last = result.last, !last.isEmpty { result.append("") }
            result.append("# POP/IMAP-before-SMTP relaying, added by relaychain build --merge-into:")
            result += missing
        }
        return result.joined(separator: "\n") + (existing.isEmpty && result.isEmpty ? "" : "\n")
    }

    /// A word an existing assignment holds that the merge would not write back.
    public struct DroppedWord: Equatable, Sendable {
        public var variable: String
        public var word: String
        /// 1-based line of the assignment in the existing file.
        public var line: Int
    }

    /// The words each of our variables holds now (as rc.d would read them: the assignment's
    /// value, then that value's own words) that its merged value would no longer hold. An
    /// administrator's words (a content filter in QMAILQUEUE, fixsmtpio in presmtpd) are data:
    /// the caller refuses to drop them silently.
    public static func droppedWords(_ fragment: String, into existing: String) -> [DroppedWord] {
        let fragmentLines = lines(fragment)
        let existingLines = lines(existing)
        var dropped: [DroppedWord] = []
        for (name, range) in assignments(in: fragmentLines) {
            let newWords = words(of: fragmentLines[range], name)
            for old in assignments(in: existingLines) where old.name == name {
                var remaining = newWords
                for word in words(of: existingLines[old.range], name) {
                    if let found = remaining.firstIndex(of: word) {
                        remaining.remove(at: found)
                    } else {
                        dropped.append(DroppedWord(variable: name, word: word, line: old.range.lowerBound + 1))
                    }
                }
            }
        }
        return dropped
    }

    /// The words of an assignment's value: `name="a 'b c'"` holds `a` and `b c`.
    private static func words(of lines: ArraySlice<String>, _ name: String) -> [String] {
        let text = lines.joined(separator: "\n").drop { $0 == " " || $0 == "\t" }.dropFirst(name.count + 1)
        guard let value = ShellWords.split(text)?.first else { return [] }
        return ShellWords.split(Substring(value)) ?? [value]
    }

    /// The text split into lines, without the final newline's empty line.
    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// `NAME=value` assignments at the start of a line, with the lines they span (a quoted value
    /// may continue over several lines).
    public static func assignments(in lines: [String]) -> [(name: String, range: Range<Int>)] {
        var found: [(String, Range<Int>)] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].drop { $0 == " " || $0 == "\t" }
            guard let equals = line.firstIndex(of: "="), !line.isEmpty, line.first != "#",
                line[..<equals].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
                !line[..<equals].isEmpty
            else {
                index += 1
                continue
            }
            var end = index + 1
            var open = openQuote(in: line[line.index(after: equals)...], state: nil)
            while let quote = open, end < lines.count {
                open = openQuote(in: Substring(lines[end]), state: quote)
                end += 1
            }
            found.append((String(line[..<equals]), index..<end))
            index = end
        }
        return found
    }

    /// The quote still open at the end of `text`, starting inside `state`, if any.
    private static func openQuote(in text: Substring, state: Character?) -> Character? {
        var quote = state
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
                continue
            }
            switch (quote, character) {
            case (nil, "#"): return nil
            case (nil, "\""), (nil, "'"): quote = character
            case ("\"", "\\"): escaped = true
            case (nil, "\\"): escaped = true
            case (let open?, _) where character == open: quote = nil
            default: break
            }
        }
        return quote
    }
}
