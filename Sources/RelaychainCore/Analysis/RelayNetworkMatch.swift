/// Which of the declared relay networks (tcprules prefixes) an address falls in.
enum RelayNetworkMatch {
    static func matches(_ address: String, _ pattern: String) -> Bool {
        (TcprulesRange.expand(pattern) ?? [pattern]).contains { key in
            key.hasSuffix(".") || key.hasSuffix(":") ? address.hasPrefix(key) : address == key
        }
    }
}
