import Foundation
import RelaychainCore
import Testing

/// Each analysis rule has a spec that triggers it (its diagnostics pinned in a golden file) and
/// one, close to it, that does not.
@Suite struct AnalysisRuleTests {
    static let fixtures = Fixtures.specs(in: "analysis")

    static func code(of name: String) -> String { String(name.prefix(5)).uppercased() }

    @Test(arguments: fixtures.filter { $0.contains("-triggers") })
    func ruleFires(_ name: String) throws {
        let result = try Fixtures.check("analysis", name)
        #expect(
            result.diagnostics.map(\.code.rawValue).contains(Self.code(of: name)),
            "\(Fixtures.describe(result.diagnostics))")
        expectMatchesGolden(
            Fixtures.describe(result.diagnostics),
            golden: Fixtures.url("analysis", name.replacingOccurrences(of: ".yaml", with: ".expected")))
    }

    @Test(arguments: fixtures.filter { $0.contains("-clean") })
    func ruleStaysQuiet(_ name: String) throws {
        let result = try Fixtures.check("analysis", name)
        #expect(
            !result.diagnostics.map(\.code.rawValue).contains(Self.code(of: name)),
            "\(Fixtures.describe(result.diagnostics))")
        #expect(!result.diagnostics.hasErrors, "\(Fixtures.describe(result.diagnostics))")
    }

    @Test func everyAnalysisRuleHasBothFixtures() {
        let analysisCodes = DiagnosticCode.allCases.map(\.rawValue).filter { $0.hasPrefix("RC4") }
        #expect(analysisCodes.count >= 15)
        for code in analysisCodes {
            #expect(Self.fixtures.contains("\(code.lowercased())-triggers.yaml"), "\(code)")
            #expect(Self.fixtures.contains("\(code.lowercased())-clean.yaml"), "\(code)")
        }
    }
}
