import CRelayLibc

/// The grant store, opened once: from RELAY_CTRL_DIR_FD (a descriptor relay-ctrl-chdir opened
/// before privileges were dropped) or else RELAY_CTRL_DIR. Every file operation is relative to
/// this descriptor; nothing is ever looked up relative to the current directory.
public struct RelayDirectory: Sendable {
    public static let pathVariable = "RELAY_CTRL_DIR"
    public static let descriptorVariable = "RELAY_CTRL_DIR_FD"

    public let descriptor: Int32
    /// True when it came as RELAY_CTRL_DIR_FD: grants are then written mode 0644, since the
    /// writer and the readers are different users (the original writes 0666).
    public let handedOver: Bool

    /// Opens the store named by the environment, or explains (through `log`) why not. The
    /// handed-over descriptor and its variable are consumed, so the programs later in the chain
    /// never inherit them.
    public static func open(log: Log) -> RelayDirectory? {
        if let text = Environment.lookup(descriptorVariable) {
            Environment.unset(descriptorVariable)
            guard let number = parseDescriptor(text.bytes) else {
                log.warn("Invalid value for $\(descriptorVariable)")
                return nil
            }
            var status = stat()
            guard fstat(number, &status) == 0, FileKind(status) == .directory else {
                log.warn("$\(descriptorVariable) (\(number)) is not an open directory")
                return nil
            }
            _ = relay_fcntl(number, F_SETFD, FD_CLOEXEC)
            return RelayDirectory(descriptor: number, handedOver: true)
        }
        guard let path = Environment.lookup(pathVariable) else {
            log.warn("$\(pathVariable) is not set")
            return nil
        }
        let descriptor = relay_open(path.start, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            log.warn("Could not open directory '\(printable(path.array))': \(Log.systemError())")
            return nil
        }
        return RelayDirectory(descriptor: descriptor, handedOver: false)
    }

    /// Closes the descriptor relay-ctrl-chdir handed over when this program did not use it (the
    /// client already relays, or has no address), so that the mail server never inherits the
    /// store. Only a descriptor that is a directory is closed: the variable may name anything.
    public static func closeHandedOver() {
        guard let text = Environment.lookup(descriptorVariable) else { return }
        Environment.unset(descriptorVariable)
        guard let number = parseDescriptor(text.bytes) else { return }
        var status = stat()
        if fstat(number, &status) == 0, FileKind(status) == .directory { _ = relay_close(number) }
    }

    public init(descriptor: Int32, handedOver: Bool) {
        self.descriptor = descriptor
        self.handedOver = handedOver
    }

    public func close() {
        _ = relay_close(descriptor)
    }

    static func parseDescriptor(_ text: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int32(text.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
    }
}

extension Array where Element == UInt8 {
    /// Calls `body` with a NUL-terminated copy.
    public func withNullTerminated<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        var terminated = self
        terminated.append(0)
        return terminated.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }
}
