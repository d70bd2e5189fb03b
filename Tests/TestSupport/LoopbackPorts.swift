import Foundation

/// Consecutive TCP ports on 127.0.0.1 for the servers a test starts. They are taken below the
/// kernel's ephemeral range, where no outgoing connection of another test (redis-cli, a sentinel
/// asking its peers) can hold one by chance, and each is bound once to see that it is free.
public enum LoopbackPorts {
    public static func block(_ count: Int) throws -> [Int] {
        let ceiling = min(ephemeralStart(), 65_536) - count
        for _ in 0..<50 {
            let base = Int.random(in: 20_000..<ceiling)
            let ports = Array(base..<(base + count))
            if ports.allSatisfy(isFree) { return ports }
        }
        throw POSIXError(.EADDRINUSE)
    }

    /// The first port of net.ipv4.ip_local_port_range (Linux's default 32768).
    static func ephemeralStart() -> Int {
        let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        return text?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
