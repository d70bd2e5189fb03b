// relay-ctrl-age
// Removes every grant older than the window (and anything in the store that is not a regular
// file, or is dated in the future; an empty directory too).
// For cron: * * * * * envdir /etc/relay-ctrl relay-ctrl-age
import CRelayLibc
import RelayCtrlCoreEmbedded

/// How many entries one hold of the store's lock covers: short enough that a login waiting to
/// rename its grant waits a fraction of a millisecond, long enough that the lock costs nothing.
let batch = 64

/// Removes the stale entries. A function, not top-level code: a closure
/// that touched a top-level (main-actor) global would link the concurrency runtime and
/// libdispatch into the tool.
func sweep(_ directory: RelayDirectory, path: [UInt8], log: Log) {
    let store = GrantStore(directory: directory)
    let window = Settings.window(Environment.value("RELAY_CTRL_EXPIRY"))
    let now = Int(time(nil))
    // Read the directory through its own descriptor; fdopendir takes ownership of the duplicate.
    guard let stream = fdopendir(dup(directory.descriptor)) else {
        log.die(1, "Could not open directory '\(printable(path))': \(Log.systemError())")
    }
    defer { closedir(stream) }
    var locked = false
    var seen = 0
    while let entry = readdir(stream) {
        // readdir's own bytes, NUL-terminated, used as they are: a name that is not UTF-8 must still
        // be found and removed, and nothing is copied for an entry that stays.
        let name = relay_entry_name(entry)!
        if strcmp(name, ".") == 0 || strcmp(name, "..") == 0 { continue }
        if seen % batch == 0 {
            if locked { StoreLock.release(directory.descriptor) }
            locked = StoreLock.exclusiveNow(directory.descriptor)
        }
        seen += 1
        var status = stat()
        guard fstatat(directory.descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
        let kind = FileKind(status)
        if kind == .directory {
            // Never a grant, and in the way of one: a directory named like an address would block that
            // client's grants for good. An empty one goes; one with entries is named (age never recurses).
            if unlinkat(directory.descriptor, name, AT_REMOVEDIR) != 0, relay_errno() != ENOENT {
                log.warn("Could not remove directory '\(printable(bytes(name)))': \(Log.systemError())")
            }
            continue
        }
        let modified = Int(status.st_mtim.tv_sec)
        let stale = modified < now - window || modified > now + GrantStore.clockSkewAllowance || kind != .regular
        guard stale else { continue }
        if let reason = remove(name, status, locked: locked, store) {
            log.warn("Could not remove '\(printable(bytes(name)))': \(reason)")
        }
    }
    if locked { StoreLock.release(directory.descriptor) }
}

/// Removes a stale entry, or says why it could not. Holding the lock, what was looked at is
/// what is there (no grant can be renamed in meanwhile): one unlink. Without it, the entry is
/// moved aside and checked first, so that a fresh grant that took the name is put back.
func remove(_ name: UnsafePointer<CChar>, _ status: stat, locked: Bool, _ store: GrantStore) -> String? {
    if locked {
        if unlinkat(store.directory.descriptor, name, 0) == 0 || relay_errno() == ENOENT { return nil }
        return Log.systemError()
    }
    if case .failed(let reason) = store.removeStale(named: name, GrantStore.identity(of: status)) { return reason }
    return nil
}

/// A name's bytes, for a log line.
func bytes(_ name: UnsafePointer<CChar>) -> [UInt8] {
    UnsafeRawBufferPointer(start: name, count: strlen(name)).map { $0 }
}

let log = Log(program: "relay-ctrl-age", showsPID: false)
guard let path = Environment.value(RelayDirectory.pathVariable) else { log.die(1, "$RELAY_CTRL_DIR is not set") }
guard let directory = RelayDirectory.open(log: log) else { exit(1) }
sweep(directory, path: path, log: log)
directory.close()
