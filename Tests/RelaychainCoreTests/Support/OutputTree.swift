import Foundation
import RelaychainCore
import Testing

/// Compares a build's files with a directory on disk: same paths, same bytes, same executable
/// bits, nothing extra.
enum OutputTree {
    static func files(in directory: URL) -> [String: (contents: String, executable: Bool)] {
        var found: [String: (String, Bool)] = [:]
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return [:] }
        while let path = walker.nextObject() as? String {
            // What `relaychain build` records of its last run there (never in git): not an output.
            if path == ".relaychain-build" { continue }
            let url = directory.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            found[path] = (
                String(decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self),
                FileManager.default.isExecutableFile(atPath: url.path)
            )
        }
        return found
    }

    /// Differences as readable lines; empty when the directory matches exactly.
    static func differences(_ files: [OutputFile], from directory: URL) -> [String] {
        let onDisk = Self.files(in: directory)
        var problems: [String] = []
        for file in files {
            guard let existing = onDisk[file.path] else {
                problems.append("missing: \(file.path)")
                continue
            }
            if existing.contents != file.contents {
                problems.append("differs: \(file.path)\n--- on disk\n\(existing.contents)--- built\n\(file.contents)")
            }
            if existing.executable != file.executable {
                problems.append("mode differs: \(file.path) (executable should be \(file.executable))")
            }
        }
        for path in onDisk.keys.sorted() where !files.contains(where: { $0.path == path }) {
            problems.append("not produced any more: \(path)")
        }
        return problems
    }

    static func record(_ files: [OutputFile], into directory: URL) throws {
        try? FileManager.default.removeItem(at: directory)
        for file in files {
            let url = directory.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents.utf8).write(to: url)
            try FileManager.default.setAttributes(
                [.posixPermissions: file.executable ? 0o755 : 0o644], ofItemAtPath: url.path)
        }
    }
}
