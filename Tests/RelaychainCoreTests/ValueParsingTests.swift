import RelaychainCore
import Testing

@Suite struct ValueParsingTests {
    @Test(arguments: [
        ("15m", 900), ("900s", 900), ("1h", 3600), ("1h30m", 5400), ("2m5s", 125), ("1h0m1s", 3601), ("0s", 0),
    ])
    func windowLengths(_ text: String, _ seconds: Int) {
        #expect(WindowLength(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "15", "m", "15 m", "15min", "1m1h", "1.5h", "-5m", "1s1s", "1h1h", "9999999s", "15M"])
    func malformedWindowLengths(_ text: String) {
        #expect(WindowLength(parsing: text) == nil)
    }

    @Test(arguments: [
        "127.", "10.0.", "192.0.2.", "192.0.2.7", "192.0.2.1-30", "192.0.2.5-5", "::1", "2001:db8:", "2001:db8::7",
        "fe80::",
    ])
    func acceptedRelayNetworks(_ pattern: String) {
        #expect(RelayNetwork.problem(with: pattern) == nil)
    }

    @Test(arguments: [
        "", "127", "127..", "256.", "1.2.3.4.", "1.2.3.4.5", "1.2.3.9-3", "1.2.3-4-5", "10.0.0.0/8", "=host",
        "2001:db8::1::2", ":::", "2001:db8:gg::", "12345::",
    ])
    func refusedRelayNetworks(_ pattern: String) {
        #expect(RelayNetwork.problem(with: pattern) != nil)
    }

    @Test(arguments: [
        ("1.0", DovecotVersion.Mechanism.mailExecutable), ("1.2", .mailExecutable), ("2.0", .postLogin),
        ("2.3", .postLogin), ("2.3.19", .postLogin), ("2.4", .postLogin24), ("2.4.4", .postLogin24),
    ])
    func dovecotMechanisms(_ text: String, _ mechanism: DovecotVersion.Mechanism) throws {
        let version = try #require(DovecotVersion(parsing: text))
        #expect(version.isSupported)
        #expect(version.mechanism == mechanism)
        #expect(version.description == text)
    }

    @Test(arguments: ["3.0", "2.5", "0.99", "1.3"])
    func unsupportedDovecotVersions(_ text: String) {
        #expect(DovecotVersion(parsing: text)?.isSupported == false)
    }

    @Test(arguments: ["", "2", "2.", "2.x", "v2.3", "2.3.4.5", " 2.3"])
    func malformedDovecotVersions(_ text: String) {
        #expect(DovecotVersion(parsing: text) == nil)
    }

    @Test func suggestionsPreferTheClosestCandidate() {
        #expect(Suggestion.closest(to: "stor", among: ["store", "length"]) == "store")
        #expect(Suggestion.closest(to: "lenght", among: ["store", "length"]) == "length")
        #expect(Suggestion.closest(to: "rbsmtpd", among: Catalog.wrapperNames) == "rblsmtpd")
        #expect(Suggestion.closest(to: "colour", among: ["store", "length", "relayclient", "log", "carry"]) == nil)
        #expect(Suggestion.closest(to: "x", among: ["store"]) == nil)
    }

    @Test(arguments: ["USER", "DOMAIN", "MAILBOX_OWNER", "_X"])
    func harmlessCarriedVariables(_ name: String) {
        #expect(EnvironmentName.isValid(name))
        #expect(EnvironmentName.carryRisk(name) == nil)
    }

    @Test(arguments: [
        "PATH", "QMAILQUEUE", "QMAILINJECT", "LD_PRELOAD", "ld_library_path", "RELAYCLIENT", "RELAY_CTRL_DIR",
        "RBLSMTPD", "TCPREMOTEIP", "IFS", "GCONV_PATH", "MALLOC_CHECK_", "HOME",
    ])
    func dangerousCarriedVariables(_ name: String) {
        #expect(EnvironmentName.carryRisk(name) != nil)
    }
}
