import FuzzDriver
import RelayCtrlCore

/// The grant-record decoder on any bytes (a grant file is whatever a local user managed to put
/// there). Beyond crashes: records have names without '=' or NUL and values without NUL, and
/// encoding what was decoded then decoding again gives the same records.
@_cdecl("FuzzGrantRecords_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzGrantRecords(data, size) }
}

func fuzzGrantRecords(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = data ?? UnsafePointer(bitPattern: 1)!
    let body = UnsafeBufferPointer(start: data, count: min(size, GrantRecords.readLimit))
    let records = GrantRecords.decode(body)
    for record in records
    where record.name.contains(0) || record.name.contains(UInt8(ascii: "=")) || record.value.contains(0) {
        fatalError("malformed record \(record)")
    }
    guard GrantRecords.decode(GrantRecords.encode(records)) == records else { fatalError("round trip differs") }
    return 0
}
