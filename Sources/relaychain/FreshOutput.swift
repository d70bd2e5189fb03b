import RelaychainCore

#if canImport(Glibc)
    import Glibc
#endif

/// A first build, into a directory that does not exist yet: the whole tree is written under a
/// staging directory beside it (`.relaychain-tmp-<name>-<random>`, made by this build, mode 0755)
/// with the files' final names, then renamed to the output's name in one step. Nothing per file
/// but its open, write and close: no temporary name, no backup link, no rename each. All or
/// nothing as before: until the rename the output does not exist, and a build that fails removes
/// its staging tree (one that was killed leaves it, and the next build there removes it).
extension OutputDirectory {
    /// Nothing at the output's path, not even a dangling link.
    var isAbsent: Bool {
        var status = stat()
        return lstat(root, &status) != 0 && errno == ENOENT
    }

    /// The directory the output goes in, and the output's own name.
    private var placement: (parent: String, name: String) {
        var path = Substring(root)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return (".", String(path)) }
        let parent = path[..<slash]
        return (parent.isEmpty ? "/" : String(parent), String(path[path.index(after: slash)...]))
    }

    private var stagingPrefix: String { Self.temporaryPrefix + placement.name + "-" }

    func writeFresh(_ files: [OutputFile]) throws(WriteError) {
        let (parentPath, name) = placement
        // Files and directories are created with exactly their modes, with no fchmod each.
        let umaskBefore = umask(0)
        defer { umask(umaskBefore) }
        let parent: Int32
        do {
            parent = try FileSystem.openRoot(parentPath, create: true)
        } catch {
            throw WriteError(path: parentPath, reason: error.reason)
        }
        defer { close(parent) }
        FileSystem.removeTrees(in: parent, prefixed: stagingPrefix)
        let staging = FileSystem.unpredictableName(stagingPrefix)
        guard mkdirat(parent, staging, 0o755) == 0 else { throw WriteError(path: root, reason: FileSystem.lastError()) }
        do throws(WriteError) {
            let cursor: DirectoryCursor
            do {
                cursor = DirectoryCursor(descriptor: try FileSystem.openChild(parent, staging, create: false))
            } catch {
                throw WriteError(path: root, reason: error.reason)
            }
            defer { cursor.close() }
            for file in files.sorted(by: { $0.path < $1.path }) {
                try write(file, through: cursor)
            }
            // The data on disk before the tree has its name, the name on disk before success is said.
            guard FileSystem.syncfs(parent) == 0, renameat(parent, staging, parent, name) == 0,
                FileSystem.syncfs(parent) == 0
            else {
                throw WriteError(path: root, reason: FileSystem.lastError())
            }
        } catch {
            FileSystem.removeTrees(in: parent, prefixed: staging)
            throw error
        }
    }

    private func write(_ file: OutputFile, through cursor: DirectoryCursor) throws(WriteError) {
        var components = file.path.split(separator: "/")
        let name = String(components.removeLast())
        let path = root + "/" + file.path
        let directory: Int32
        do {
            directory = try cursor.move(to: components, create: true)
        } catch {
            throw WriteError(path: path, reason: error.reason)
        }
        let descriptor = openat(
            directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, file.executable ? 0o755 : 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, reason: FileSystem.lastError()) }
        let written = FileSystem.writeAll(descriptor, Array(file.contents.utf8))
        let reason = FileSystem.lastError()
        guard close(descriptor) == 0, written else {
            throw WriteError(path: path, reason: written ? FileSystem.lastError() : reason)
        }
    }
}

extension FileSystem {
    /// Removes every entry of `parent` whose name starts with `prefix`, with what is inside: a
    /// build's own staging trees. Through descriptors opened with O_NOFOLLOW: a link inside is
    /// removed, never followed.
    static func removeTrees(in parent: Int32, prefixed prefix: String) {
        for name in entries(of: parent) where name.hasPrefix(prefix) { removeTree(parent, name) }
    }

    private static func removeTree(_ parent: Int32, _ name: String) {
        if unlinkat(parent, name, 0) == 0 { return }
        guard errno == EISDIR else { return }
        let directory = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else { return }
        for entry in entries(of: directory) { removeTree(directory, entry) }
        close(directory)
        unlinkat(parent, name, AT_REMOVEDIR)
    }

    /// The names in a directory, but `.` and `..`.
    private static func entries(of directory: Int32) -> [String] {
        let copy = dup(directory)
        guard copy >= 0, let stream = fdopendir(copy) else { return [] }
        defer { closedir(stream) }
        // A duplicate shares the offset: read from the start, wherever an earlier listing stopped.
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}
