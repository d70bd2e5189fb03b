import CRelayLibc

/// The lock that lets relay-ctrl-age unlink a stale grant with one system call and still never
/// remove a fresh one: age looks at an entry and unlinks it while holding the store directory's
/// flock exclusively; relay-ctrl-allow renames its grant into place holding it shared. A grant
/// renamed over a stale name therefore lands before age's look (and is seen fresh) or after its
/// unlink (and stays).
///
/// Neither side ever waits on the other for long, so that no account able to open the store
/// can stall logins or the sweep: age does not wait at all (when the lock is taken it removes
/// that batch the slow way, which needs no lock, see GrantStore.removeStale); allow waits about a
/// second at most, then renames anyway, since a fresh grant that age might then remove costs the
/// user a relay until the next login, never grants one.
public enum StoreLock {
    /// Shared, for a rename into the store: true once held, false after the bounded wait (or on
    /// a file system without flock), when the caller goes on without it.
    public static func shared(_ directory: Int32) -> Bool {
        var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
        for _ in 0..<14 {
            if flock(directory, LOCK_SH | LOCK_NB) == 0 { return true }
            guard errno == EWOULDBLOCK || errno == EINTR else { return false }
            nanosleep(&pause, nil)
            pause.tv_nsec = min(pause.tv_nsec * 2, 128_000_000)  // 1, 2, 4... 128 ms: ~1.1 s in all
        }
        return false
    }

    /// Exclusive, for a batch of looks and unlinks, only if nobody holds it now.
    public static func exclusiveNow(_ directory: Int32) -> Bool {
        flock(directory, LOCK_EX | LOCK_NB) == 0
    }

    public static func release(_ directory: Int32) {
        _ = flock(directory, LOCK_UN)
    }
}
