import RelaychainCore
import Testing

/// Inputs built to make the compiler do unbounded work each get diagnostics at their positions:
/// the bounds of `SpecLimits` hold, and everything the input says is reported from one parse.
@Suite struct SpecLimitsTests {
    func check(_ text: String) -> [Diagnostic] {
        Relaychain.check(SourceFile(path: "t.yaml", text: text)).diagnostics
    }

    /// The old composer parsed the whole text again for each duplicate (up to 200 rounds), and
    /// past 200 said only "the spec is empty".
    @Test func everyDuplicateKeyIsReportedFromOneParse() {
        var text = "relaychain: 1\nwindows:\n  relay:\n    store: /var/spool/relay-ctrl/allow\n"
        for _ in 0..<250 { text += "    store: /elsewhere\n" }
        let diagnostics = check(text)
        let duplicates = diagnostics.filter { $0.code == .duplicateKey }
        #expect(duplicates.count == 250)
        #expect(duplicates.first?.location == SourceLocation(line: 5, column: 5))
        #expect(duplicates.last?.location == SourceLocation(line: 254, column: 5))
        #expect(
            duplicates.allSatisfy {
                $0.notes == [DiagnosticNote("first defined here", at: SourceLocation(line: 4, column: 5))]
            })
        #expect(!diagnostics.contains { $0.code == .emptyDocument })
    }

    @Test func aScalarOverTheLimitIsReportedWhereItStarts() {
        let text =
            "relaychain: 1\nplatform:\n  prefix: " + String(repeating: "x", count: SpecLimits.maxScalarBytes + 1) + "\n"
        #expect(check(text).map(\.code) == [.limitExceeded])
        #expect(check(text).first?.location == SourceLocation(line: 3, column: 11))
        #expect(check(text).first?.message == "a value of 65537 bytes; the limit is 65536")
    }

    @Test func aScalarAtTheLimitIsRead() {
        let text =
            "relaychain: 1\nplatform:\n  prefix: /" + String(repeating: "x", count: SpecLimits.maxScalarBytes - 1)
            + "\n"
        #expect(!check(text).contains { $0.code == .limitExceeded })
    }

    /// 20,000 unknown keys cost a thousand diagnostics and one RC008, not twenty thousand.
    @Test func diagnosticsStopAtTheLimit() {
        var text = "relaychain: 1\nwindows:\n  relay:\n    store: /var/spool/relay-ctrl/allow\n"
        for index in 0..<20_000 { text += "    unknown\(index): 1\n" }
        let diagnostics = check(text)
        #expect(diagnostics.count == SpecLimits.maxDiagnostics + 1)
        #expect(diagnostics.last?.code == .tooManyDiagnostics)
        #expect(diagnostics.last?.location == SourceLocation(line: 1_005, column: 5))
    }

    /// Found by fuzzing: the cap held in the loader, but the validator's own findings (here an
    /// unknown program under `paths` per line) went past it. The limit holds for the whole.
    @Test func diagnosticsOfEveryStageStopAtTheLimit() {
        var text = "relaychain: 1\nplatform:\n  paths:\n"
        for index in 0..<1_500 { text += "    nosuch\(index): /usr/bin/x\n" }
        let diagnostics = check(text)
        #expect(diagnostics.count == SpecLimits.maxDiagnostics + 1)
        // Two at 1:1 (no windows, no services), then 998 of the 1,500 unknown programs.
        #expect(diagnostics.filter { $0.code == .missingKey }.count == 2)
        #expect(diagnostics.filter { $0.code == .undefinedProgram }.count == SpecLimits.maxDiagnostics - 2)
        #expect(diagnostics.last?.code == .tooManyDiagnostics)
        #expect(diagnostics.last?.location == SourceLocation(line: 1_002, column: 5))
    }

    /// An alias used as a key or value many times over counts the whole subtree it repeats.
    @Test func aliasesCountAsWhatTheyRepeat() {
        let shared = "[" + Array(repeating: "x", count: 1_000).joined(separator: ", ") + "]"
        var text = "relaychain: 1\nshared: &s " + shared + "\nmany:\n"
        for _ in 0..<2_001 { text += "  - *s\n" }
        let diagnostics = check(text)
        #expect(diagnostics.map(\.code) == [.limitExceeded])
        // 1,007 nodes before the aliases, 1,001 for each: the 1,997th (line 2,000) crosses 2,000,000.
        #expect(diagnostics.first?.location == SourceLocation(line: 2_000, column: 5))
    }

    /// Line breaks as YAML counts them (CR, CRLF, NEL, LS, PS), so positions and shown lines agree.
    @Test func positionsFollowEveryYAMLLineBreak() {
        for separator in ["\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}"] {
            let text = ["relaychain: 1", "windows:", "  relay: { sotre: /x }"].joined(separator: separator) + separator
            let source = SourceFile(path: "t.yaml", text: text)
            let diagnostics = Relaychain.check(source).diagnostics
            let unknown = diagnostics.first { $0.code == .unknownKey }
            #expect(unknown?.location == SourceLocation(line: 3, column: 12), "\(Array(separator.unicodeScalars))")
            #expect(source.line(3) == "  relay: { sotre: /x }")
        }
    }
}
