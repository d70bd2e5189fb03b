import ArgumentParser
import Foundation
import RelayCtrlCore
import RelaychainCore

/// The windows of a spec that `grants` and `revoke` act on, and their directory stores opened
/// without following a path another account controls.
enum WindowStores {
    /// The spec's windows, or the one `--window` names; an unknown name or a spec with errors exits 2.
    static func windows(of specPath: String, named wanted: String?) throws -> [RelayWindow] {
        let bytes = try SpecFile.readOrExit(specPath)
        let checked = Relaychain.check(path: specPath, bytes: bytes, analyze: false)
        guard let spec = checked.spec, !checked.diagnostics.hasErrors else {
            printError("relaychain: \(specPath) has errors; run relaychain check \(specPath)")
            throw ExitCode(ExitStatus.usage)
        }
        guard let wanted else { return spec.windows }
        guard let window = spec.windows.first(where: { $0.name.value == wanted }) else {
            let names = spec.windows.map(\.name.value).joined(separator: ", ")
            printError("relaychain: \(specPath) has no window '\(wanted)' (its windows: \(names))")
            throw ExitCode(ExitStatus.usage)
        }
        return [window]
    }

    /// The store, opened one directory at a time from / without following a symbolic link; every
    /// directory above it must be root's and writable by no one else (unless sticky), as setup
    /// leaves them, so that no other account can swap what root reads or removes in.
    static func open(_ path: String) -> Result<GrantStore, GrantListingFailure> {
        guard path.hasPrefix("/") else {
            return .failure(GrantListingFailure(reason: "\(path) is not an absolute path"))
        }
        var descriptor = Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .failure(GrantListingFailure(reason: "could not open /: \(Log.systemError())"))
        }
        var walked = ""
        let parts = path.split(separator: "/").map(String.init)
        for (index, part) in parts.enumerated() {
            var above = stat()
            fstat(descriptor, &above)
            let sticky = above.st_mode & S_ISVTX != 0
            guard above.st_uid == 0, sticky || above.st_mode & 0o022 == 0 else {
                Glibc.close(descriptor)
                return .failure(
                    GrantListingFailure(
                        reason: "\(walked.isEmpty ? "/" : walked) can be changed by an account other than root"))
            }
            walked += "/" + part
            let next = openat(descriptor, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            Glibc.close(descriptor)
            guard next >= 0 else {
                let reason =
                    errno == ELOOP || errno == ENOTDIR ? "is a symbolic link or no directory" : Log.systemError()
                let what = index == parts.count - 1 ? "\(walked) (the store)" : walked
                return .failure(GrantListingFailure(reason: "\(what) \(reason)"))
            }
            descriptor = next
        }
        return .success(GrantStore(directory: RelayDirectory(descriptor: descriptor, handedOver: false)))
    }

    /// A time as UTC, to the second: 2026-12-04T19:40:01Z.
    static func timestamp(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
