import Foundation

/// The `relaychain` executable that `swift test` built beside the test bundle.
enum RelaychainBinary {
    struct NotBuilt: Error, CustomStringConvertible {
        var searched: [String]
        var description: String { "relaychain is not built; looked in \(searched.joined(separator: ", ")) (run swift build first)" }
    }

    static func path() throws -> String {
        var candidates: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("relaychain").path)
        }
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            candidates.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().appendingPathComponent("relaychain").path)
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotBuilt(searched: candidates)
        }
        return found
    }
}
