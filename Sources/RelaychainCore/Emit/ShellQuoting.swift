/// Quoting for the two shell contexts the compiler writes into.
public enum ShellQuoting {
    /// Characters that need no quoting in a POSIX shell word.
    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "@", "%", "+", ":", ",", ".", "/", "-": true
        default: false
        }
    }

    /// One shell word that reads back as exactly `text`: as is when that is safe, else in single
    /// quotes (a quote inside becomes '\''). Any byte but NUL survives, newlines included.
    public static func word(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy(isPlain) {
            return text
        }
        return quoted(text)
    }

    /// Always single-quoted: `NAME='value'`, as pkgsrc's and the article's rc.conf lines write it.
    public static func quoted(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "'")) else { return "'" + text + "'" }
        return "'" + text.replacing("'", with: "'\\''") + "'"
    }

    public static func assignment(_ name: String, _ value: String) -> String {
        "\(name)=\(quoted(value))"
    }

    /// The text to put between the double quotes of an rc.conf assignment, so that after rc.conf
    /// is sourced the variable holds `shellText` exactly (rc.d later evals it as shell words).
    public static func insideDoubleQuotes(_ shellText: String) -> String {
        var out = ""
        for character in shellText {
            switch character {
            case "\\", "\"", "$", "`": out += "\\\(character)"
            default: out.append(character)
            }
        }
        return out
    }

    /// A shell word (as `word` or `quoted` write it) that also survives being field-split and
    /// joined with single spaces before it is evaluated (NetBSD rc.subr's `eval $_doit`): a space
    /// can only stand inside single quotes there, and each one that follows another is preceded
    /// by `''`, so no two are adjacent: `'a  b'` becomes `'a '' b'`, which evaluates to `a  b`.
    public static func survivingFieldSplitting(_ shellWord: String) -> String {
        guard shellWord.contains("  ") else { return shellWord }
        var out = ""
        var previous: Character?
        for character in shellWord {
            if character == " ", previous == " " { out += "''" }
            out.append(character)
            previous = character
        }
        return out
    }
}
