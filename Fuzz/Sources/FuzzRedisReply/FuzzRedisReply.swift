import FuzzDriver
import RelayCtrlRedis

/// The Redis reply reader on any bytes (whatever a peer between the hosts sends). Beyond
/// crashes: a reply ends inside the bytes and after its start, and every shorter piece of it asks
/// for more rather than being taken for something else (the reader sees replies a chunk at a time).
@_cdecl("FuzzRedisReply_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzRedisReply(data, size) }
}

func fuzzRedisReply(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard case .reply(_, let end) = RedisReply.parse(bytes, from: 0) else { return 0 }
    guard end > 0, end <= bytes.count else { fatalError("a reply ending at \(end) of \(bytes.count)") }
    for length in Set([0, 1, end / 2, end - 1]) where length < end {
        guard RedisReply.parse(Array(bytes[0..<length]), from: 0) == .incomplete else {
            fatalError("the first \(length) bytes of a \(end)-byte reply did not wait for more")
        }
    }
    return 0
}
