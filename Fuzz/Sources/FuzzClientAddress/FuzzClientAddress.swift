import FuzzDriver
import RelayCtrlCore

/// The address parser on any bytes. Beyond crashes: an accepted address is canonical (parsing its
/// canonical text gives the same text), and that text can only ever be a plain file name.
@_cdecl("FuzzClientAddress_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzClientAddress(data, size) }
}

func fuzzClientAddress(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = data ?? UnsafePointer(bitPattern: 1)!
    guard let address = ClientAddress(UnsafeBufferPointer(start: data, count: size)) else { return 0 }
    let text = address.canonical
    guard !text.isEmpty,
        text.utf8.allSatisfy({ byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }), text != ".", text != ".."
    else { fatalError("unsafe canonical text '\(text)'") }
    guard ClientAddress(text)?.canonical == text else { fatalError("'\(text)' is not a fixed point") }
    return 0
}
