import RelaychainCore

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a build's files into a directory, all or nothing:
/// - every changed file is staged first, under an unpredictable name created exclusively
///   (O_EXCL, O_NOFOLLOW) in its own directory, so a link planted there is never followed;
/// - directories are walked with O_NOFOLLOW from the root, so a planted directory link is refused;
/// - every rename is checked before the first one, and a rename that still fails rolls back those
///   done (each replaced file was kept under a backup link), so a failed build leaves the old output;
/// - data reaches the disk with one syncfs before the renames and the renames with one after
///   them (not an fsync per file and per directory: 15,000 files in 10,000 directories took
///   seconds of journal commits);
/// - temporaries and backups are named `.relaychain-tmp-*` / `.relaychain-old-*`, and every build
///   removes those a killed build left behind.
struct OutputDirectory {
    let root: String

    static let temporaryPrefix = ".relaychain-tmp-"
    static let backupPrefix = ".relaychain-old-"

    struct WriteError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot write '\(path)': \(reason)" }
    }

    /// The current bytes of a file under the root, not following a final symbolic link.
    func existing(_ path: String) -> String? {
        let descriptor = open(root + "/" + path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return FileSystem.readAll(descriptor).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Files under the directory that carry relaychain's header but are no longer produced, and
    /// temporaries and backups that an interrupted build left behind.
    func leftovers(keeping produced: [OutputFile]) -> (stale: [String], interrupted: [String]) {
        let keep = Set(produced.map(\.path))
        var stale: [String] = []
        var interrupted: [String] = []
        FileSystem.walk(root) { path, name in
            if name.hasPrefix(Self.temporaryPrefix) || name.hasPrefix(Self.backupPrefix) {
                interrupted.append(path)
            } else if !keep.contains(path), let text = existing(path),
                text.split(separator: "\n", maxSplits: 2).prefix(2).contains(where: {
                    $0.hasPrefix(GeneratedHeader.marker)
                })
            {
                stale.append(path)
            }
        }
        return (stale.sorted(), interrupted.sorted())
    }

    /// The files whose bytes or mode differ from what is there (one open, fstat and read each;
    /// a file of another size is not read at all).
    func changes(_ files: [OutputFile]) -> [OutputFile] {
        files.filter { !isCurrent($0) }
    }

    private func isCurrent(_ file: OutputFile) -> Bool {
        let descriptor = open(root + "/" + file.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
            status.st_mode & 0o7777 == (file.executable ? 0o755 : 0o644)
        else { return false }
        let expected = file.contents.utf8
        return Int(status.st_size) == expected.count
            && expected.withContiguousStorageIfAvailable { wanted in
                FileSystem.contentsEqual(descriptor, wanted)
            } ?? false
    }

    private struct Staged {
        var parent: [Substring]
        var name: String
        var temporary: String
        var backup: String?
        var path: String
    }

    func write(_ files: [OutputFile], removing stale: [String], interrupted: [String]) throws(WriteError) {
        // Files are created with exactly their modes (0644, 0755), with no fchmod each.
        let umaskBefore = umask(0)
        defer { umask(umaskBefore) }
        let cursor: DirectoryCursor
        do {
            cursor = try DirectoryCursor(root: root)
        } catch {
            throw WriteError(path: root, reason: error.reason)
        }
        defer { cursor.close() }
        func directory(_ parent: [Substring], create: Bool = false) throws(WriteError) -> Int32 {
            do {
                return try cursor.move(to: parent, create: create)
            } catch {
                throw WriteError(path: ([Substring(root)] + parent).joined(separator: "/"), reason: error.reason)
            }
        }
        // Leftovers go through the directories' descriptors (walked with O_NOFOLLOW), never by
        // path: a directory swapped for a link since the walk is refused, not followed.
        func remove(_ path: String) throws(WriteError) {
            var components = path.split(separator: "/")
            let name = String(components.removeLast())
            let descriptor = try directory(components)
            if unlinkat(descriptor, name, 0) != 0, errno != ENOENT {
                throw WriteError(path: root + "/" + path, reason: FileSystem.lastError())
            }
        }
        for path in interrupted { try? remove(path) }
        // In path order, so the cursor opens each directory once per pass.
        var staged: [Staged] = []
        func discardStaged() {
            for entry in staged {
                guard let descriptor = try? directory(entry.parent) else { continue }
                unlinkat(descriptor, entry.temporary, 0)
                if let backup = entry.backup { unlinkat(descriptor, backup, 0) }
            }
        }
        do throws(WriteError) {
            for file in files.sorted(by: { $0.path < $1.path }) {
                var components = file.path.split(separator: "/")
                let name = String(components.removeLast())
                let descriptor = try directory(components, create: true)
                let temporary = try FileSystem.createExclusive(
                    in: descriptor, prefix: Self.temporaryPrefix, bytes: Array(file.contents.utf8),
                    mode: file.executable ? 0o755 : 0o644, reportedAs: root + "/" + file.path)
                staged.append(Staged(parent: components, name: name, temporary: temporary, path: file.path))
                // Keep what is replaced under a backup name until every rename has succeeded; a
                // directory where the file goes is refused here, before the first rename.
                do {
                    staged[staged.count - 1].backup = try FileSystem.linkAside(
                        descriptor, name, prefix: Self.backupPrefix)
                } catch {
                    throw WriteError(path: root + "/" + file.path, reason: error.reason)
                }
            }
        } catch {
            discardStaged()
            throw error
        }
        guard !(staged.isEmpty && stale.isEmpty) else { return }
        if FileSystem.syncfs(cursor.root) != 0 {
            let reason = FileSystem.lastError()
            discardStaged()
            throw WriteError(path: root, reason: reason)
        }
        for index in staged.indices {
            let entry = staged[index]
            let descriptor = try? directory(entry.parent)
            guard let descriptor, renameat(descriptor, entry.temporary, descriptor, entry.name) == 0 else {
                let failure = WriteError(path: root + "/" + entry.path, reason: FileSystem.lastError())
                rollBack(staged, through: index, directory)
                throw failure
            }
        }
        for entry in staged {
            if let backup = entry.backup, let descriptor = try? directory(entry.parent) {
                unlinkat(descriptor, backup, 0)
            }
        }
        for path in stale { try remove(path) }
        if FileSystem.syncfs(cursor.root) != 0 {
            throw WriteError(path: root, reason: FileSystem.lastError())
        }
    }

    /// Undoes the renames before `failed`, puts back what they replaced, removes every temporary.
    private func rollBack(
        _ staged: [Staged], through failed: Int, _ directory: ([Substring], Bool) throws(WriteError) -> Int32
    ) {
        for (index, entry) in staged.enumerated() {
            guard let descriptor = try? directory(entry.parent, false) else { continue }
            if index < failed {
                if let backup = entry.backup {
                    renameat(descriptor, backup, descriptor, entry.name)
                } else {
                    unlinkat(descriptor, entry.name, 0)
                }
            } else {
                unlinkat(descriptor, entry.temporary, 0)
                if let backup = entry.backup { unlinkat(descriptor, backup, 0) }
            }
        }
    }
}

/// Descriptors for the directories on one path below a root, moved from path to path: only the
/// components that differ are closed and opened (sorted paths open each directory once), and no
/// more descriptors are held than the path is deep, however many directories the output has.
/// Components are opened with O_NOFOLLOW: no directory below the root is reached through a link.
final class DirectoryCursor {
    let root: Int32
    private var open: [(name: Substring, descriptor: Int32)] = []

    init(root path: String) throws(FileSystem.Failure) {
        root = try FileSystem.openRoot(path, create: true)
    }

    /// Over a directory already open (the descriptor is the cursor's to close).
    init(descriptor: Int32) {
        root = descriptor
    }

    func move(to components: [Substring], create: Bool) throws(FileSystem.Failure) -> Int32 {
        var common = 0
        while common < open.count, common < components.count, open[common].name == components[common] { common += 1 }
        while open.count > common { Glibc.close(open.removeLast().descriptor) }
        for component in components[common...] {
            let parent = open.last?.descriptor ?? root
            open.append((component, try FileSystem.openChild(parent, String(component), create: create)))
        }
        return open.last?.descriptor ?? root
    }

    func close() {
        for entry in open { Glibc.close(entry.descriptor) }
        open = []
        Glibc.close(root)
    }
}
