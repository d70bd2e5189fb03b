import CRelayLibc

#if hasFeature(Embedded)
    import RelayCtrlCoreEmbedded
#else
    import RelayCtrlCore
#endif

/// One non-blocking connection to Redis that runs a pipeline of commands against one deadline:
/// connecting, writing and reading together never take longer than the timeout. Addresses only
/// (RedisLocation refuses names), so nothing is looked up; the protocol is RedisReply's. A reply
/// larger than `replyLimit` ends the exchange, so an answer of garbage cannot fill the memory.
final class RedisConnection {
    typealias Reply = RedisReply

    static let replyLimit = 64 * 1024

    private let descriptor: Int32
    private let deadline: Double

    private init(descriptor: Int32, deadline: Double) {
        self.descriptor = descriptor
        self.deadline = deadline
    }

    deinit {
        _ = relay_close(descriptor)
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    var remainingMilliseconds: Int32 {
        Int32(max(0, min(60_000, ((deadline - Self.now()) * 1000).rounded(.up))))
    }

    private static func failure(_ code: Int32 = relay_errno()) -> RedisFailure {
        RedisFailure(String(cString: strerror(code)))
    }

    /// Connects to the server the settings name without blocking longer than the timeout. Readers
    /// read one server (on an SMTP host, its own replica: no network on the SMTP path), so a
    /// sentinel URL is refused here, and relay-ctrl-check links none of the code that asks them.
    static func open(_ settings: RedisSettings) -> Result<RedisConnection, RedisFailure> {
        if case .sentinels = settings.endpoint {
            return .failure("a redis-sentinel:// URL is for the login side; a check reads one server")
        }
        return open(settings.endpoint, deadline: now() + Double(settings.timeoutMilliseconds) / 1000)
    }

    /// The same for a writer: with sentinels, to the primary they name (RedisSentinels), all within
    /// the one deadline.
    static func openPrimary(_ settings: RedisSettings, deadline: Double) -> Result<RedisConnection, RedisFailure> {
        guard case .sentinels(let sentinels, let master) = settings.endpoint else {
            return open(settings.endpoint, deadline: deadline)
        }
        return RedisSentinels.primary(of: master, asking: sentinels, settings, deadline: deadline).flatMap {
            open($0, deadline: deadline)
        }
    }

    /// Connects to one server without blocking past `deadline`.
    static func open(_ endpoint: RedisLocation.Endpoint, deadline: Double) -> Result<RedisConnection, RedisFailure> {
        var pause: Int32 = 1
        var connection: RedisConnection
        while true {
            let descriptor = relay_stream_socket(family(endpoint))
            guard descriptor >= 0 else { return .failure(failure()) }
            connection = RedisConnection(descriptor: descriptor, deadline: deadline)
            if connection.connect(endpoint) == 0 || relay_errno() == EINPROGRESS { break }
            // A Unix socket whose listen queue is full refuses a non-blocking connect with EAGAIN
            // (TCP would wait in the queue): try again, briefly, within the same deadline.
            let code = relay_errno()
            guard code == EAGAIN, connection.remainingMilliseconds > pause else { return .failure(failure(code)) }
            usleep(UInt32(pause) * 1000)
            pause = min(pause * 2, 16)
        }
        guard connection.wait(for: Int16(POLLOUT)) else { return .failure("no connection in time") }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(connection.descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
        if error != 0 { return .failure(failure(error)) }
        if family(endpoint) != AF_UNIX {
            // Small requests, each waited for: Nagle's delay would only add latency.
            _ = relay_set_no_delay(connection.descriptor)
        }
        return .success(connection)
    }

    private static func family(_ endpoint: RedisLocation.Endpoint) -> Int32 {
        switch endpoint {
        case .tcp(let address, _): return isIPv6(address) ? AF_INET6 : AF_INET
        case .unix: return AF_UNIX
        // Never connected to as such: open(_:) asks them for the primary first.
        case .sentinels: return AF_UNSPEC
        }
    }

    private static func isIPv6(_ address: String) -> Bool {
        address.utf8.contains(UInt8(ascii: ":"))
    }

    /// connect(2) to the endpoint: 0, or -1 with errno set.
    private func connect(_ endpoint: RedisLocation.Endpoint) -> Int32 {
        switch endpoint {
        case .tcp(let address, let port):
            if Self.isIPv6(address) {
                var peer = sockaddr_in6()
                peer.sin6_family = sa_family_t(AF_INET6)
                peer.sin6_port = UInt16(port).bigEndian
                guard inet_pton(AF_INET6, address, &peer.sin6_addr) == 1 else { return invalid() }
                return connect(to: &peer)
            }
            var peer = sockaddr_in()
            peer.sin_family = sa_family_t(AF_INET)
            peer.sin_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET, address, &peer.sin_addr) == 1 else { return invalid() }
            return connect(to: &peer)
        case .unix(let path):
            var peer = sockaddr_un()
            peer.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: peer.sun_path) else { return invalid() }
            withUnsafeMutableBytes(of: &peer.sun_path) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
            return connect(to: &peer)
        case .sentinels: return invalid()
        }
    }

