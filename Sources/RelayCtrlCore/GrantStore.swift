import CRelayLibc

/// Grants in the store: one file per client address, its mtime the time of the login.
public struct GrantStore: Sendable {
    public let directory: RelayDirectory

    /// How far in the future a grant's mtime may lie (clock steps, NFS) before it is distrusted:
    /// without a bound, `touch -d 2099-01-01` would be a permanent grant.
    public static let clockSkewAllowance = 30

    public init(directory: RelayDirectory) {
        self.directory = directory
    }

    /// What identifies one version of one file, so that removing a stale grant never removes a
    /// fresh one that replaced it in the meantime. The inode alone is not enough: a file system
    /// reuses a freed inode number at once (ext4 does), so a fresh grant written after the stale
    /// one was unlinked elsewhere can carry the same device and inode. Its modification time
    /// cannot be the same (a fresh grant is dated now; a stale one is outside the window, or in
    /// the future), and the size is compared too.
    public struct Identity: Equatable, Sendable {
        var device: UInt
        var inode: UInt
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        var size: Int
    }

    /// What `removeStale` did.
    public enum Removal: Equatable, Sendable {
        case removed
        /// A different file (a fresh grant) had taken the name; it was left in place.
        case keptReplacement
        /// Nothing there any more (another process removed it).
        case alreadyGone
        case failed(reason: String)
    }

    public enum Lookup: Sendable {
        case fresh(GrantBody)
        case missing
        /// Older than the window; `age` in seconds.
        case expired(age: Int, Identity)
        /// Dated more than the allowance ahead of now.
        case future(ahead: Int, Identity)
        /// A symbolic link, FIFO, directory, device...: never read, never a grant.
        case notRegular(kind: String, Identity?)
        case unreadable(reason: String)
    }

    public func lookup(_ address: ClientAddress, now: Int, window: Int) -> Lookup {
        let name = address.canonical
        // Opened without a look first: no link is followed, a FIFO does not block, and what is not
        // a regular file is refused on the descriptor. (A device node, which opening might stir,
        // takes root to make: no account can link one in from /dev, another file system.)
        let descriptor = name.withCString {
            relay_openat(directory.descriptor, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0)
        }
        guard descriptor >= 0 else {
            if errno == ENOENT { return .missing }
            return errno == ELOOP ? .notRegular(kind: "a symbolic link", nil) : .unreadable(reason: Log.systemError())
        }
        defer { close(descriptor) }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else { return .unreadable(reason: Log.systemError()) }
        guard FileKind(opened) == .regular else {
            return .notRegular(kind: Self.kind(of: opened), Self.identity(of: opened))
        }
        let modified = Int(opened.st_mtim.tv_sec)
        if modified > now + Self.clockSkewAllowance { return .future(ahead: modified - now, Self.identity(of: opened)) }
        if modified < now - window { return .expired(age: now - modified, Self.identity(of: opened)) }
        guard let body = GrantBody(reading: descriptor) else { return .unreadable(reason: Log.systemError()) }
        return .fresh(body)
    }

    /// Records a grant: a new file under a temporary name, then renamed over the address, so a
    /// reader sees the old grant or the new one, never half of one.
    public func write(_ address: ClientAddress, records: [GrantRecord]) -> String? {
        // Readable by the SMTP side, a different user; never writable by anyone but the writer
        // (the original's 0666 let any account that reached the store rewrite a grant).
        let mode: mode_t = directory.handedOver ? 0o644 : 0o600
        var time = timeval()
        gettimeofday(&time, nil)
        var temporary: [CChar] = []
        var descriptor: Int32 = -1
        for attempt in 0..<8 {
            temporary = Self.temporaryName(seconds: Int(time.tv_sec), microseconds: Int(time.tv_usec), attempt: attempt)
            descriptor = relay_openat(
                directory.descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else {
            return "Could not open '\(Self.text(temporary))' for writing: \(Log.systemError())"
        }
        // Exactly 0644 whatever the umask, for the readers; a umask can only narrow 0600.
        if directory.handedOver { _ = fchmod(descriptor, mode) }
        let body = GrantRecords.encode(records)
        let written = Self.writeAll(descriptor, body)
        let closed = close(descriptor) == 0
        guard written, closed else {
            let reason = Log.systemError()
            unlinkat(directory.descriptor, temporary, 0)
            return "Could not write to '\(Self.text(temporary))': \(reason)"
        }
        // Under the shared lock, so that relay-ctrl-age never unlinks this fresh grant (StoreLock).
        let locked = StoreLock.shared(directory.descriptor)
        let renamed = address.canonical.withCString {
            renameat(directory.descriptor, temporary, directory.descriptor, $0) == 0
        }
        let reason = renamed ? "" : Log.systemError()
        // Closing releases it too, but a handed-over descriptor may be open elsewhere.
        if locked, directory.handedOver { StoreLock.release(directory.descriptor) }
        guard renamed else {
            unlinkat(directory.descriptor, temporary, 0)
            return "Could not rename '\(Self.text(temporary))' to '\(address.canonical)': \(reason)"
        }
        return nil
    }

    /// relay-ctrl 3.2's temporary name, `.<seconds>.<microseconds>:<pid>` (then `.<attempt>`),
    /// NUL-terminated: built as bytes (interpolating a String and growing it cost allow thousands
    /// of instructions, callgrind), and passed to the C library as it is.
    static func temporaryName(seconds: Int, microseconds: Int, attempt: Int) -> [CChar] {
        // Four numbers of at most 20 digits, four separators, the NUL.
        var name = [CChar](repeating: 0, count: 88)
        name.withUnsafeMutableBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return }
            var end = start
            end = put(UInt8(ascii: "."), seconds, at: end)
            end = put(UInt8(ascii: "."), microseconds, at: end)
            end = put(UInt8(ascii: ":"), Int(getpid()), at: end)
            if attempt > 0 { end = put(UInt8(ascii: "."), attempt, at: end) }
        }
        return name
    }

