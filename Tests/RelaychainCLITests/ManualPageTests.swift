import Foundation
import TestSupport
import Testing

/// The manual pages come from the code: relaychain(1) from the command definitions (through
/// swift-argument-parser's generate-manual), relaychain-spec(5) from the schema's key lists. A
/// change to either without `scripts/regenerate` fails here.
struct ManualPageTests {
    static let refresh = "scripts/regenerate rewrites man/relaychain.1 and man/relaychain-spec.5"

    func checkedIn(_ name: String) throws -> String {
        try String(contentsOf: CheckCommandTests.root.appendingPathComponent("man/\(name)"), encoding: .utf8)
    }

    @Test func specPageIsTheSchemaAsAManualPage() throws {
        let result = try runProcess(
            try BuiltProduct.path("relaychain"), ["schema", "--man"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0)
        #expect(result.output == (try checkedIn("relaychain-spec.5")), "stale: \(Self.refresh)")
        // Every key of every mapping is an item of the page.
        for key in ["relaychain", "store", "redis", "spiped", "key-file", "chain-loader", "relay-client-env", "cron-d"]
        {
            #expect(result.output.contains(".It Ic \(key) Pq "), "\(key)")
        }
    }

    @Test func commandPageIsWhatGenerateManualWritesToday() throws {
        let page = try checkedIn("relaychain.1")
        // The page's own date, so that only a change of the commands makes it stale.
        let dated = try #require(page.split(separator: "\n").first { $0.hasPrefix(".Dd ") })
        let date = try #require(Self.isoDate(String(dated.dropFirst(4))), "\(dated)")
        let generator = try BuiltProduct.path("generate-manual")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relaychain-man-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try runProcess(
            generator, [try BuiltProduct.path("relaychain"), "--date", date, "-o", directory.path],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.errors)")
        let fresh = try String(contentsOf: directory.appendingPathComponent("relaychain.1"), encoding: .utf8)
        #expect(fresh == page, "stale: \(Self.refresh)")
        for command in ["check", "build", "explain", "doctor", "import", "schema"] {
            #expect(page.contains(".It Em \(command)\n"), "\(command)")
        }
    }

    /// "December 3, 2026" as generate-manual's --date wants it.
    static func isoDate(_ text: String) -> String? {
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December",
        ]
        let words = text.replacing(",", with: "").split(separator: " ").map(String.init)
        guard words.count == 3, let month = months.firstIndex(of: words[0]), let day = Int(words[1]),
            let year = Int(words[2])
        else { return nil }
        return String(format: "%04d-%02d-%02d", year, month + 1, day)
    }
}
