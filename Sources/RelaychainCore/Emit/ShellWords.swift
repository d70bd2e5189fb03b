/// Shell words as a POSIX shell reads them, for comparing what an rc.conf value holds with what a
/// merge would put there: single and double quotes and backslashes are honoured and removed;
/// expansions (`$X`, backquotes) are left as written, since only the words' text is compared.
public enum ShellWords {
    /// The words of `text`, up to an unquoted `#` that starts a word; nil when a quote is not
    /// closed.
    public static func split(_ text: Substring) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var index = text.startIndex
        func next() -> Character? {
            guard index < text.endIndex else { return nil }
            defer { index = text.index(after: index) }
            return text[index]
        }
        while let character = next() {
            switch character {
            case " ", "\t", "\n":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            case "#" where !inWord:
                return words
            case "'":
                inWord = true
                while true {
                    guard let quoted = next() else { return nil }
                    if quoted == "'" { break }
                    current.append(quoted)
                }
            case "\"":
                inWord = true
                while true {
                    guard let quoted = next() else { return nil }
                    if quoted == "\"" { break }
                    if quoted == "\\", let escaped = next() {
                        // Inside double quotes a backslash escapes only $ ` " \ and a newline.
                        if escaped == "\n" { continue }
                        if !"$`\"\\".contains(escaped) { current.append("\\") }
                        current.append(escaped)
                    } else {
                        current.append(quoted)
                    }
                }
            case "\\":
                inWord = true
                if let escaped = next(), escaped != "\n" { current.append(escaped) }
            default:
                inWord = true
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
