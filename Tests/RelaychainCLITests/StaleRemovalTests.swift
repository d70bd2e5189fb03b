import Foundation
import RelaychainCore
import Testing

@testable import relaychain

/// build removes files it wrote earlier and no longer produces. Between finding them and removing
/// them, whoever can write the output may swap a directory for a link to somewhere else: the
/// removal goes through the directories it opens (O_NOFOLLOW), so nothing outside is unlinked.
struct StaleRemovalTests {
    @Test func aDirectorySwappedForALinkIsNotFollowed() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-stale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let output = base.appendingPathComponent("out")
        let outside = base.appendingPathComponent("elsewhere")
        for directory in [output.appendingPathComponent("service/old"), outside] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let generated = "#!/bin/sh\n\(GeneratedHeader.marker)spec.yaml; do not edit.\n"
        try generated.write(to: output.appendingPathComponent("service/old/run"), atomically: false, encoding: .utf8)
        try generated.write(to: outside.appendingPathComponent("run"), atomically: false, encoding: .utf8)
        let directory = OutputDirectory(root: output.path)
        let leftovers = directory.leftovers(keeping: [])
        #expect(leftovers.stale == ["service/old/run"])
        // The swap, after the walk and before the removal.
        try FileManager.default.removeItem(at: output.appendingPathComponent("service/old"))
        try FileManager.default.createSymbolicLink(
            at: output.appendingPathComponent("service/old"), withDestinationURL: outside)
        #expect(throws: OutputDirectory.WriteError.self) {
            try directory.write([], removing: leftovers.stale, interrupted: leftovers.interrupted)
        }
        #expect(FileManager.default.fileExists(atPath: outside.appendingPathComponent("run").path))
    }
}
