/// The numeric settings, read the way the original reads them.
public enum Settings {
    public static let defaultWindow = 900

    /// RELAY_CTRL_EXPIRY as atol() reads it (leading blanks, sign, then digits; `15m` is 15);
    /// unset, zero or negative means 900. Capped at ten years so that arithmetic cannot overflow.
    public static func window(_ text: [UInt8]?) -> Int {
        guard let text else { return defaultWindow }
        return text.withUnsafeBufferPointer { window($0) }
    }

    public static func window(_ text: TerminatedBytes?) -> Int {
        guard let text else { return defaultWindow }
        return window(text.bytes)
    }

    static func window(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        var rest = text.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var negative = false
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        var value = 0
        for byte in rest {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 315_360_000)
        }
        return negative || value <= 0 ? defaultWindow : value
    }
}
