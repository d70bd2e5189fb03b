import RelayCtrlCore
import Testing

@Suite struct CarryPolicyTests {
    func names(_ setting: String?) -> (carried: [String], refused: [String]) {
        var refused: [String] = []
        let carried = CarryPolicy.carriedNames(setting.map { Array($0.utf8) }) { name, _ in refused.append(name) }
        return (carried.map { String(decoding: $0, as: UTF8.self) }, refused)
    }

    @Test func defaultsToUserAndDomain() {
        #expect(names(nil).carried == ["USER", "DOMAIN"])
        #expect(names("").carried == [])
    }

    @Test func acceptsCommasAndSpaces() {
        #expect(names("USER,DOMAIN MAILBOX").carried == ["USER", "DOMAIN", "MAILBOX"])
        #expect(names("USER,,USER").carried == ["USER"])
    }

    @Test func refusesDangerousAndMalformedNames() {
        let result = names("USER,PATH,QMAILQUEUE,LD_PRELOAD,RELAYCLIENT,RBLSMTPD,TCPREMOTEIP,1X,A-B")
        #expect(result.carried == ["USER"])
        #expect(
            result.refused == [
                "PATH", "QMAILQUEUE", "LD_PRELOAD", "RELAYCLIENT", "RBLSMTPD", "TCPREMOTEIP", "1X", "A-B",
            ])
    }
}

@Suite struct SettingsTests {
    @Test(
        arguments: [
            (nil, 900), ("", 900), ("0", 900), ("-5", 900), ("300", 300), (" 60", 60), ("+60", 60),
            ("15m", 15), ("abc", 900), ("99999999999999999999", 315_360_000),
        ] as [(String?, Int)])
    func readsTheWindowAsAtolDoes(_ text: String?, _ seconds: Int) {
        #expect(Settings.window(text.map { Array($0.utf8) }) == seconds)
    }
}
