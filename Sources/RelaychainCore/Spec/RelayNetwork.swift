/// tcprules address patterns: `127.`, `192.0.2.`, `192.0.2.7`, ranges `192.0.2.1-30` and `202-203.`, and IPv6
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
            guard isIPv6Pattern(pattern) else { return Problem(message: "is not an IPv6 address or prefix", fix: nil) }
            return ipv6FormProblem(pattern)
        }
        if let expanded = TcprulesRange.expand(pattern), expanded.isEmpty {
            return Problem(message: "is a range that runs downwards, so tcprules writes no address for it", fix: nil)
        }
        return isIPv4Pattern(pattern)
            ? nil
            : Problem(
                message: "is not a tcprules address prefix",
                fix: "write a prefix such as '192.0.2.' for 192.0.2.0/24, or a full address")
    }

    /// A rule's address may also name what tcpserver looks up besides the address: `=host`,
    /// `=.example.org` (a suffix), `=` (any client with a name), and `info@` before either form.
    public static func ruleProblem(with pattern: String) -> Problem? {
        let address = pattern.firstIndex(of: "@").map { String(pattern[pattern.index(after: $0)...]) } ?? pattern
        if address.hasPrefix("=") { return nil }
        return problem(with: address)
    }

    private static func octet(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 3 && text.allSatisfy { $0.isASCII && $0.isNumber }
            && (Int(text).map { $0 <= 255 } ?? false)
    }

    /// tcprules writes `N-M` in one number as one key per value: `192.0.2.37-53` is 17 addresses
    /// and `202-203.` two prefixes. Each expansion must itself be a prefix or an address.
    private static func isIPv4Pattern(_ pattern: String) -> Bool {
        guard let expanded = TcprulesRange.expand(pattern), !expanded.isEmpty else { return false }
        return expanded.allSatisfy(isPlainIPv4Pattern)
    }

    private static func isPlainIPv4Pattern(_ pattern: String) -> Bool {
        var parts = pattern.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "" {
            parts.removeLast()
            return (1...3).contains(parts.count) && parts.allSatisfy(octet)
        }
        return parts.count == 4 && parts.allSatisfy(octet)
    }

    private static func isIPv6Pattern(_ pattern: String) -> Bool {
        guard pattern.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
        let groups = pattern.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count <= 9, groups.allSatisfy({ $0.count <= 4 }) else { return false }
        return pattern.ranges(of: "::").count <= 1 && !pattern.contains(":::")
    }

    /// tcpserver writes an IPv6 client in its short form (lowercase, no leading zeros), and
    /// tcprulescheck tries the whole address, then each prefix of it that ends at a ':'. So a
    /// pattern in another form, or one that stops inside a group, matches no client.
    private static func ipv6FormProblem(_ pattern: String) -> Problem? {
        let groups = pattern.split(separator: ":", omittingEmptySubsequences: false)
        if pattern.contains(where: { $0.isUppercase }) || groups.contains(where: { $0.count > 1 && $0.hasPrefix("0") })
        {
            let short = groups.map { group in
                let trimmed = group.lowercased().drop { $0 == "0" }
                return group.isEmpty ? "" : trimmed.isEmpty ? "0" : String(trimmed)
            }
            return Problem(
                message: "matches no client: tcpserver writes IPv6 addresses in lowercase, without leading zeros",
                fix: "write '\(short.joined(separator: ":"))'")
        }
        let full = groups.count == 8 || pattern.contains("::")
        if !pattern.hasSuffix(":"), !full {
            return Problem(
                message:
                    "matches no client: tcprules matches an IPv6 address whole, or a prefix of it that ends at ':'",
                fix: "write '\(pattern):'")
        }
        return nil
    }

    private static func cidrFix(address: String, bits: Int?) -> String? {
        let octets = address.split(separator: ".")
        guard let bits, octets.count == 4, bits % 8 == 0, (8...32).contains(bits) else { return nil }
        let kept = octets.prefix(bits / 8).joined(separator: ".")
        return bits == 32 ? "write '\(kept)'" : "write '\(kept).'"
    }
}
