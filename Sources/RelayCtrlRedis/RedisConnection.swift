import CHiredis
import CRelayLibc

/// One non-blocking hiredis connection that runs a pipeline of commands against one deadline:
/// connecting, writing and reading together never take longer than the timeout (hiredis's own
/// timeouts bound each system call, not the whole exchange). A reply larger than `replyLimit`
/// ends the exchange, so an answer of garbage cannot fill the memory.
final class RedisConnection {
    enum Reply: Equatable {
        case status([UInt8])
        case error([UInt8])
        case bulk([UInt8])
        case missing
        /// SCAN's answer: a cursor and a list of keys (arrays deeper than that are `other`).
        case array([Reply])
        case other
    }

    static let replyLimit = 64 * 1024

    private let context: UnsafeMutablePointer<redisContext>
    private let deadline: Double

    private init(context: UnsafeMutablePointer<redisContext>, deadline: Double) {
        self.context = context
        self.deadline = deadline
    }

    deinit {
        redisFree(context)
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private var remainingMilliseconds: Int32 {
        Int32(max(0, min(60_000, ((deadline - Self.now()) * 1000).rounded(.up))))
    }

    /// Connects without blocking longer than the deadline.
    static func open(_ settings: RedisSettings) -> Result<RedisConnection, RedisFailure> {
        let deadline = now() + Double(settings.timeoutMilliseconds) / 1000
        var pause: Int32 = 1
        var connection: RedisConnection
        while true {
            let made: UnsafeMutablePointer<redisContext>?
            switch settings.endpoint {
            case .tcp(let address, let port): made = redisConnectNonBlock(address, port)
            case .unix(let path): made = redisConnectUnixNonBlock(path)
            }
            guard let context = made else { return .failure("cannot allocate a Redis connection") }
            connection = RedisConnection(context: context, deadline: deadline)
            if context.pointee.err == 0 { break }
            // A Unix socket whose listen queue is full refuses a non-blocking connect with EAGAIN
            // (TCP would wait in the queue): try again, briefly, within the same deadline.
            let busy = connection.errorText == String(cString: strerror(EAGAIN))
            guard busy, connection.remainingMilliseconds > pause else {
                return .failure(RedisFailure(connection.errorText))
            }
            usleep(UInt32(pause) * 1000)
            pause = min(pause * 2, 16)
        }
        let context = connection.context
        guard connection.wait(for: Int16(POLLOUT)) else {
            return .failure("no connection within \(settings.timeoutMilliseconds) ms")
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(context.pointee.fd, SOL_SOCKET, SO_ERROR, &error, &length)
        if error != 0 { return .failure(RedisFailure(String(cString: strerror(error)))) }
        return .success(connection)
    }

    private var errorText: String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Waits until the socket is ready for `events`, or the deadline passes.
    private func wait(for events: Int16) -> Bool {
        while true {
            let remaining = remainingMilliseconds
            guard remaining > 0 else { return false }
            var descriptor = pollfd(fd: context.pointee.fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, remaining)
            if ready > 0 { return true }
            if ready < 0, relay_errno() == EINTR { continue }
            return false
        }
    }

    /// Sends every command (binary-safe arguments), then reads one reply per command.
    func run(_ commands: [[[UInt8]]]) -> Result<[Reply], RedisFailure> {
        SignalPipe.ignored { exchange(commands) }
    }

    private func exchange(_ commands: [[[UInt8]]]) -> Result<[Reply], RedisFailure> {
        for command in commands {
            var lengths = command.map { $0.count }
            let status = withPointers(command) { pointers in
                redisAppendCommandArgv(context, Int32(command.count), pointers, &lengths)
            }
            guard status == REDIS_OK else { return .failure(RedisFailure(errorText)) }
        }
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else { return .failure(RedisFailure(errorText)) }
            if done == 0, !wait(for: Int16(POLLOUT)) { return .failure("Redis did not take the request in time") }
        }
        var replies: [Reply] = []
        while replies.count < commands.count {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReplyFromReader(context, &raw) == REDIS_OK else { return .failure(RedisFailure(errorText)) }
            if let raw {
                replies.append(Self.reply(raw.assumingMemoryBound(to: redisReply.self)))
                freeReplyObject(raw)
                continue
            }
            guard context.pointee.reader.pointee.len <= Self.replyLimit else {
                return .failure("Redis answered more than 64 KiB")
            }
            guard wait(for: Int16(POLLIN)) else { return .failure("no answer from Redis in time") }
            guard redisBufferRead(context) == REDIS_OK else {
                return .failure(RedisFailure(errorText.isEmpty ? "connection closed" : errorText))
            }
        }
        return .success(replies)
    }

    /// `depth`: how many arrays deep it may still go (SCAN answers an array holding one).
    private static func reply(_ reply: UnsafeMutablePointer<redisReply>, depth: Int = 2) -> Reply {
        let bytes = { () -> [UInt8] in
            guard let text = reply.pointee.str else { return [] }
            return Array(UnsafeRawBufferPointer(start: text, count: Int(reply.pointee.len)))
        }
        switch reply.pointee.type {
        case REDIS_REPLY_STATUS: return .status(bytes())
        case REDIS_REPLY_ERROR: return .error(bytes())
        case REDIS_REPLY_STRING: return .bulk(bytes())
        case REDIS_REPLY_NIL: return .missing
        case REDIS_REPLY_ARRAY:
            guard depth > 0 else { return .other }
            guard let elements = reply.pointee.element else { return .array([]) }
            return .array(
                (0..<Int(reply.pointee.elements)).map { index in
                    elements[index].map { Self.reply($0, depth: depth - 1) } ?? .other
                })
        default: return .other
        }
    }

    private func withPointers<T>(
        _ arguments: [[UInt8]], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> T
    ) -> T {
        let copies = arguments.map { argument -> UnsafeMutablePointer<CChar> in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, argument.count))
            argument.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: argument.count)
                }
            }
            return copy
        }
        defer { for copy in copies { copy.deallocate() } }
        var pointers = copies.map { UnsafePointer<CChar>?($0) }
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}

/// Why an exchange with Redis failed, in words for the log line.
struct RedisFailure: Error, ExpressibleByStringInterpolation, CustomStringConvertible {
    var description: String

    init(stringLiteral value: String) { description = value }
    init(_ text: String) { description = text }
}
