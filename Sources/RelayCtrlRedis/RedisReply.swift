#if hasFeature(Embedded)
    import RelayCtrlCoreEmbedded
#else
    import RelayCtrlCore
#endif

/// One reply of the Redis protocol (RESP2, which Redis speaks until a client says HELLO 3), and
/// its parser. The tools read only what their commands answer: statuses, errors, integers (WAIT),
/// bulk strings, nil, and arrays (SCAN's cursor and keys, ROLE, a sentinel's address and port);
/// anything deeper is parsed over and kept as `other`.
public enum RedisReply: Equatable, Sendable {
    case status([UInt8])
    case error([UInt8])
    case integer(Int)
    case bulk([UInt8])
    case missing
    /// SCAN's answer, a cursor and a list of keys; ROLE's; a sentinel's address and port (arrays
    /// deeper than `depth` are `other`).
    case array([RedisReply])
    case other

    /// What `parse` found at the front of the buffer.
    public enum Parsed: Equatable, Sendable {
        case reply(RedisReply, end: Int)
        /// A reply has begun; more bytes are needed.
        case incomplete
        case invalid(String)
    }

    /// The largest bulk string or array a reply may hold: nothing the tools ask for comes near,
    /// and a peer must not make a tool allocate what it announces.
    static let elementLimit = 64 * 1024

    /// The longest header or status line, before its CR LF.
    static let lineLimit = 1024

    /// Parses the reply that starts at `start`; `depth` is how many arrays deep it may still keep,
    /// `nesting` how deep it is (bounded: a peer's arrays in arrays must not exhaust the stack).
    public static func parse(_ bytes: [UInt8], from start: Int, depth: Int = 2, nesting: Int = 0) -> Parsed {
        guard nesting <= 8 else { return .invalid("Redis sent arrays nested too deep") }
        guard start < bytes.count else { return .incomplete }
        // A header or status line holds at most `lineLimit` bytes before its CR LF; a longer one is
        // refused whether its end has come or not, but only once no CR LF can end it in time (a
        // line of the limit with its CR already here still waits for the LF).
        guard let lineEnd = lineEnd(bytes, from: start + 1, within: lineLimit) else {
            return bytes.count - (start + 1) > lineLimit + 1
                ? .invalid("Redis sent a line longer than 1 KiB") : .incomplete
        }
        let line = Array(bytes[(start + 1)..<lineEnd])
        let next = lineEnd + 2
        switch bytes[start] {
        case UInt8(ascii: "+"): return .reply(.status(line), end: next)
        case UInt8(ascii: "-"): return .reply(.error(line), end: next)
        case UInt8(ascii: ":"):
            guard let value = integer(line) else { return .invalid("Redis sent a bad integer") }
            return .reply(.integer(value), end: next)
        case UInt8(ascii: "$"):
            guard let length = integer(line), length >= -1, length <= elementLimit else {
                return .invalid("Redis sent a bad bulk length")
            }
            if length == -1 { return .reply(.missing, end: next) }
            guard bytes.count >= next + length + 2 else { return .incomplete }
            guard bytes[next + length] == UInt8(ascii: "\r"), bytes[next + length + 1] == UInt8(ascii: "\n") else {
                return .invalid("Redis sent a bulk string without its end")
            }
            return .reply(.bulk(Array(bytes[next..<(next + length)])), end: next + length + 2)
        case UInt8(ascii: "*"):
            guard let count = integer(line), count >= -1, count <= elementLimit else {
                return .invalid("Redis sent a bad array length")
            }
            if count == -1 { return .reply(.missing, end: next) }
            var elements: [RedisReply] = []
            var position = next
            for _ in 0..<count {
                switch parse(bytes, from: position, depth: max(0, depth - 1), nesting: nesting + 1) {
                case .reply(let element, let end):
                    if depth > 0 { elements.append(element) }
                    position = end
                case let other: return other
                }
            }
            return .reply(depth > 0 ? .array(elements) : .other, end: position)
        default:
            return .invalid("Protocol error, got \"\(printable([bytes[start]]))\" as reply type byte")
        }
    }

    /// Where the CR LF that ends the line starting at `start` begins, when the line holds at most
    /// `limit` bytes.
    private static func lineEnd(_ bytes: [UInt8], from start: Int, within limit: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count, index - start <= limit {
            if bytes[index] == UInt8(ascii: "\r"), bytes[index + 1] == UInt8(ascii: "\n") { return index }
            index += 1
        }
        return nil
    }

    /// A decimal integer, optionally negative, of at most 18 digits (a reply's, or an INFO field's).
    static func integer<Bytes: Collection>(_ text: Bytes) -> Int? where Bytes.Element == UInt8 {
        let negative = text.first == UInt8(ascii: "-")
        let digits = negative ? text.dropFirst() : text[...]
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }

    /// A command as the protocol frames it: an array of bulk strings, binary-safe.
    static func encode(_ command: [[UInt8]]) -> [UInt8] {
        var bytes = Array("*\(command.count)\r\n".utf8)
        for argument in command {
            bytes += Array("$\(argument.count)\r\n".utf8)
            bytes += argument
            bytes += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        }
        return bytes
    }
}
