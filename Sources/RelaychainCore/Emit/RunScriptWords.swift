/// The words a run script's last exec would run, as the shell gives them: the same script with
/// `exec` printing each word NUL-terminated instead (and its `exec 2>&1` dropped, so the words
/// stay on standard output). `doctor` compares them with a running process's argv; the tests
/// read them with each program's grammar.
public enum RunScriptWords {
    public static func printing(_ script: String) -> String {
        script.replacingOccurrences(of: "exec 2>&1\n", with: "")
            .replacingOccurrences(of: "\nexec ", with: "\nprintf '%s\\0' ")
    }

    /// The words in what `printing`'s script wrote.
    public static func words(printed output: String) -> [String] {
        output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}
