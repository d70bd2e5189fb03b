import Foundation

/// An account's IDs, looked up with getpwnam_r: getpwnam's record is shared by every thread,
/// and the tests run side by side (one looking up its attacker while another reads redis's).
public func accountIDs(_ name: String) -> (uid: uid_t, gid: gid_t)? {
    var record = passwd()
    var found: UnsafeMutablePointer<passwd>?
    var buffer = [CChar](repeating: 0, count: 16 * 1024)
    guard getpwnam_r(name, &record, &buffer, buffer.count, &found) == 0, found != nil else { return nil }
    return (record.pw_uid, record.pw_gid)
}
