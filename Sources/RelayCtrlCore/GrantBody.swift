import CRelayLibc

/// A grant file's contents as read: at most `GrantRecords.readLimit` bytes, in a buffer owned
/// here (no Array: see TerminatedBytes). Immutable once read.
public final class GrantBody: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<UInt8>
    public let count: Int

    /// Reads up to the limit from `descriptor`; nil on a read error (errno tells which).
    init?(reading descriptor: Int32) {
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: GrantRecords.readLimit)
        var filled = 0
        while filled < storage.count {
            let count = read(descriptor, storage.baseAddress! + filled, storage.count - filled)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                storage.deallocate()
                return nil
            }
            filled += count
        }
        self.storage = storage
        self.count = filled
    }

    /// A copy of bytes read elsewhere (a Redis value), cut at the limit.
    public init(copying bytes: [UInt8]) {
        let count = min(bytes.count, GrantRecords.readLimit)
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, count))
        _ = storage.initialize(from: bytes.prefix(count))
        self.storage = storage
        self.count = count
    }

    deinit {
        storage.deallocate()
    }

    private var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: storage[..<count]) }

    /// Each complete record; the views are valid only during the call.
    public func forEachRecord(_ visit: (_ name: UnsafeBufferPointer<UInt8>, _ value: TerminatedBytes) -> Void) {
        GrantRecords.forEach(in: bytes, visit)
    }

    /// Copies of the records, for the paths that are not hot (tests).
    public var records: [GrantRecord] { GrantRecords.decode(bytes) }
}
