import Testing

@testable import RelayCtrlRedis

/// The tools' own reader of the Redis protocol: what each reply type parses to, where it ends,
/// and that a peer's bytes can neither make it wait for ever, allocate what it announces, nor
/// recurse without bound.
@Suite struct RedisReplyTests {
    func parse(_ text: String) -> RedisReply.Parsed {
        RedisReply.parse(Array(text.utf8), from: 0)
    }

    @Test func eachTypeAndWhereItEnds() {
        #expect(parse("+OK\r\n") == .reply(.status(Array("OK".utf8)), end: 5))
        #expect(parse("-NOPERM no\r\n") == .reply(.error(Array("NOPERM no".utf8)), end: 12))
        #expect(parse(":42\r\n+x") == .reply(.integer(42), end: 5))
        #expect(parse("$3\r\na\0b\r\n") == .reply(.bulk([97, 0, 98]), end: 9), "binary-safe")
        #expect(parse("$-1\r\n") == .reply(.missing, end: 5))
        #expect(parse("*-1\r\n") == .reply(.missing, end: 5))
        #expect(
            parse("*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n")
                == .reply(.array([.bulk([48]), .array([.bulk([97]), .bulk([98])])]), end: 29), "SCAN's answer")
        #expect(parse("*1\r\n*1\r\n*1\r\n+x\r\n") == .reply(.array([.array([.other])]), end: 16), "deeper is other")
    }

    @Test func partialRepliesWaitForMore() {
        for text in ["", "+OK", "+OK\r", "$5\r\nab", "$5\r\nabcde\r", "*2\r\n+a\r\n", ":1"] {
            #expect(parse(text) == .incomplete, "\(text.debugDescription)")
        }
    }

    @Test func hostileRepliesAreRefused() {
        #expect(parse("HTTP/1.1 400\r\n") == .invalid("Protocol error, got \"H\" as reply type byte"))
        #expect(parse("$99999999\r\n") == .invalid("Redis sent a bad bulk length"), "never allocated")
        #expect(parse("*99999999\r\n") == .invalid("Redis sent a bad array length"))
        #expect(parse("$3\r\nabcXY") == .invalid("Redis sent a bulk string without its end"))
        #expect(parse(":1x\r\n") == .invalid("Redis sent a bad integer"))
        #expect(parse("+" + String(repeating: "a", count: 2000)) == .invalid("Redis sent a line longer than 1 KiB"))
        // The limit itself is a line: whole it is taken, each piece of it waits (FuzzRedisReply found
        // a 1,023-byte status whose prefix with its CR but not its LF was refused).
        let longest = "+" + String(repeating: "a", count: 1024) + "\r\n"
        #expect(parse(longest) == .reply(.status(Array(repeating: 97, count: 1024)), end: 1027))
        for length in [1025, 1026] {
            // Bytes, not Characters: "\r\n" is one Character.
            #expect(RedisReply.parse(Array(longest.utf8.prefix(length)), from: 0) == .incomplete, "\(length) bytes")
        }
        #expect(parse("+" + String(repeating: "a", count: 1025)) == .incomplete, "a CR could not come in time yet")
        #expect(
            parse("+" + String(repeating: "a", count: 1025) + "\r\n") == .invalid("Redis sent a line longer than 1 KiB")
        )
        #expect(
            parse("+" + String(repeating: "a", count: 1024) + "\rx") == .invalid("Redis sent a line longer than 1 KiB"))
        #expect(parse(String(repeating: "*1\r\n", count: 10_000)) == .invalid("Redis sent arrays nested too deep"))
    }

    @Test func commandsAreFramedAsBulkStrings() {
        #expect(
            RedisReply.encode([Array("GET".utf8), [0, 13, 10]]) == Array("*2\r\n$3\r\nGET\r\n$3\r\n\0\r\n\r\n".utf8))
    }
}
