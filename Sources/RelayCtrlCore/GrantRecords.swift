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
        for record in records {
            bytes += record.name
            bytes.append(UInt8(ascii: "="))
            bytes += record.value
            bytes.append(0)
        }
        return bytes
    }

    /// Complete records only: a trailing record without its NUL (a truncated or oversized file)
    /// and records without `=` are dropped, as the original does.
    public static func decode(_ bytes: [UInt8]) -> [GrantRecord] {
        var records: [GrantRecord] = []
        var start = 0
        while let end = bytes[start...].firstIndex(of: 0) {
            if let equals = bytes[start..<end].firstIndex(of: UInt8(ascii: "=")) {
                records.append(GrantRecord(name: Array(bytes[start..<equals]), value: Array(bytes[(equals + 1)..<end])))
            }
            start = end + 1
        }
        return records
    }
}
