/// A client address from TCPREMOTEIP (tcpserver) or IP (Dovecot), in one canonical text so that
/// the login side and the SMTP side name the same grant file:
/// - IPv4 as dotted quad without leading zeros (`192.0.2.7`);
/// - IPv4-mapped IPv6 (`::ffff:192.0.2.7`, any case or spelling) as that IPv4 address;
/// - other IPv6 as RFC 5952 text (lower case, longest zero run compressed): `2001:db8::7`.
/// A zone (`%eth0`) is dropped. Anything else is refused, so it can never become a path.
public struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    /// ASCII digits, `a-f`, `.` and `:` only: safe as a file name.
    public let canonical: String

    public var description: String { canonical }

    static let maximumLength = 64

    public init?(_ text: [UInt8]) {
        guard !text.isEmpty, text.count <= Self.maximumLength else { return nil }
        var bytes = text
        if let percent = bytes.firstIndex(of: UInt8(ascii: "%")) {
            let zone = bytes[(percent + 1)...]
            guard !zone.isEmpty, zone.allSatisfy({ Self.isZoneCharacter($0) }) else { return nil }
            bytes.removeSubrange(percent...)
        }
        if let quad = Self.parseIPv4(bytes[...]) {
            canonical = Self.formatIPv4(quad)
        } else if let groups = Self.parseIPv6(bytes) {
            if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
                canonical = Self.formatIPv4([UInt8(groups[6] >> 8), UInt8(groups[6] & 0xFF), UInt8(groups[7] >> 8), UInt8(groups[7] & 0xFF)])
            } else {
                canonical = Self.formatIPv6(groups)
            }
        } else {
            return nil
        }
    }

    public init?(_ text: String) {
        self.init(Array(text.utf8))
    }

    private static func isZoneCharacter(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Four decimal octets, 0-255, no leading zeros (which inet_aton would read as octal).
    /// Plain loops over the bytes: this runs on every SMTP connection.
    private static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var octets: [UInt8] = []
        octets.reserveCapacity(4)
        var value = 0, digits = 0, leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets.count < 3 else { return nil }
                octets.append(UInt8(value))
                value = 0; digits = 0; leadingZero = false
                continue
            }
            guard isDigit(byte), digits < 3, !leadingZero else { return nil }
            if digits == 0, byte == UInt8(ascii: "0") { leadingZero = true }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard value <= 255 else { return nil }
        }
        guard digits > 0, octets.count == 3 else { return nil }
        octets.append(UInt8(value))
        return octets
    }

    private static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Eight 16-bit groups; at most one `::`; an IPv4 tail fills the last two groups.
    private static func parseIPv6(_ bytes: [UInt8]) -> [UInt16]? {
        let colon = UInt8(ascii: ":")
        var head: [UInt16] = [], tail: [UInt16] = []
        var sawGap = false
        var parts = bytes.split(separator: colon, omittingEmptySubsequences: false)[...]
        guard parts.count >= 3 else { return nil }  // even "::" splits into three parts
        // A leading or trailing "::" shows up as two empty parts; fold each into one gap marker.
        if parts.first?.isEmpty == true {
            guard parts.count > 1, parts[parts.startIndex + 1].isEmpty else { return nil }
            parts = parts.dropFirst()
        }
        if parts.last?.isEmpty == true {
            guard parts.count > 1, parts[parts.endIndex - 2].isEmpty else { return nil }
            parts = parts.dropLast()
        }
        for (offset, part) in parts.enumerated() {
            if part.isEmpty {
                guard !sawGap else { return nil }
                sawGap = true
                continue
            }
            if offset == parts.count - 1, part.contains(UInt8(ascii: ".")) {
                guard let quad = parseIPv4(part) else { return nil }
                let pair = [UInt16(quad[0]) << 8 | UInt16(quad[1]), UInt16(quad[2]) << 8 | UInt16(quad[3])]
                if sawGap { tail += pair } else { head += pair }
                continue
            }
            guard (1...4).contains(part.count) else { return nil }
            var value: UInt16 = 0
            for byte in part {
                guard let digit = hexValue(byte) else { return nil }
                value = value << 4 | digit
            }
            if sawGap { tail.append(value) } else { head.append(value) }
        }
        let written = head.count + tail.count
        if sawGap {
            guard written <= 7 else { return nil }
            return head + [UInt16](repeating: 0, count: 8 - written) + tail
        }
        return written == 8 ? head : nil
    }

    private static func formatIPv4(_ octets: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(15)
        for (index, octet) in octets.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ".")) }
            if octet >= 100 { text.append(UInt8(ascii: "0") + octet / 100) }
            if octet >= 10 { text.append(UInt8(ascii: "0") + octet / 10 % 10) }
            text.append(UInt8(ascii: "0") + octet % 10)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// RFC 5952 section 4: lower case, no leading zeros, the longest run of two or more zero
    /// groups (the first of equals) written as `::`.
    private static func formatIPv6(_ groups: [UInt16]) -> String {
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength, end - index >= 2 { bestStart = index; bestLength = end - index }
            index = end
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
