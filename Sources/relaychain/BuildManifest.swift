import RelaychainCore

#if canImport(Glibc)
    import Glibc
#endif

/// What the last build of an output directory wrote, so that a build with nothing to do costs
/// what `check` costs: when the spec's bytes, its name and the relaychain binary are those of
/// that build, and every file and directory it wrote is still the very same inode, unchanged
/// since (size, mode, modification and change times; the change time no one can set back),
/// nothing is rendered, read or compared. Anything else (no manifest, another spec, a file
/// touched, replaced, chmod'ed, a directory swapped for a link) takes the full path, which
/// compares every byte. As git's index does, an entry changed within the last second of the
/// build is not trusted (an edit in the same clock tick would keep its times), and no manifest
/// is written then: the next build compares in full and writes one.
struct BuildManifest {
    static let name = ".relaychain-build"
    static let format = "relaychain-build 1"

    /// The build's inputs: the spec's bytes and name, and the binary that compiled them.
    var key: String
    /// Each written file and directory, by path under the root, with what identified it; in
    /// path order, so each directory comes before what is in it.
    var entries: [(path: String, identity: Identity)]

    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var mode: UInt32
        var size: Int64
        var modified: Int64
        var changed: Int64

        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            mode = UInt32(status.st_mode)
            size = Int64(status.st_size)
            modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
            changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
        }

        /// From the six numbers of a manifest line, in the order `line` writes them.
        init?(_ numbers: [Int64]) {
            guard numbers.count == 6, numbers.allSatisfy({ $0 >= 0 }), numbers[2] <= Int64(UInt32.max) else {
                return nil
            }
            (device, inode, mode) = (UInt64(numbers[0]), UInt64(numbers[1]), UInt32(numbers[2]))
            (size, modified, changed) = (numbers[3], numbers[4], numbers[5])
        }

        var line: String { "\(device)\t\(inode)\t\(mode)\t\(size)\t\(modified)\t\(changed)" }
    }

    /// Two independent 64-bit FNV-1a hashes of the inputs (no collision by chance; whoever
    /// chooses the spec chooses the output anyway), and the binary's own identity: a rebuilt
    /// relaychain renders anew.
    static func key(spec: [UInt8], specName: String) -> String {
        var status = stat()
        let binary = stat("/proc/self/exe", &status) == 0 ? Identity(status).line : "unknown"
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x6c62_272e_07bb_0142
        for byte in spec + [0] + Array(specName.utf8) + [0] + Array(binary.utf8) {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte ^ 0x5c)) &* 0x0000_0100_0000_01b3
        }
        return hex(first) + hex(second)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The manifest in `root`, or nil when there is none or it is not one (then the full path).
    static func read(_ root: Int32) -> BuildManifest? {
        let descriptor = openat(root, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let bytes = FileSystem.readAll(descriptor, limit: 64 << 20) else { return nil }
        // Bytes, not Strings: a manifest of 15,000 files is read on every build.
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count >= 3, String(decoding: lines[0], as: UTF8.self) == format, lines.last!.isEmpty else {
            return nil
        }
        var entries: [(path: String, identity: Identity)] = []
        entries.reserveCapacity(lines.count - 3)
        for line in lines[2..<(lines.count - 1)] {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            guard fields.count == 7, let identity = Identity(fields[1...].compactMap(number)) else { return nil }
            entries.append((String(decoding: fields[0], as: UTF8.self), identity))
        }
        return BuildManifest(key: String(decoding: lines[1], as: UTF8.self), entries: entries)
    }

    /// Decimal digits, at most 19 of them.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: Int64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = shifted + Int64(digit - UInt8(ascii: "0"))
        }
        return value
    }

    /// Whether every entry is still what the manifest says. Each directory is looked at itself
    /// (not through a link), before what is in it, so a file is reached only through the
    /// directories that were written.
    func holds(_ root: Int32) -> Bool {
        var previous = ""
        for (path, identity) in entries {
            // Written in path order; out of order it is not a manifest this build wrote.
            guard path > previous else { return false }
            previous = path
            var status = stat()
            guard fstatat(root, path, &status, AT_SYMLINK_NOFOLLOW) == 0, Identity(status) == identity else {
                return false
            }
        }
        return true
    }

    /// Looks at what a build left in `root` and records it, or removes the old manifest when an
    /// entry is too recent to be trusted, or is not a directory or regular file as written (a
    /// link the full path read through is never recorded as the output).
    static func record(_ root: Int32, key: String, files: [String]) {
        var paths = Set(files)
        for file in files {
            var parent = Substring(file)
            while let slash = parent.lastIndex(of: "/") {
                parent = parent[..<slash]
                paths.insert(String(parent))
            }
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let trusted = (Int64(now.tv_sec) - 1) * 1_000_000_000 + Int64(now.tv_nsec)
        var lines = [format, key]
        let directories = paths.subtracting(files)
        for path in paths.sorted() {
            var status = stat()
            guard fstatat(root, path, &status, AT_SYMLINK_NOFOLLOW) == 0,
                status.st_mode & S_IFMT == (directories.contains(path) ? S_IFDIR : S_IFREG)
            else { return discard(root) }
            let identity = Identity(status)
            guard identity.changed < trusted, identity.modified < trusted else { return discard(root) }
            lines.append(path + "\t" + identity.line)
        }
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        let temporary = FileSystem.unpredictableName(OutputDirectory.temporaryPrefix)
        let descriptor = openat(root, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return discard(root) }
        let written = FileSystem.writeAll(descriptor, text)
        guard close(descriptor) == 0, written, renameat(root, temporary, root, name) == 0 else {
            unlinkat(root, temporary, 0)
            return discard(root)
        }
    }

    static func discard(_ root: Int32) {
        unlinkat(root, name, 0)
    }
}

extension OutputDirectory {
    /// How many files the last build wrote, when its manifest still holds for these inputs.
    func unchanged(key: String) -> Int? {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let manifest = BuildManifest.read(descriptor), manifest.key == key, manifest.holds(descriptor) else {
            return nil
        }
        return manifest.entries.filter { $0.identity.mode & S_IFMT == S_IFREG }.count
    }

    func recordManifest(key: String, files: [OutputFile]) {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        BuildManifest.record(descriptor, key: key, files: files.map(\.path))
    }
}
