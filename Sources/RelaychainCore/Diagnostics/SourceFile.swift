/// A spec's text and the name it is reported under. The core never reads files: the CLI does.
public struct SourceFile: Sendable {
    public let path: String
    public let text: String
    private let lines: LineTable

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.lines = LineTable(text)
    }

    /// The text of a 1-based line without its line break, or nil past the end.
    public func line(_ number: Int) -> Substring? {
        lines.line(number)
    }
}

/// Line boundaries, found on first use: checking a spec needs none, printing a diagnostic does.
private final class LineTable: @unchecked Sendable {
    private let text: String
    private var starts: [String.Index]?
    private let lock = SpinLock()

    init(_ text: String) { self.text = text }

    func line(_ number: Int) -> Substring? {
        let starts = lock.withLock { () -> [String.Index] in
            if let starts = self.starts { return starts }
            var found = [text.startIndex]
            var index = text.utf8.startIndex
            while let newline = text.utf8[index...].firstIndex(of: UInt8(ascii: "\n")) {
                index = text.utf8.index(after: newline)
                found.append(index)
            }
            self.starts = found
            return found
        }
        guard number >= 1, number <= starts.count else { return nil }
        let start = starts[number - 1]
        var end = number < starts.count ? text.utf8.index(before: starts[number]) : text.endIndex
        if end > start, text.utf8[text.utf8.index(before: end)] == UInt8(ascii: "\r") { end = text.utf8.index(before: end) }
        return text[start..<end]
    }
}
