import Foundation
import TestSupport
import Testing

/// A build into a directory that does not exist writes the tree beside it and renames it into
/// place in one step: until then the output does not exist at all; a build that fails removes
/// its staging tree, and one killed halfway leaves only that tree, which the next build removes.
@Suite struct FreshBuildTests {
    let scratch: URL
    let spec = CheckCommandTests.root.appendingPathComponent("examples/debian-dovecot23-daemontools.yaml").path

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("relaychain-fresh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    /// `relaychain build` with at most `fileSize` bytes per file written (prlimit): past it a
    /// write fails with EFBIG (the test runner's children ignore SIGXFSZ).
    func build(_ output: URL, fileSize: Int? = nil) throws -> ProcessResult {
        let relaychain = try BuiltProduct.path("relaychain")
        let arguments = ["build", spec, "--output", output.path]
        guard let fileSize else { return try runProcess(relaychain, arguments, environment: ["PATH": "/usr/bin:/bin"]) }
        return try runProcess(
            "/usr/bin/prlimit", ["--fsize=\(fileSize)", relaychain] + arguments, environment: ["PATH": "/usr/bin:/bin"])
    }

    func entries(_ url: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    @Test func aFailedFirstBuildLeavesNothing() throws {
        let output = scratch.appendingPathComponent("etc/relaychain")
        let failed = try build(output, fileSize: 600)
        #expect(failed.status == 3)
        #expect(
            failed.errors.hasPrefix("relaychain: cannot write '\(output.path)/")
                && failed.errors.hasSuffix("': File too large; nothing was written\n"), "\(failed.errors)")
        #expect(try entries(output.deletingLastPathComponent()) == [], "no output, no staging tree")
    }

    /// What a build killed halfway leaves: its staging tree beside the output, here with a link
    /// in it to a file of the administrator's. The next build removes the tree, not the file.
    @Test func theNextBuildRemovesAKilledBuildsStagingTree() throws {
        let output = scratch.appendingPathComponent("relaychain")
        let abandoned = scratch.appendingPathComponent(".relaychain-tmp-relaychain-0123456789abcdef-1")
        try FileManager.default.createDirectory(
            at: abandoned.appendingPathComponent("service/smtp"), withIntermediateDirectories: true)
        try Data("half".utf8).write(to: abandoned.appendingPathComponent("service/smtp/run"))
        let precious = scratch.appendingPathComponent("precious")
        try Data("keep\n".utf8).write(to: precious)
        try FileManager.default.createSymbolicLink(
            at: abandoned.appendingPathComponent("service/link"), withDestinationURL: precious)
        try FileManager.default.createSymbolicLink(
            at: abandoned.appendingPathComponent("dir-link"), withDestinationURL: scratch)
        let other = scratch.appendingPathComponent(".relaychain-tmp-elsewhere-0123456789abcdef-1")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: false)

        let next = try build(output)
        #expect(next.status == 0)
        #expect(next.errors == "relaychain: \(output.path): 10 files written, 0 unchanged, 0 removed\n")
        #expect(
            try entries(scratch) == [".relaychain-tmp-elsewhere-0123456789abcdef-1", "precious", "relaychain"],
            "only this output's staging tree is removed")
        #expect(FileManager.default.contents(atPath: precious.path) == Data("keep\n".utf8), "links are not followed")
        let generated = CheckCommandTests.root.appendingPathComponent("generated/debian-dovecot23-daemontools")
        // What the compiler wrote there (a build manifest may sit beside it, outside git).
        let files = try FileManager.default.subpathsOfDirectory(atPath: generated.path).sorted().filter {
            $0 != ".relaychain-build"
        }
        #expect(try FileManager.default.subpathsOfDirectory(atPath: output.path).sorted() == files)
        for file in files {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(
                atPath: generated.appendingPathComponent(file).path, isDirectory: &isDirectory)
            guard !isDirectory.boolValue else { continue }
            #expect(
                FileManager.default.contents(atPath: output.appendingPathComponent(file).path)
                    == FileManager.default.contents(atPath: generated.appendingPathComponent(file).path), "\(file)")
        }
    }

    /// An existing directory, here an administrator's with a file in it, is never replaced by a
    /// staged tree: it is built into file by file, and its file stays.
    @Test func aDirectoryThatIsNotEmptyIsNeverReplaced() throws {
        let output = scratch.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: false)
        try Data("mine\n".utf8).write(to: output.appendingPathComponent("notes"))
        let result = try build(output)
        #expect(result.status == 0, "an existing directory is built into file by file, as before")
        #expect(
            FileManager.default.contents(atPath: output.appendingPathComponent("notes").path) == Data("mine\n".utf8))
        #expect(try entries(scratch) == ["out"], "no staging tree beside it")
    }
}
