import CRelayLibc

/// relay-ctrl's stderr lines: `program: pid: message` (relay-ctrl-age leaves out the pid).
/// Each line is one write(2), so lines from concurrent processes never interleave.
public struct Log: Sendable {
    public let program: String
    public let showsPID: Bool
    /// Debug lines (RELAY_CTRL_LOG_IPS) are written only when enabled.
    public let debugEnabled: Bool

    public init(program: String, showsPID: Bool = true, debugEnabled: Bool = false) {
        self.program = program
        self.showsPID = showsPID
        self.debugEnabled = debugEnabled
    }

    public func warn(_ message: String) {
        var line = program + ": "
        if showsPID { line += String(getpid()) + ": " }
        line += message + "\n"
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    public func debug(_ message: @autoclosure () -> String) {
        if debugEnabled { warn(message()) }
    }

    public func die(_ status: Int32, _ message: String) -> Never {
        warn(message)
        exit(status)
    }

    /// The text of the current errno.
    public static func systemError(_ code: Int32 = relay_errno()) -> String {
        String(cString: strerror(code))
    }
}

/// Text for log lines from bytes that may not be UTF-8 (an address, a file name).
public func printable(_ bytes: [UInt8]) -> String {
    var text = ""
    for byte in bytes {
        if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") {
            text.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            let hex = String(byte, radix: 16)
            text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return text
}
