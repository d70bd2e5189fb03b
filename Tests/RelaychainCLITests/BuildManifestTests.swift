import Foundation
import TestSupport
import Testing

/// `.relaychain-build`: a build with the last build's inputs and an untouched output checks the
/// spec and writes nothing; whatever changed since takes the full path, which compares bytes.
@Suite struct BuildManifestTests {
    let scratch: URL
    let output: URL
    static let root = CheckCommandTests.root
    let spec = root.appendingPathComponent("examples/debian-dovecot23-daemontools.yaml").path

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "relaychain-manifest-\(UUID().uuidString)")
        output = scratch.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func build(_ spec: String? = nil) throws -> ProcessResult {
        try runProcess(
            try BuiltProduct.path("relaychain"), ["build", spec ?? self.spec, "--output", output.path],
            environment: ["PATH": "/usr/bin:/bin"])
    }

    var manifest: URL { output.appendingPathComponent(".relaychain-build") }

    /// A first build (every file just written: too recent to trust), then one that compares in
    /// full and records the manifest. Returns how many files the build writes.
    @discardableResult
    func buildAndRecord(_ spec: String? = nil) throws -> Int {
        let first = try build(spec)
        #expect(first.status == 0)
        #expect(!FileManager.default.fileExists(atPath: manifest.path), "a file written this second is not trusted")
        let count = try #require(Int(first.errors.split(separator: ": ").last?.split(separator: " ").first ?? ""))
        Thread.sleep(forTimeInterval: 1.1)
        let second = try build(spec)
        #expect(second.errors.hasSuffix(": 0 files written, \(count) unchanged, 0 removed\n"), "\(second.errors)")
        try #require(FileManager.default.fileExists(atPath: manifest.path))
        return count
    }

    func manifestKey() throws -> Substring {
        try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n")[1]
    }

    @Test func anUntouchedOutputIsOnlyCheckedAndStillSaysItsFindings() throws {
        let spec = Self.root.appendingPathComponent("Tests/RelaychainCoreTests/Fixtures/analysis/rc403-triggers.yaml")
        let count = try buildAndRecord(spec.path)
        let recorded = try Data(contentsOf: manifest)
        let fast = try build(spec.path)
        #expect(fast.status == 0)
        #expect(fast.errors.contains("warning[RC403]"), "the findings are said on every build: \(fast.errors)")
        #expect(fast.errors.hasSuffix(": 0 files written, \(count) unchanged, 0 removed\n"), "\(fast.errors)")
        #expect(try Data(contentsOf: manifest) == recorded, "nothing rewritten, not even the manifest")
    }

    /// An edit that keeps the size and puts the modification time back: the change time, which
    /// no one can set, still tells.
    @Test func anEditWithItsTimeRestoredIsFound() throws {
        try buildAndRecord()
        let rules = output.appendingPathComponent("service/smtp/tcp.rules")
        let original = try Data(contentsOf: rules)
        let modified = try FileManager.default.attributesOfItem(atPath: rules.path)[.modificationDate] as! Date
        var edited = original
        edited[edited.count - 2] = edited[edited.count - 2] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        try edited.write(to: rules)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: rules.path)
        let next = try build()
        #expect(next.errors.hasSuffix(": 1 file written, 9 unchanged, 0 removed\n"), "\(next.errors)")
        #expect(try Data(contentsOf: rules) == original)
    }

    /// A directory of the output swapped for a link to a copy of itself: not taken as unchanged,
    /// and never recorded; a change under it is refused, as the full path refuses every link.
    @Test func aDirectorySwappedForALinkIsNotTakenAsUnchanged() throws {
        try buildAndRecord()
        let service = output.appendingPathComponent("service")
        let elsewhere = scratch.appendingPathComponent("elsewhere")
        try FileManager.default.moveItem(at: service, to: elsewhere)
        try FileManager.default.createSymbolicLink(at: service, withDestinationURL: elsewhere)
        Thread.sleep(forTimeInterval: 1.1)
        let next = try build()
        #expect(next.errors.hasSuffix(": 0 files written, 10 unchanged, 0 removed\n"), "the bytes are the same")
        #expect(!FileManager.default.fileExists(atPath: manifest.path), "a link is never recorded as the output")
        try Data("changed\n".utf8).write(to: elsewhere.appendingPathComponent("smtp/tcp.rules"))
        let refused = try build()
        #expect(refused.status == 3)
        #expect(refused.errors.contains("'service' is not a directory"), "\(refused.errors)")
    }

    @Test func aChmodIsPutRight() throws {
        try buildAndRecord()
        let run = output.appendingPathComponent("service/smtp/run")
        #expect(chmod(run.path, 0o700) == 0)
        #expect(try build().errors.hasSuffix(": 1 file written, 9 unchanged, 0 removed\n"))
        #expect(FileManager.default.isExecutableFile(atPath: run.path))
        let mode = try FileManager.default.attributesOfItem(atPath: run.path)[.posixPermissions] as? Int
        #expect(mode == 0o755)
    }

    /// The same output from other spec bytes (a comment added): compared in full, and recorded
    /// under the new spec's key.
    @Test func otherSpecBytesTakeTheFullPath() throws {
        try buildAndRecord()
        let before = try manifestKey()
        let commented = scratch.appendingPathComponent("debian-dovecot23-daemontools.yaml")
        try (try Data(contentsOf: URL(fileURLWithPath: spec)) + Data("# a comment\n".utf8)).write(to: commented)
        let next = try build(commented.path)
        #expect(next.errors.hasSuffix(": 0 files written, 10 unchanged, 0 removed\n"), "\(next.errors)")
        #expect(try manifestKey() != before)
    }

    /// A manifest damaged in any way is not one: the build compares in full and records it anew
    /// (a build that trusted it would leave it as it is).
    enum Damage: String, CaseIterable {
        case letterInANumber, fiveNumbers, sevenNumbers, twentyDigits, emptyNumber, nulInItsPath, noPath

        func applied(to line: String) -> String {
            switch self {
            case .letterInANumber: line.replacingOccurrences(of: "\t1", with: "\tx")
            case .fiveNumbers: String(line[..<line.lastIndex(of: "\t")!])
            case .sevenNumbers: line + "\t1"
            case .twentyDigits: line + "0000000000000000000000"
            case .emptyNumber: line.replacingOccurrences(of: "\t", with: "\t\t")
            // The real path, then a NUL: a reader that stopped at the NUL would find that path's identity.
            case .nulInItsPath: line.replacingOccurrences(of: "\t", with: "\u{0}x\t", range: line.range(of: "\t"))
            case .noPath: String(line[line.firstIndex(of: "\t")!...])
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func aDamagedManifestIsNotTrusted(_ damage: Damage) throws {
        try buildAndRecord()
        let recorded = try Data(contentsOf: manifest)
        var lines = String(decoding: recorded, as: UTF8.self).components(separatedBy: "\n")
        let damaged = damage.applied(to: lines[3])
        try #require(damaged != lines[3], "\(damage) damaged nothing in \(lines[3])")
        lines[3] = damaged
        try Data(lines.joined(separator: "\n").utf8).write(to: manifest)
        let next = try build()
        #expect(next.errors.hasSuffix(": 0 files written, 10 unchanged, 0 removed\n"), "\(damage): \(next.errors)")
        #expect(try Data(contentsOf: manifest) == recorded, "\(damage): recorded anew")
    }

    /// Entries out of byte order, or a manifest without its last newline: not one either.
    @Test func aManifestOutOfOrderOrCutShortIsNotTrusted() throws {
        try buildAndRecord()
        let recorded = try Data(contentsOf: manifest)
        var lines = String(decoding: recorded, as: UTF8.self).components(separatedBy: "\n")
        try #require(lines[3] != lines[4])
        lines.swapAt(3, 4)
        for damaged in [lines.joined(separator: "\n"), String(decoding: recorded.dropLast(), as: UTF8.self)] {
            try Data(damaged.utf8).write(to: manifest)
            #expect(try build().errors.hasSuffix(": 0 files written, 10 unchanged, 0 removed\n"))
            #expect(try Data(contentsOf: manifest) == recorded)
        }
    }
}
