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

    /// How many lines the text has (a text ending in a line break has an empty last line).
    public var lineCount: Int { lines.count }

    /// The line and column (in Unicode scalars) of a UTF-8 byte offset into the text.
    public func location(ofByte offset: Int) -> SourceLocation {
        lines.location(ofByte: offset)
    }
}

/// Line boundaries, found on first use: checking a spec needs none, printing a diagnostic does.
/// Lines end where YAML (and so libyaml's positions) says they do: at LF, CR, CRLF, NEL, LS or PS.
private final class LineTable: @unchecked Sendable {
    private let text: String
    private var lines: [Range<String.Index>]?
    private let lock = SpinLock()

    init(_ text: String) { self.text = text }

    private var table: [Range<String.Index>] {
        lock.withLock {
            if let lines { return lines }
            let scalars = text.unicodeScalars
            var found: [Range<String.Index>] = []
            var start = scalars.startIndex
            var index = start
            while index < scalars.endIndex {
                let scalar = scalars[index]
                guard Self.isBreak(scalar) else {
                    index = scalars.index(after: index)
                    continue
                }
                found.append(start..<index)
                index = scalars.index(after: index)
                if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" {
                    index = scalars.index(after: index)
                }
                start = index
            }
            found.append(start..<scalars.endIndex)
            lines = found
            return found
        }
    }

    static func isBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": true
        default: false
        }
    }

    var count: Int { table.count }

    func line(_ number: Int) -> Substring? {
        let lines = table
        guard number >= 1, number <= lines.count else { return nil }
        return text[lines[number - 1]]
    }

    func location(ofByte offset: Int) -> SourceLocation {
        let lines = table
        let target =
            text.utf8.index(text.utf8.startIndex, offsetBy: offset, limitedBy: text.utf8.endIndex) ?? text.endIndex
        // The last line starting at or before the offset.
        var low = 0
        var high = lines.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lines[middle].lowerBound <= target { low = middle } else { high = middle - 1 }
        }
        let column = text.unicodeScalars[lines[low].lowerBound..<min(target, lines[low].upperBound)].count
        return SourceLocation(line: low + 1, column: column + 1)
    }
}
