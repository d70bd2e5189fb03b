/// A value the shell computes only when the script runs, named by where it comes from. Two run
/// scripts that compute a value the same way (`id -u qmaild` in backquotes or in `$(...)`,
/// `head -1 FILE` or `head -n 1 FILE`) give the same `RuntimeValue`.
enum RuntimeValue: Hashable, Sendable, CustomStringConvertible {
    /// `id -u NAME`, `id -g NAME`.
    case userID(String)
    case groupID(String)
    /// `cat FILE`, `head -1 FILE`.
    case fileContents(String)
    case firstLine(String)
    /// `hostname`.
    case hostName
    /// The output of another command, by its words.
    case output([String])
    /// A variable the script never sets: whatever its supervisor's environment holds.
    case environment(String)
    /// A variable set differently in branches that a test at run time chooses between.
    case branch(name: String, line: Int)
    /// Anything else known only at run time, described.
    case unknown(String)

    var description: String {
        switch self {
        case .userID(let name): "the user ID of \(name) (id -u \(name))"
        case .groupID(let name): "the group ID of \(name) (id -g \(name))"
        case .fileContents(let path): "the contents of \(path)"
        case .firstLine(let path): "the first line of \(path)"
        case .hostName: "the host name (hostname)"
        case .output(let words): "the output of '\(words.joined(separator: " "))'"
        case .environment(let name): "$\(name) from the environment the script starts with"
        case .branch(let name, let line): "$\(name), which a test at line \(line) chooses at run time"
        case .unknown(let what): what
        }
    }
}

/// A word or value after expansion: known text and run-time values, in order.
struct ShellText: Hashable, Sendable, CustomStringConvertible {
    enum Piece: Hashable, Sendable {
        case text(String)
        case runtime(RuntimeValue)
    }

    private(set) var pieces: [Piece] = []
    /// Characters of known text plus one for each run-time value: what bounds a value's growth.
    private(set) var size = 0

    init() {}
    init(_ text: String) {
        if !text.isEmpty {
            pieces = [.text(text)]
            size = text.count
        }
    }
    init(_ value: RuntimeValue) {
        pieces = [.runtime(value)]
        size = 1
    }

    var isEmpty: Bool { pieces.isEmpty }

    /// The text, when nothing in it waits for run time.
    var known: String? {
        var text = ""
        for piece in pieces {
            guard case .text(let part) = piece else { return nil }
            text += part
        }
        return text
    }

    /// The run-time values in it.
    var runtimeValues: [RuntimeValue] {
        pieces.compactMap { if case .runtime(let value) = $0 { value } else { nil } }
    }

    mutating func append(_ other: ShellText) {
        size += other.size
        for piece in other.pieces {
            if case .text(let added) = piece, case .text(let last)? = pieces.last {
                pieces[pieces.count - 1] = .text(last + added)
            } else {
                pieces.append(piece)
            }
        }
    }

    mutating func append(_ text: String) { append(ShellText(text)) }

    /// Shell-like: known text as it is, a run-time value as `<what it is>`.
    var description: String {
        pieces.map { piece in
            switch piece {
            case .text(let text): text
            case .runtime(let value): "<\(value)>"
            }
        }.joined()
    }
}
