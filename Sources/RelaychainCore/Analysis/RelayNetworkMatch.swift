/// Which of the declared relay networks (tcprules prefixes) an address falls in.
enum RelayNetworkMatch {
    static func matches(_ address: String, _ pattern: String) -> Bool {
        if pattern.hasSuffix(".") || pattern.hasSuffix(":") { return address.hasPrefix(pattern) }
        if let dash = pattern.lastIndex(of: "-"), let dot = pattern.lastIndex(of: "."), dash > dot,
            let low = Int(pattern[pattern.index(after: dot)..<dash]),
            let high = Int(pattern[pattern.index(after: dash)...])
        {
            let prefix = String(pattern[...dot])
            guard address.hasPrefix(prefix), let last = Int(address.dropFirst(prefix.count)) else { return false }
            return (low...high).contains(last)
        }
        return address == pattern
    }
}