    /// Writes `separator` and `value` in decimal (negative values as their magnitude: a clock
    /// before 1970 still makes a unique name) and returns where the next byte goes.
    private static func put(
        _ separator: UInt8, _ value: Int, at position: UnsafeMutablePointer<CChar>
    ) -> UnsafeMutablePointer<CChar> {
        position.pointee = CChar(bitPattern: separator)
        var magnitude = value.magnitude
        var digits = 0
        repeat {
            digits += 1
            magnitude /= 10
        } while magnitude > 0
        magnitude = value.magnitude
        var at = position + digits
        repeat {
            at.pointee = CChar(bitPattern: UInt8(ascii: "0") + UInt8(magnitude % 10))
            at -= 1
            magnitude /= 10
        } while magnitude > 0
        return position + digits + 1
    }

    private static func text(_ name: [CChar]) -> String {
        String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes `name` if it is still the file identified earlier. The entry is first moved
    /// aside, then checked: if another file had replaced it, that file is put back (unless an
    /// even newer one has arrived meanwhile), so a fresh grant is never lost.
    public func removeStale(_ name: String, _ identity: Identity?) -> Removal {
        name.withCString { removeStale(named: $0, identity) }
    }

    /// The same for a name as the directory holds it (readdir's bytes, UTF-8 or not).
    public func removeStale(named name: UnsafePointer<CChar>, _ identity: Identity?) -> Removal {
        var aside = Self.asidePrefix
        aside.append(contentsOf: UnsafeBufferPointer(start: name, count: strlen(name) + 1))
        guard renameat(directory.descriptor, name, directory.descriptor, aside) == 0 else {
            return errno == ENOENT ? .alreadyGone : .failed(reason: Log.systemError())
        }
        var moved = stat()
        if fstatat(directory.descriptor, aside, &moved, AT_SYMLINK_NOFOLLOW) == 0, let identity,
            Self.identity(of: moved) != identity
        {
            // Not the stale one: restore it without replacing anything newer (link fails on EEXIST).
            if linkat(directory.descriptor, aside, directory.descriptor, name, 0) != 0, errno != EEXIST {
                renameat(directory.descriptor, aside, directory.descriptor, name)
                return .keptReplacement
            }
            unlinkat(directory.descriptor, aside, 0)
            return .keptReplacement
        }
        guard unlinkat(directory.descriptor, aside, 0) == 0 else { return .failed(reason: Log.systemError()) }
        return .removed
    }

    /// Made once per process, not once per removal (relay-ctrl-age removes thousands).
    private static let asidePrefix: [CChar] = ".stale.\(getpid()).".utf8.map { CChar(bitPattern: $0) }

    public static func identity(of status: stat) -> Identity {
        Identity(
            device: UInt(status.st_dev), inode: UInt(status.st_ino), modifiedSeconds: Int(status.st_mtim.tv_sec),
            modifiedNanoseconds: Int(status.st_mtim.tv_nsec), size: Int(status.st_size))
    }

    static func kind(of status: stat) -> String {
        FileKind(status).phrase
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { relay_write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += count
        }
        return true
    }
}
