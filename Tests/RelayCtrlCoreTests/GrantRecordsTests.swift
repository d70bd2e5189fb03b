import RelayCtrlCore
import Testing

@Suite struct GrantRecordsTests {
    /// The original's format, byte for byte.
    @Test func encodesNulTerminatedRecords() {
        let bytes = GrantRecords.encode([
            GrantRecord(name: Array("USER".utf8), value: Array("alice".utf8)),
            GrantRecord(name: Array("DOMAIN".utf8), value: []),
        ])
        #expect(bytes == Array("USER=alice\0DOMAIN=\0".utf8))
        #expect(GrantRecords.encode([]) == [])
    }

    @Test func decodesCompleteRecordsOnly() {
        let records = GrantRecords.decode(Array("USER=alice\0junk\0DOMAIN=a=b\0TRUNCATED=x".utf8))
        #expect(records.map(\.nameText) == ["USER", "DOMAIN"])
        #expect(records[1].value == Array("a=b".utf8))
    }

    @Test func valuesKeepEveryByteButNul() {
        let value: [UInt8] = [0xFF, 0x0A, 0x24, 0x27, 0x60]
        let round = GrantRecords.decode(GrantRecords.encode([GrantRecord(name: Array("USER".utf8), value: value)]))
        #expect(round.first?.value == value)
    }
}
