import FuzzDriver
import RelayCtrlCore
import RelayCtrlRedis

/// The Redis reply reader on any bytes (whatever a peer between the hosts sends). Beyond
/// crashes: a reply ends inside the bytes and after its start, and every shorter piece of it asks
/// for more rather than being taken for something else (the reader sees replies a chunk at a time).
/// The same bytes as the text of an INFO reply (ReplicaFreshness: a server that says it is the
/// primary is believed, whatever else it says) and as RELAY_CTRL_REDIS (RedisLocation, sentinel
/// lists included: at most 16, each an address).
@_cdecl("FuzzRedisReply_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzRedisReply(data, size) }
}

func fuzzRedisReply(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let freshness = ReplicaFreshness(info: bytes)
    if freshness.role == .primary, freshness.problem(bound: 1) != nil { fatalError("a primary was not believed") }
    _ = freshness.problem(bound: 3600)
    if case .success(let location) = RedisLocation.parse(bytes: bytes),
        case .sentinels(let nodes, _) = location.endpoint
    {
        guard !nodes.isEmpty, nodes.count <= RedisLocation.sentinelLimit,
            nodes.allSatisfy({ RedisLocation.isAddress($0.address) && $0.port > 0 })
        else { fatalError("a sentinel list of \(nodes.count) was taken") }
    }
    guard case .reply(_, let end) = RedisReply.parse(bytes, from: 0) else { return 0 }
    guard end > 0, end <= bytes.count else { fatalError("a reply ending at \(end) of \(bytes.count)") }
    for length in Set([0, 1, end / 2, end - 1]) where length < end {
        guard RedisReply.parse(Array(bytes[0..<length]), from: 0) == .incomplete else {
            fatalError("the first \(length) bytes of a \(end)-byte reply did not wait for more")
        }
    }
    return 0
}
