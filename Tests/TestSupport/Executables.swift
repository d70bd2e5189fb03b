import Foundation

/// Writes an executable script so that no process of ours ever holds it open for writing.
///
/// Tests run in parallel threads that spawn processes. A script written by this process can
/// have its write descriptor inherited by a child spawned meanwhile on another thread; while
/// that child lives, executing the script fails with ETXTBSY, and `sh` then silently goes on
/// to the next PATH entry (a real pgrphack, say). So the contents go to a plain file first,
/// and a separate `install` process, which exits before we go on, creates the executable.
public func installExecutable(_ contents: String, at path: String) throws {
    let staging = path + ".source"
    try Data(contents.utf8).write(to: URL(fileURLWithPath: staging))
    defer { try? FileManager.default.removeItem(atPath: staging) }
    let result = try runProcess("/usr/bin/install", ["-m", "0755", staging, path])
    guard result.status == 0 else { throw InstallFailed(path: path, errors: result.errors) }
}

public struct InstallFailed: Error, CustomStringConvertible {
    public var path: String
    public var errors: String
    public var description: String { "could not install \(path): \(errors)" }
}
