/// The body of a grant file, as relay-ctrl writes it: zero or more `NAME=VALUE` records, each
/// terminated by a NUL byte.
public struct GrantRecord: Hashable, Sendable {
    public var name: [UInt8]
    public var value: [UInt8]

    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }

    public var nameText: String { printable(name) }
}

public enum GrantRecords {
    /// The original reads at most 8 KiB of a grant file; so do we.
    public static let readLimit = 8192

    public static func encode(_ records: [GrantRecord]) -> [UInt8] {
        var bytes: [UInt8] = []
        // One allocation, not one per growth.
        bytes.reserveCapacity(records.reduce(0) { $0 + $1.name.count + $1.value.count + 2 })
        for record in records {
            bytes += record.name
            bytes.append(UInt8(ascii: "="))
            bytes += record.value
            bytes.append(0)
        }
        return bytes
    }

    /// Each complete record of `body`, in place: its name (not terminated) and its value
    /// (terminated by the record's NUL). A trailing record without its NUL (a truncated or
    /// oversized file) and records without `=` are skipped, as the original does.
    public static func forEach(
        in body: UnsafeBufferPointer<UInt8>,
        _ visit: (_ name: UnsafeBufferPointer<UInt8>, _ value: TerminatedBytes) -> Void
    ) {
        guard let base = body.baseAddress else { return }
        var start = 0
        while let end = body[start...].firstIndex(of: 0) {
            if let equals = body[start..<end].firstIndex(of: UInt8(ascii: "=")) {
                let value = UnsafeRawPointer(base + equals + 1).assumingMemoryBound(to: CChar.self)
                visit(
                    UnsafeBufferPointer(rebasing: body[start..<equals]),
                    TerminatedBytes(start: value, count: end - equals - 1))
            }
            start = end + 1
        }
    }

    /// Copies of the complete records, for the paths that are not hot (tests).
    public static func decode(_ body: UnsafeBufferPointer<UInt8>) -> [GrantRecord] {
        var records: [GrantRecord] = []
        forEach(in: body) { name, value in records.append(GrantRecord(name: Array(name), value: value.array)) }
        return records
    }

    public static func decode(_ bytes: [UInt8]) -> [GrantRecord] {
        bytes.withUnsafeBufferPointer { decode($0) }
    }
}
