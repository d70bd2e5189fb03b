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
    /// The manifest's text, each entry's path ended by a NUL where its tab was, so that fstatat
    /// takes the path where it lies: no String per entry (a manifest of 25,000 entries is read on
    /// every build; its Strings were a quarter of what checking the output cost).
    var text: [UInt8]
    /// Each written file and directory: where its path lies in `text`, and what identified it; in
    /// byte order of the paths, so each directory comes before what is in it.
    var entries: [Entry]

    struct Entry {
        var path: Range<Int>
        var identity: Identity
    }

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
        func mix(_ byte: UInt8) {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte ^ 0x5c)) &* 0x0000_0100_0000_01b3
        }
        // Each part in turn, NUL-separated, without copying the spec into one array first.
        spec.forEach(mix)
        mix(0)
        specName.utf8.forEach(mix)
        mix(0)
        binary.utf8.forEach(mix)
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
        guard var text = FileSystem.readAll(descriptor, limit: 64 << 20), text.last == newline else { return nil }
        // memchr, not a Swift loop over the slice: 25,000 lines on every up-to-date build.
        var lines: [Range<Int>] = []
        text.withUnsafeBufferPointer { bytes in
            var start = 0
            while start < bytes.count,
                let found = memchr(bytes.baseAddress! + start, Int32(newline), bytes.count - start)
            {
                let end = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                lines.append(start..<end)
                start = end + 1
            }
        }
        guard lines.count >= 2, text[lines[0]].elementsEqual(format.utf8) else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(lines.count - 2)
        var values = [Int64](repeating: 0, count: 6)
        for line in lines[2...] {
            guard let tab = text[line].firstIndex(of: UInt8(ascii: "\t")), tab > line.lowerBound,
                !text[line.lowerBound..<tab].contains(0)
            else { return nil }
            guard numbers(text[(tab + 1)..<line.upperBound], into: &values), let identity = Identity(values) else {
                return nil
            }
            text[tab] = 0
            entries.append(Entry(path: line.lowerBound..<tab, identity: identity))
        }
        let key = String(decoding: text[lines[1]], as: UTF8.self)
        return BuildManifest(key: key, text: text, entries: entries)
    }

    private static let newline = UInt8(ascii: "\n")

    /// Six tab-separated numbers of decimal digits, at most 19 digits each, into `values`: in one
    /// pass, no array per line.
    private static func numbers(_ fields: ArraySlice<UInt8>, into values: inout [Int64]) -> Bool {
        var field = 0
        var digits = 0
        values[0] = 0
        for byte in fields {
            if byte == UInt8(ascii: "\t") {
                guard digits > 0, field < 5 else { return false }
                field += 1
                digits = 0
                values[field] = 0
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 19 else { return false }
            let (shifted, overflow) = values[field].multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow, !carry else { return false }
            values[field] = sum
            digits += 1
        }
        return field == 5 && digits > 0
    }

    /// Whether every entry is still what the manifest says. Each directory is looked at itself
    /// (not through a link), before what is in it, so a file is reached only through the
    /// directories that were written.
    func holds(_ root: Int32) -> Bool {
        text.withUnsafeBufferPointer { text in
            var previous = 0..<0
            for entry in entries {
                // Written in byte order; out of order it is not a manifest this build wrote.
                guard text[previous].lexicographicallyPrecedes(text[entry.path]) else { return false }
                previous = entry.path
                var status = stat()
                let path = UnsafeRawPointer(text.baseAddress! + entry.path.lowerBound).assumingMemoryBound(
                    to: CChar.self)
                guard fstatat(root, path, &status, AT_SYMLINK_NOFOLLOW) == 0, Identity(status) == entry.identity else {
                    return false
                }
            }
            return true
        }
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
        // Byte order, as `holds` reads them (String order differs for paths that are not NFC).
        for path in paths.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
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
