/// tcprules' number ranges: in a rule address, one `N-M` between two dots (or the start and a
/// dot) stands for each of N, N+1, ... M in its place, so `10.1-3.` is the keys `10.1.`,
/// `10.2.` and `10.3.`. tcprules rejects a second dash; a range that runs downwards writes no key.
public enum TcprulesRange {
    /// The keys tcprules writes for `pattern`: itself when it holds no dash, nil when tcprules
    /// would refuse the line, empty for a downward range.
    public static func expand(_ pattern: String) -> [String]? {
        // A host name (`=mail-1.example.org`) or an IPv6 prefix holds no range.
        guard let dash = pattern.firstIndex(of: "-"),
            pattern.allSatisfy({ $0 == "." || $0 == "-" || $0.isASCII && $0.isNumber })
        else { return [pattern] }
        let after = pattern.index(after: dash)
        guard !pattern[after...].contains("-") else { return nil }
        let start = pattern[..<dash].lastIndex(of: ".").map { pattern.index(after: $0) } ?? pattern.startIndex
        let end = pattern[after...].firstIndex { !($0.isASCII && $0.isNumber) } ?? pattern.endIndex
        let lowText = pattern[start..<dash]
        let highText = pattern[after..<end]
        guard !lowText.isEmpty, !highText.isEmpty, lowText.count <= 3, highText.count <= 3,
            let low = Int(lowText), let high = Int(highText)
        else { return nil }
        guard low <= high else { return [] }
        let prefix = pattern[..<start]
        let suffix = pattern[end...]
        return (low...high).map { "\(prefix)\($0)\(suffix)" }
    }
}
