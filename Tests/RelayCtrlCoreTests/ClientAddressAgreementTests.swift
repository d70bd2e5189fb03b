import Glibc
import RelayCtrlCore
import TestSupport
import Testing

/// The address parser agrees with glibc's inet_pton and inet_ntop (the C library's reading
/// of the same texts) on 200,000 generated texts: well-formed addresses in every spelling,
/// and near misses built from the same characters. Deterministic: a failure names the text.
@Suite struct ClientAddressAgreementTests {
    typealias Generator = SplitMix64

    /// glibc's verdict: the canonical text it gives, with two documented differences applied.
    /// An IPv4-mapped address is named by its IPv4 text (so that both sides of relay-ctrl meet
    /// on one file), and glibc writes `::a.b.c.d` (deprecated IPv4-compatible) with a dotted
    /// tail where RFC 5952 wants hex groups; such addresses are left out of the comparison.
    static func libc(_ text: String) -> (canonical: String?, comparable: Bool) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return (withUnsafeBytes(of: v4) { ntop(AF_INET, $0, 16) }, true)
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return (nil, true) }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return ("\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])", true)
        }
        if bytes[0..<12].allSatisfy({ $0 == 0 }) && !(bytes[12] == 0 && bytes[13] == 0) {
            return (nil, false)
        }
        return (withUnsafeBytes(of: v6) { ntop(AF_INET6, $0, 46) }, true)
    }

    static func ntop(_ family: Int32, _ address: UnsafeRawBufferPointer, _ size: Int) -> String {
        var buffer = [CChar](repeating: 0, count: size)
        _ = inet_ntop(family, address.baseAddress, &buffer, socklen_t(size))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A valid address, written one of the many ways people and servers write them.
    static func spelledAddress(_ generator: inout Generator) -> String {
        if generator.below(4) == 0 {
            return (0..<4).map { _ in String(generator.below(3) == 0 ? generator.below(10) : generator.below(256)) }
                .joined(separator: ".")
        }
        // Groups biased towards zero, so that zero runs of every length occur.
        var groups = (0..<8).map { _ in
            generator.below(3) == 0 ? generator.below(0x10000) : (generator.below(4) == 0 ? 1 : 0)
        }
        let mapped = generator.below(8) == 0
        if mapped { groups = [0, 0, 0, 0, 0, 0xFFFF, generator.below(0x10000), generator.below(0x10000)] }
        var words = groups.map { group -> String in
            var hex = String(group, radix: 16, uppercase: generator.below(4) == 0)
            while hex.count < 4, generator.below(4) == 0 { hex = "0" + hex }
            return hex
        }
        if generator.below(4) == 0 {
            let quad = [groups[6] >> 8, groups[6] & 0xFF, groups[7] >> 8, groups[7] & 0xFF].map(String.init).joined(
                separator: ".")
            words = Array(words[0..<6]) + [quad]
        }
        // Compress some run of zero groups (any, not only the longest), or none.
        let zeroRuns = words.indices.filter { words[$0].allSatisfy { $0 == "0" } }
        if let start = zeroRuns.randomElement(using: &generator), generator.below(3) != 0 {
            var end = start
            while end + 1 < words.count, words[end + 1].allSatisfy({ $0 == "0" }) { end += 1 }
            let length = 1 + generator.below(end - start + 1)
            let head = words[0..<start].joined(separator: ":")
            let tail = words[(start + length)...].joined(separator: ":")
            return head + "::" + tail
        }
        return words.joined(separator: ":")
    }

    /// A near miss: characters addresses are made of, in a random order.
    static func nearMiss(_ generator: inout Generator) -> String {
        let alphabet = Array("0123456789abcdefABCDEFg:::..")
        return String((0..<generator.below(24)).map { _ in alphabet[generator.below(alphabet.count)] })
    }

    @Test func agreesWithGlibc() {
        var generator = Generator(state: 0xADD2_E55)
        var failures: [String] = []
        var compared = 0
        var valid = 0
        for index in 0..<200_000 where failures.count < 10 {
            let text = index % 2 == 0 ? Self.spelledAddress(&generator) : Self.nearMiss(&generator)
            let expected = Self.libc(text)
            guard expected.comparable else { continue }
            compared += 1
            let ours = ClientAddress(text)?.canonical
            if ours != nil { valid += 1 }
            if ours != expected.canonical {
                failures.append("\(text): ours \(ours ?? "refused"), glibc \(expected.canonical ?? "refused")")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(compared > 190_000 && valid > 100_000, "compared \(compared), valid \(valid)")
    }
}
