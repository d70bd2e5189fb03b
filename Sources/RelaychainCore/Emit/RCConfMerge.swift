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

    /// The text split into lines, without the final newline's empty line.
    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// `NAME=value` assignments at the start of a line, with the lines they span (a quoted value
    /// may continue over several lines).
    static func assignments(in lines: [String]) -> [(name: String, range: Range<Int>)] {
        var found: [(String, Range<Int>)] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].drop { $0 == " " || $0 == "\t" }
            guard let equals = line.firstIndex(of: "="), !line.isEmpty, line.first != "#",
                line[..<equals].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !line[..<equals].isEmpty
            else { index += 1; continue }
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
            if escaped { escaped = false; continue }
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
