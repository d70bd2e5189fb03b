/// A relay window length, written `15m`, `900s`, `1h` or `1h30m`; held in whole seconds.
public struct WindowLength: Hashable, Sendable, CustomStringConvertible {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    /// relay-ctrl's own default, RELAY_CTRL_EXPIRY=900.
    public static let relayCtrlDefault = WindowLength(seconds: 900)

    /// Parses one or more `<digits><unit>` parts, units h, m, s in that order; nil if malformed.
    public init?(parsing text: String) {
        let units: [(Character, Int)] = [("h", 3600), ("m", 60), ("s", 1)]
        var remaining = Substring(text)
        var total = 0
        var nextUnit = 0
        guard !remaining.isEmpty else { return nil }
        while !remaining.isEmpty {
            let digits = remaining.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 6, let number = Int(digits) else { return nil }
            remaining = remaining.dropFirst(digits.count)
            guard let unit = remaining.first,
                let index = units[nextUnit...].firstIndex(where: { $0.0 == unit })
            else { return nil }
            total += number * units[index].1
            nextUnit = index + 1
            remaining = remaining.dropFirst()
        }
        seconds = total
    }

    public var description: String { "\(seconds)s" }
}
