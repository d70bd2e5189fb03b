/// `test` and `[` when the script alone decides them: string and number comparisons of known
/// text. A file test, or any operand known only at run time, is decided at run time (nil).
enum ShellTest {
    static func answer(_ fields: [ShellText]) -> Bool? {
        var words: [String] = []
        for field in fields.dropFirst() {
            guard let known = field.known else { return nil }
            words.append(known)
        }
        if fields.first?.known == "[" {
            guard words.last == "]" else { return nil }
            words.removeLast()
        }
        return evaluate(words[...])
    }

    static func evaluate(_ words: ArraySlice<String>) -> Bool? {
        if let or = words.firstIndex(of: "-o") {
            let left = evaluate(words[..<or])
            let right = evaluate(words[(or + 1)...])
            if left == true || right == true { return true }
            return left == false && right == false ? false : nil
        }
        if let and = words.firstIndex(of: "-a"), and != words.startIndex {
            let left = evaluate(words[..<and])
            let right = evaluate(words[(and + 1)...])
            if left == false || right == false { return false }
            return left == true && right == true ? true : nil
        }
        let list = Array(words)
        if list.first == "!", list.count > 1 { return evaluate(words.dropFirst()).map(!) }
        switch list.count {
        case 0: return false
        case 1: return !list[0].isEmpty
        case 2:
            switch list[0] {
            case "-z": return list[1].isEmpty
            case "-n": return !list[1].isEmpty
            default: return nil
            }
        case 3:
            let (left, right) = (list[0], list[2])
            switch list[1] {
            case "=", "==": return left == right
            case "!=": return left != right
            default:
                guard let a = Int(left), let b = Int(right) else { return nil }
                switch list[1] {
                case "-eq": return a == b
                case "-ne": return a != b
                case "-lt": return a < b
                case "-le": return a <= b
                case "-gt": return a > b
                case "-ge": return a >= b
                default: return nil
                }
            }
        default: return nil
        }
    }
}
