/// sh's pattern matching (`case`, `${VAR%pattern}`): `*`, `?`, `[...]` and backslash.
/// Matched the way glob matchers do, remembering only the last `*`: time grows with the text
/// times the pattern, never exponentially, and nothing recurses per character.
enum ShellPattern {
    enum Element: Equatable {
        case anything
        case anyOne
        case oneOf(ranges: [ClosedRange<Character>], negated: Bool)
        case literal(Character)

        func accepts(_ character: Character) -> Bool {
            switch self {
            case .anything, .anyOne: true
            case .oneOf(let ranges, let negated): ranges.contains { $0.contains(character) } != negated
            case .literal(let literal): literal == character
            }
        }
    }

    static func elements(_ pattern: String) -> [Element] {
        let characters = Array(pattern)
        var elements: [Element] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch character {
            case "*": if elements.last != .anything { elements.append(.anything) }
            case "?": elements.append(.anyOne)
            case "\\" where index < characters.count:
                elements.append(.literal(characters[index]))
                index += 1
            case "[":
                // A `]` right after `[` (or `[!`) is one of the set; with no closing `]`, `[` is itself.
                var start = index
                let negated = start < characters.count && (characters[start] == "!" || characters[start] == "^")
                if negated { start += 1 }
                guard let close = characters[min(start + 1, characters.count)...].firstIndex(of: "]") else {
                    elements.append(.literal("["))
                    continue
                }
                let set = Array(characters[start..<close])
                var ranges: [ClosedRange<Character>] = []
                var member = 0
                while member < set.count {
                    if member + 2 < set.count, set[member + 1] == "-", set[member] <= set[member + 2] {
                        ranges.append(set[member]...set[member + 2])
                        member += 3
                    } else {
                        ranges.append(set[member]...set[member])
                        member += 1
                    }
                }
                elements.append(.oneOf(ranges: ranges, negated: negated))
                index = close + 1
            default: elements.append(.literal(character))
            }
        }
        return elements
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        matches(Array(text), elements(pattern))
    }

    static func matches(_ text: [Character], _ pattern: [Element]) -> Bool {
        var (at, next) = (0, 0)
        // Where the last `*` was, and where in the text it stopped matching.
        var star: (pattern: Int, text: Int)?
        while at < text.count {
            if next < pattern.count, pattern[next] == .anything {
                star = (next, at)
                next += 1
            } else if next < pattern.count, pattern[next].accepts(text[at]) {
                next += 1
                at += 1
            } else if let last = star {
                // The `*` takes one more character, and matching goes on after it.
                star = (last.pattern, last.text + 1)
                next = last.pattern + 1
                at = last.text + 1
            } else {
                return false
            }
        }
        while next < pattern.count, pattern[next] == .anything { next += 1 }
        return next == pattern.count
    }
}
