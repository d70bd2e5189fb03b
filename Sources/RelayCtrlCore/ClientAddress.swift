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

    public init?(_ text: UnsafeBufferPointer<UInt8>) {
        guard let canonical = Self.canonicalText(text) else { return nil }
        self.canonical = canonical
    }

    public init?(_ text: TerminatedBytes) {
        self.init(text.bytes)
    }

    public init?(_ text: [UInt8]) {
        guard let canonical = text.withUnsafeBufferPointer({ Self.canonicalText($0) }) else { return nil }
        self.canonical = canonical
    }

    public init?(_ text: String) {
        var text = text
        guard let canonical = text.withUTF8({ Self.canonicalText($0) }) else { return nil }
        self.canonical = canonical
    }

    /// Plain loops over the bytes, fixed-size storage, no Arrays: this runs on every SMTP
    /// connection (see TerminatedBytes for why Arrays cost there).
    private static func canonicalText(_ text: UnsafeBufferPointer<UInt8>) -> String? {
        guard !text.isEmpty, text.count <= maximumLength else { return nil }
        var end = text.count
        if let percent = text.firstIndex(of: UInt8(ascii: "%")) {
            let zone = text[(percent + 1)...]
            guard !zone.isEmpty, zone.allSatisfy({ isZoneCharacter($0) }) else { return nil }
            end = percent
        }
        let address = UnsafeBufferPointer(rebasing: text[..<end])
        if let quad = parseIPv4(address) { return formatIPv4(quad) }
        guard let groups = parseIPv6(address) else { return nil }
        if (0..<5).allSatisfy({ groups[$0] == 0 }) && groups[5] == 0xFFFF {
            return formatIPv4(UInt32(groups[6]) << 16 | UInt32(groups[7]))
        }
        return formatIPv6(groups)
    }

    private static func isZoneCharacter(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Four decimal octets, 0-255, no leading zeros (which inet_aton would read as octal).
    private static func parseIPv4(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var address: UInt32 = 0
        var octets = 0
        var value = 0
        var digits = 0
        var leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                address = address << 8 | UInt32(value)
                octets += 1
                value = 0
                digits = 0
                leadingZero = false
                continue
            }
            guard isDigit(byte), digits < 3, !leadingZero else { return nil }
            if digits == 0, byte == UInt8(ascii: "0") { leadingZero = true }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            guard value <= 255 else { return nil }
        }
        guard digits > 0, octets == 3 else { return nil }
        return address << 8 | UInt32(value)
    }

    private static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The eight 16-bit groups of an IPv6 address, in place.
    struct Groups {
        private var storage: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)

        subscript(index: Int) -> UInt16 {
            get {
                precondition(index >= 0 && index < 8)
                return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: index * 2, as: UInt16.self) }
            }
            set {
                precondition(index >= 0 && index < 8)
                withUnsafeMutableBytes(of: &storage) {
                    $0.storeBytes(of: newValue, toByteOffset: index * 2, as: UInt16.self)
                }
            }
        }
    }

    /// Eight groups of one to four hex digits; at most one `::` standing for one or more zero
    /// groups; an IPv4 tail fills the last two groups.
    private static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> Groups? {
        let colon = UInt8(ascii: ":")
        func isColon(_ index: Int) -> Bool { index < bytes.count && bytes[index] == colon }
        var groups = Groups()
        var count = 0
        var index = 0
        var gap: Int?
        if isColon(0) {
            guard isColon(1) else { return nil }
            gap = 0
            index = 2
        }
        while index < bytes.count {
            var fieldEnd = index
            while fieldEnd < bytes.count, bytes[fieldEnd] != colon { fieldEnd += 1 }
            let field = UnsafeBufferPointer(rebasing: bytes[index..<fieldEnd])
            guard !field.isEmpty else { return nil }
            if field.contains(UInt8(ascii: ".")) {
                guard fieldEnd == bytes.count, count <= 6, let quad = parseIPv4(field) else { return nil }
                groups[count] = UInt16(quad >> 16)
                groups[count + 1] = UInt16(quad & 0xFFFF)
                count += 2
                break
            }
            guard field.count <= 4, count < 8 else { return nil }
            var value: UInt16 = 0
            for byte in field {
                guard let digit = hexValue(byte) else { return nil }
                value = value << 4 | digit
            }
            groups[count] = value
            count += 1
            if fieldEnd == bytes.count { break }
            if isColon(fieldEnd + 1) {
                guard gap == nil else { return nil }
                gap = count
                index = fieldEnd + 2
            } else {
                index = fieldEnd + 1
                guard index < bytes.count else { return nil }  // a trailing single colon
            }
        }
        guard let gap else { return count == 8 ? groups : nil }
        guard count <= 7 else { return nil }
        // The groups written after the gap move to the end; the gap fills with zeros.
        let after = count - gap
        for offset in stride(from: after - 1, through: 0, by: -1) { groups[8 - after + offset] = groups[gap + offset] }
        for position in gap..<(8 - after) { groups[position] = 0 }
        return groups
    }

    /// At most 39 bytes of text, built in a stack buffer.
    private static func text(_ write: (inout TextBuffer) -> Void) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { storage in
            var buffer = TextBuffer(storage: storage)
            write(&buffer)
            return String(decoding: UnsafeBufferPointer(rebasing: storage[..<buffer.count]), as: UTF8.self)
        }
    }

    struct TextBuffer {
        let storage: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        mutating func append(_ byte: UInt8) {
            storage[count] = byte
            count += 1
        }

        mutating func appendDecimal(_ octet: UInt8) {
            if octet >= 100 { append(UInt8(ascii: "0") + octet / 100) }
            if octet >= 10 { append(UInt8(ascii: "0") + octet / 10 % 10) }
            append(UInt8(ascii: "0") + octet % 10)
        }

        /// Lower case, no leading zeros.
        mutating func appendHex(_ group: UInt16) {
            var shift = 12
            while shift > 0, group >> UInt16(shift) == 0 { shift -= 4 }
            while shift >= 0 {
                let digit = UInt8(group >> UInt16(shift) & 0xF)
                append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
                shift -= 4
            }
        }
    }

    private static func formatIPv4(_ address: UInt32) -> String {
        text { buffer in
            for shift in stride(from: 24, through: 0, by: -8) {
                if shift < 24 { buffer.append(UInt8(ascii: ".")) }
                buffer.appendDecimal(UInt8(truncatingIfNeeded: address >> UInt32(shift)))
            }
        }
    }

    /// RFC 5952 section 4: lower case, no leading zeros, the longest run of two or more zero
    /// groups (the first of equals) written as `::`.
    private static func formatIPv6(_ groups: Groups) -> String {
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength, end - index >= 2 {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        return text { buffer in
            var position = 0
            while position < 8 {
                if position == bestStart {
                    buffer.append(UInt8(ascii: ":"))
                    buffer.append(UInt8(ascii: ":"))
                    position += bestLength
                    continue
                }
                if position > 0, position != bestStart + bestLength { buffer.append(UInt8(ascii: ":")) }
                buffer.appendHex(groups[position])
                position += 1
            }
        }
    }
}
