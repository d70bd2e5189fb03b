#if canImport(Glibc)
    import Glibc
#endif

/// The few file operations the CLI's writers need, on descriptors, with errno's own words.
enum FileSystem {
    struct Failure: Error {
        var reason: String
    }

    /// syncfs(2): flushes the whole file system holding `descriptor` (glibc declares it only
    /// under _GNU_SOURCE, which the Glibc module is not built with).
    @_silgen_name("syncfs")
    static func syncfs(_ descriptor: Int32) -> Int32

    static func lastError() -> String { String(cString: strerror(errno)) }

    /// A regular file at `path`, not a link to one.
    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
    }

    /// Everything a descriptor yields, or nil on a read error or past 16 MiB (no output of ours is
    /// anywhere near that; whatever else sits there is not ours to load).
    static func readAll(_ descriptor: Int32, limit: Int = 16 << 20) -> [UInt8]? {
        var bytes: [UInt8] = []
        var status = stat()
        // Room for the whole file at once (a build's record is 1.5 MB for 5,000 services).
        if fstat(descriptor, &status) == 0, status.st_size > 0, status.st_size <= limit {
            bytes.reserveCapacity(Int(status.st_size))
        }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            guard bytes.count + count <= limit else { return nil }
            bytes += buffer[0..<count]
        }
    }

    /// Whether the rest of what `descriptor` yields is exactly `expected`.
    static func contentsEqual(_ descriptor: Int32, _ expected: UnsafeBufferPointer<UInt8>) -> Bool {
        var offset = 0
        // One byte more than expected, to see a file that is longer than its size said.
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: expected.count + 1, alignment: 1)
        defer { scratch.deallocate() }
        guard let base = scratch.baseAddress else { return false }
        while offset <= expected.count {
            let count = read(descriptor, base + offset, expected.count + 1 - offset)
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            if count == 0 { break }
            offset += count
        }
        return offset == expected.count
            && (expected.baseAddress.map { memcmp(base, $0, expected.count) == 0 } ?? expected.isEmpty)
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // Never empty here (offset < count), so there is a base address.
            let count = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { write(descriptor, $0 + offset, raw.count - offset) } ?? -1
            }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += count
        }
        return true
    }

    /// Calls `visit` with the path (relative to `root`) and name of every non-directory entry
    /// below it, not following symbolic links.
    static func walk(_ root: String, _ visit: (_ path: String, _ name: String) -> Void) {
        func descend(_ relative: String) {
            guard let directory = opendir(relative.isEmpty ? root : root + "/" + relative) else { return }
            defer { closedir(directory) }
            var subdirectories: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    raw.bindMemory(to: CChar.self).baseAddress.map { String(cString: $0) } ?? ""
                }
                if name == "." || name == ".." { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
                if entry.pointee.d_type == UInt8(DT_UNKNOWN) {  // some file systems do not say
                    var status = stat()
                    guard lstat(root + "/" + path, &status) == 0 else { continue }
                    isDirectory = status.st_mode & S_IFMT == S_IFDIR
                }
                if isDirectory {
                    subdirectories.append(path)
                } else {
                    visit(path, name)
                }
            }
            for path in subdirectories { descend(path) }
        }
        descend("")
    }

    /// The directory `name` in `parent` (made first when `create`), never through a link.
    static func openChild(_ parent: Int32, _ name: String, create: Bool) throws(Failure) -> Int32 {
        if create, mkdirat(parent, name, 0o755) != 0, errno != EEXIST { throw Failure(reason: lastError()) }
        let child = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard child >= 0 else {
            throw Failure(reason: errno == ELOOP || errno == ENOTDIR ? "'\(name)' is not a directory" : lastError())
        }
        return child
    }

    /// A descriptor for the output root, creating what is missing (mode 0755). The root itself may
    /// be reached through symbolic links (the administrator chose it); nothing below it may.
    static func openRoot(_ root: String, create: Bool) throws(Failure) -> Int32 {
        if create {
            var prefix = root.hasPrefix("/") ? "" : "."
            for component in root.split(separator: "/") {
                prefix += "/" + component
                if mkdir(prefix, 0o755) != 0, errno != EEXIST { throw Failure(reason: lastError()) }
            }
        }
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(reason: lastError()) }
        return descriptor
    }

    /// A name no one can guess: `prefix`, 16 random hex digits drawn once per process, and a
    /// counter (one getrandom for a whole build, not one per file).
    static func unpredictableName(_ prefix: String) -> String {
        unpredictableNames += 1
        return prefix + randomBase + String(unpredictableNames, radix: 16)
    }

    nonisolated(unsafe) private static var unpredictableNames = 0
    private static let randomBase: String = {
        var generator = SystemRandomNumberGenerator()
        let hex = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + "-"
    }()

    /// Creates a new file under an unpredictable name in `directory` (never following or reusing
    /// an existing entry), writes `bytes`, sets `mode`; returns the name.
    static func createExclusive(
        in directory: Int32, prefix: String, bytes: [UInt8], mode: mode_t, reportedAs path: String
    ) throws(OutputDirectory.WriteError) -> String {
        var name = unpredictableName(prefix)
        var descriptor: Int32 = -1
        for _ in 0..<8 {
            descriptor = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if descriptor >= 0 || errno != EEXIST { break }
            name = unpredictableName(prefix)
        }
        guard descriptor >= 0 else { throw .init(path: path, reason: lastError()) }
        // Exactly `mode`, whatever the umask (the build clears it; a merge keeps a file's mode).
        var status = stat()
        let written =
            writeAll(descriptor, bytes) && fstat(descriptor, &status) == 0
            && (status.st_mode & 0o7777 == mode || fchmod(descriptor, mode) == 0)
        let reason = lastError()
        if close(descriptor) != 0 || !written {
            let reason = written ? lastError() : reason
            unlinkat(directory, name, 0)
            throw .init(path: path, reason: reason)
        }
        return name
    }

    /// A second link to `name` under an unpredictable name, so the file survives being replaced;
    /// nil when there is nothing there. A directory there is refused: a rename onto it would fail
    /// after others were done.
    static func linkAside(_ directory: Int32, _ name: String, prefix: String) throws(Failure) -> String? {
        var status = stat()
        guard fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        guard status.st_mode & S_IFMT != S_IFDIR else { throw Failure(reason: "a directory is in the way") }
        let aside = unpredictableName(prefix)
        guard linkat(directory, name, directory, aside, 0) == 0 else { throw Failure(reason: lastError()) }
        return aside
    }

    /// Replaces an existing file's contents atomically: through a symbolic link to its target (the
    /// link stays), in the target's own directory, keeping the target's owner, group and mode.
    static func replaceKeepingOwnership(_ path: String, with bytes: [UInt8]) throws(OutputDirectory.WriteError) {
        guard let resolved = realpath(path, nil) else { throw .init(path: path, reason: lastError()) }
        let target = String(cString: resolved)
        free(resolved)
        var status = stat()
        guard stat(target, &status) == 0 else { throw .init(path: target, reason: lastError()) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .init(path: target, reason: "not a regular file") }
        // realpath's answer is absolute: it has a slash.
        guard let slash = target.lastIndex(of: "/") else { throw .init(path: target, reason: "not an absolute path") }
        let parent = slash == target.startIndex ? "/" : String(target[..<slash])
        let name = String(target[target.index(after: slash)...])
        let directory = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw .init(path: parent, reason: lastError()) }
        defer { close(directory) }
        let temporary = try createExclusive(
            in: directory, prefix: "." + name + OutputDirectory.temporaryPrefix, bytes: bytes,
            mode: status.st_mode & 0o7777, reportedAs: target)
        guard fchownat(directory, temporary, status.st_uid, status.st_gid, AT_SYMLINK_NOFOLLOW) == 0,
            fchmodat(directory, temporary, status.st_mode & 0o7777, 0) == 0,
            fsyncFile(directory, temporary),
            renameat(directory, temporary, directory, name) == 0
        else {
            let reason = lastError()
            unlinkat(directory, temporary, 0)
            throw .init(path: target, reason: reason)
        }
        fsync(directory)
    }

    private static func fsyncFile(_ directory: Int32, _ name: String) -> Bool {
        let descriptor = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return fsync(descriptor) == 0
    }
}