    /// connect(2) to a socket address of any family, whole.
    private func connect<Address>(to peer: inout Address) -> Int32 {
        withUnsafePointer(to: &peer) {
            relay_connect(descriptor, UnsafeRawPointer($0), socklen_t(MemoryLayout<Address>.size))
        }
    }

    private func invalid() -> Int32 {
        relay_set_errno(EINVAL)
        return -1
    }

    /// Waits until the socket is ready for `events`, or the deadline passes.
    private func wait(for events: Int16) -> Bool {
        while true {
            let remaining = remainingMilliseconds
            guard remaining > 0 else { return false }
            var ready = pollfd(fd: descriptor, events: events, revents: 0)
            let count = poll(&ready, 1, remaining)
            if count > 0 { return true }
            if count < 0, relay_errno() == EINTR { continue }
            return false
        }
    }

    /// Sends every command (binary-safe arguments), then reads one reply per command.
    func run(_ commands: [[[UInt8]]]) -> Result<[Reply], RedisFailure> {
        let exchanged = exchange(commands)
        if let failure = exchanged.failure { return .failure(failure) }
        return .success(exchanged.replies)
    }

    /// The same, with the replies that came before a failure: a writer whose WAIT is still
    /// unanswered at the deadline knows its SETEX was answered.
    func exchange(_ commands: [[[UInt8]]]) -> (replies: [Reply], failure: RedisFailure?) {
        var request: [UInt8] = []
        for command in commands { request += RedisReply.encode(command) }
        var sent = 0
        while sent < request.count {
            // MSG_NOSIGNAL: a peer that hung up (spiped in front of a Redis that is down) gives EPIPE,
            // never the SIGPIPE that would kill relay-ctrl-check before it execs the mail server.
            let count = request.withUnsafeBytes { relay_send(descriptor, $0.baseAddress! + sent, $0.count - sent) }
            if count >= 0 {
                sent += count
                continue
            }
            let code = relay_errno()
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { return ([], Self.failure(code)) }
            guard wait(for: Int16(POLLOUT)) else { return ([], "Redis did not take the request in time") }
        }
        var buffer: [UInt8] = []
        var replies: [Reply] = []
        var start = 0
        while replies.count < commands.count {
            switch RedisReply.parse(buffer, from: start) {
            case .reply(let reply, let end):
                replies.append(reply)
                start = end
                continue
            case .invalid(let reason): return (replies, RedisFailure(reason))
            case .incomplete: break
            }
            guard buffer.count - start <= Self.replyLimit else { return (replies, "Redis answered more than 64 KiB") }
            guard wait(for: Int16(POLLIN)) else { return (replies, "no answer from Redis in time") }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count == 0 { return (replies, "connection closed") }
            if count < 0 {
                let code = relay_errno()
                if code == EINTR || code == EAGAIN || code == EWOULDBLOCK { continue }
                return (replies, Self.failure(code))
            }
            buffer += chunk[0..<count]
        }
        return (replies, nil)
    }
}

/// Why an exchange with Redis failed, in words for the log line.
struct RedisFailure: Error, ExpressibleByStringInterpolation, CustomStringConvertible {
    var description: String
    /// No sentinel named a primary (asking them again within the deadline would not help).
    var fromSentinels = false

    init(stringLiteral value: String) { description = value }
    init(_ text: String) { description = text }
}
