/// A small line-based unified diff (LCS) that `patch` applies: in each run of changes the removed
/// lines come before the added ones, an empty side of a hunk is numbered from the line before it,
/// and a last line without a newline is marked as diff marks it.
enum UnifiedDiff {
    static func render(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old)
        let b = lines(new)
        // Longest common subsequence table, from the end.
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        enum Edit {
            case same(String)
            case removed(String)
            case added(String)
        }
        var edits: [Edit] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                edits.append(.same(a[i]))
                i += 1
                j += 1
            } else if i < a.count, j == b.count || table[i + 1][j] >= table[i][j + 1] {
                edits.append(.removed(a[i]))
                i += 1
            } else {
                edits.append(.added(b[j]))
                j += 1
            }
        }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var index = 0
        var oldLine = 1
        var newLine = 1
        while index < edits.count {
            guard edits[index..<edits.count].contains(where: { if case .same = $0 { false } else { true } }) else {
                break
            }
            // Find the next change, then grow a hunk around it.
            var first = index
            while case .same = edits[first] { first += 1 }
            let start = max(index, first - context)
            for k in index..<start {
                if case .same = edits[k] {
                    oldLine += 1
                    newLine += 1
                }
            }
            var end = first
            var lastChange = first
            while end < edits.count {
                if case .same = edits[end] {
                    if end - lastChange > context * 2 { break }
                } else {
                    lastChange = end
                }
                end += 1
            }
            end = min(edits.count, lastChange + context + 1)
            var body = ""
            var oldCount = 0
            var newCount = 0
            for edit in edits[start..<end] {
                switch edit {
                case .same(let line):
                    body += " \(shown(line))"
                    oldCount += 1
                    newCount += 1
                case .removed(let line):
                    body += "-\(shown(line))"
                    oldCount += 1
                case .added(let line):
                    body += "+\(shown(line))"
                    newCount += 1
                }
            }
            // An empty side is numbered from the line before the hunk (-0,0 for an empty file).
            let oldStart = oldCount == 0 ? oldLine - 1 : oldLine
            let newStart = newCount == 0 ? newLine - 1 : newLine
            out += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n" + body
            oldLine += oldCount
            newLine += newCount
            index = end
        }
        return out
    }

    /// A last line without its newline carries this mark, so that it differs from the same text
    /// with one (as diff sees it) and is shown with diff's note.
    private static let noNewline = "\u{0}no newline"

    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" {
            lines.removeLast()
        } else if let last = lines.popLast() {
            lines.append(last + noNewline)
        }
        return lines
    }

    private static func shown(_ line: String) -> String {
        guard line.hasSuffix(noNewline) else { return line + "\n" }
        return String(line.dropLast(noNewline.count)) + "\n\\ No newline at end of file\n"
    }
}
