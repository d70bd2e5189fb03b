/// tcprules address patterns: `127.`, `192.0.2.`, `192.0.2.7`, `192.0.2.1-30`, and IPv6
/// (ucspi-tcp-ipv6) `::1` or a prefix such as `2001:db8:`.
public enum RelayNetwork {
    public struct Problem: Sendable {
        public var message: String
        public var fix: String?
    }

    public static func problem(with pattern: String) -> Problem? {
        if pattern.isEmpty {
            return Problem(message: "matches every client, which makes an open relay", fix: nil)
        }
        if pattern.hasPrefix("=") {
            return Problem(
                message:
                    "names a host; relay networks must be addresses, since whoever controls reverse DNS can claim any "
                    + "name",
                fix: nil)
        }
        if let slash = pattern.firstIndex(of: "/") {
            return Problem(
                message: "uses CIDR notation, which tcprules does not understand",
                fix: cidrFix(address: String(pattern[..<slash]), bits: Int(pattern[pattern.index(after: slash)...])))
        }
        if pattern.contains(":") {
            return isIPv6Pattern(pattern) ? nil : Problem(message: "is not an IPv6 address or prefix", fix: nil)
        }
        return isIPv4Pattern(pattern)
            ? nil
            : Problem(
                message: "is not a tcprules address prefix",
                fix: "write a prefix such as '192.0.2.' for 192.0.2.0/24, or a full address")
    }

    private static func octet(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 3 && text.allSatisfy { $0.isASCII && $0.isNumber }
            && (Int(text).map { $0 <= 255 } ?? false)
    }

    private static func isIPv4Pattern(_ pattern: String) -> Bool {
        var parts = pattern.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "" {
            parts.removeLast()
            return (1...3).contains(parts.count) && parts.allSatisfy(octet)
        }
        guard parts.count == 4, parts.dropLast().allSatisfy(octet) else { return false }
        let last = parts[3].split(separator: "-", omittingEmptySubsequences: false)
        guard last.allSatisfy(octet), (1...2).contains(last.count) else { return false }
        guard last.count == 2, let low = Int(last[0]), let high = Int(last[1]) else { return last.count == 1 }
        return low <= high
    }

    private static func isIPv6Pattern(_ pattern: String) -> Bool {
        guard pattern.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
        let groups = pattern.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count <= 9, groups.allSatisfy({ $0.count <= 4 }) else { return false }
        return pattern.ranges(of: "::").count <= 1 && !pattern.contains(":::")
    }

    private static func cidrFix(address: String, bits: Int?) -> String? {
        let octets = address.split(separator: ".")
        guard let bits, octets.count == 4, bits % 8 == 0, (8...32).contains(bits) else { return nil }
        let kept = octets.prefix(bits / 8).joined(separator: ".")
        return bits == 32 ? "write '\(kept)'" : "write '\(kept).'"
    }
}
