import RelayCtrlCore
import Testing

@Suite struct ClientAddressTests {
    @Test(arguments: [
        ("192.0.2.7", "192.0.2.7"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:192.0.2.1", "192.0.2.1"),
        ("0:0:0:0:0:ffff:192.0.2.1", "192.0.2.1"),
        ("::ffff:c000:201", "192.0.2.1"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("::1", "::1"),
        ("::", "::"),
        ("1::", "1::"),
        ("fe80::1%eth0", "fe80::1"),
        ("2001:db8::192.0.2.1", "2001:db8::c000:201"),
    ])
    func canonicalises(_ text: String, _ canonical: String) {
        #expect(ClientAddress(text)?.canonical == canonical)
    }

    @Test(arguments: [
        "", "../x", "/etc/passwd", "192.0.2.7/..", "192.0.2.7\n", "192.0.2.7 ", " 192.0.2.7", "1.2.3", "1.2.3.4.5",
        "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3", "::ffff:999.1.1.1", ":::", "1::2::3", "12345::", "g::",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "fe80::1%", "fe80::1%eth/0",
        "localhost", ".", "..", String(repeating: "1", count: 65), "1.2.3.4%",
    ])
    func refuses(_ text: String) {
        #expect(ClientAddress(text) == nil)
    }

    @Test func refusesEmbeddedNUL() {
        #expect(ClientAddress(Array("192.0.2.7".utf8) + [0]) == nil)
        #expect(ClientAddress([0x31, 0x00, 0x2E, 0x32]) == nil)
    }

    @Test func canonicalTextIsAlwaysASafeFileName() {
        let samples = ["192.0.2.7", "::1", "2001:db8::7", "::ffff:10.0.0.1", "fe80::a%x"]
        for sample in samples {
            let name = ClientAddress(sample)!.canonical
            #expect(name.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" })
            #expect(name != "." && name != ".." && !name.hasPrefix("."))
        }
    }
}
