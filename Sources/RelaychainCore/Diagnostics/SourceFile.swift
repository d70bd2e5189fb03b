/// A spec's text and the name it is reported under. The core never reads files: the CLI does.
public struct SourceFile: Sendable {
    public let path: String
    public let text: String
    private let lineTexts: [Substring]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.lineTexts = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The text of a 1-based line without its line break, or nil past the end.
    public func line(_ number: Int) -> Substring? {
        guard number >= 1, number <= lineTexts.count else { return nil }
        var line = lineTexts[number - 1]
        if line.hasSuffix("\r") { line = line.dropLast() }
        return line
    }
}
