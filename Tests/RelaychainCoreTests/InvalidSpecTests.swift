import Foundation
import RelaychainCore
import Testing

/// Every invalid fixture yields exactly the diagnostics in its `.expected` file: position,
/// severity, code, message, notes and fix.
@Suite struct InvalidSpecTests {
    static let fixtures = Fixtures.specs(in: "invalid")

    @Test(arguments: fixtures)
    func reportsExactDiagnostics(_ name: String) throws {
        let result = try Fixtures.check("invalid", name)
        let golden = Fixtures.url("invalid", name.replacingOccurrences(of: ".yaml", with: ".expected"))
        expectMatchesGolden(Fixtures.describe(result.diagnostics), golden: golden)
        #expect(!result.diagnostics.isEmpty, "an invalid fixture must produce diagnostics")
    }

    @Test func everyFixtureWithAnErrorYieldsNoSpec() throws {
        for name in Self.fixtures {
            let result = try Fixtures.check("invalid", name)
            if result.diagnostics.hasErrors {
                #expect(result.spec == nil, "\(name)")
            }
        }
    }

    @Test func thereAreAtLeast25InvalidFixtures() {
        #expect(Self.fixtures.count >= 25)
    }

    @Test func everyCodeIsExercisedBySomeFixture() throws {
        var seen = Set<DiagnosticCode>()
        for name in Self.fixtures {
            seen.formUnion(try Fixtures.check("invalid", name).diagnostics.map(\.code))
        }
        for name in Fixtures.specs(in: "analysis") {
            seen.formUnion(try Fixtures.check("analysis", name).diagnostics.map(\.code))
        }
        for name in Fixtures.specs(in: "unbuildable") {
            seen.formUnion(try BuildTests.build(Fixtures.url("unbuildable", name)).diagnostics.map(\.code))
        }
        let missing = DiagnosticCode.allCases.filter { !seen.contains($0) }.map(\.rawValue)
        #expect(missing.isEmpty, "no invalid, analysis or unbuildable fixture produces \(missing)")
    }
}
