import Foundation
import Glibc
import Testing

@testable import RelayCtrlCore

/// The store's operations on a real directory, including the interleavings that concurrent
/// processes produce, replayed one step at a time.
@Suite struct GrantStoreTests {
    let path: String
    let store: GrantStore

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("grant-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        store = GrantStore(directory: RelayDirectory(descriptor: descriptor, handedOver: false))
    }

    func body(_ name: String) -> String? {
        FileManager.default.contents(atPath: "\(path)/\(name)").map { String(decoding: $0, as: UTF8.self) }
    }

    func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }

    /// relay-ctrl 3.2's temporary name, byte for byte, as the byte-building code makes it.
    @Test func temporaryNamesHaveTheOriginalsForm() {
        func name(_ seconds: Int, _ microseconds: Int, _ attempt: Int) -> String {
            let bytes = GrantStore.temporaryName(seconds: seconds, microseconds: microseconds, attempt: attempt)
            #expect(bytes.filter { $0 == 0 }.count == bytes.count - bytes.firstIndex(of: 0)!)
            return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let pid = getpid()
        #expect(name(1_796_604_735, 584_508, 0) == ".1796604735.584508:\(pid)")
        #expect(name(1_796_604_735, 7, 3) == ".1796604735.7:\(pid).3")
        #expect(name(0, 0, 0) == ".0.0:\(pid)")
        #expect(name(Int.max, 999_999, 7) == ".\(Int.max).999999:\(pid).7")
        // A clock before 1970 still gives a unique, NUL-free name: the magnitude.
        #expect(name(-5, 10, 0) == ".5.10:\(pid)")
    }

    func write(_ address: String, user: String) throws {
        let problem = store.write(
            ClientAddress(address)!, records: [GrantRecord(name: Array("USER".utf8), value: Array(user.utf8))])
        #expect(problem == nil)
    }

    func staleIdentity(_ address: String) throws -> GrantStore.Identity {
        let now = Int(time(nil))
        guard case .expired(_, let identity) = store.lookup(ClientAddress(address)!, now: now + 10_000, window: 900)
        else {
            throw LookupFailed()
        }
        return identity
    }

    struct LookupFailed: Error {}

    @Test func writeThenLookup() throws {
        try write("192.0.2.7", user: "alice")
        guard case .fresh(let grant) = store.lookup(ClientAddress("192.0.2.7")!, now: Int(time(nil)), window: 900)
        else {
            Issue.record("no fresh grant")
            return
        }
        #expect(grant.records == [GrantRecord(name: Array("USER".utf8), value: Array("alice".utf8))])
        #expect(body("192.0.2.7") == "USER=alice\0")
    }

    @Test func removesTheStaleFileItWasShown() throws {
        try write("192.0.2.7", user: "old")
        let identity = try staleIdentity("192.0.2.7")
        #expect(store.removeStale("192.0.2.7", identity) == .removed)
        #expect(try entries() == [])
    }

    /// check saw a stale grant; before it removes it, a login renames a fresh one into place.
    /// The original's unlink() would delete the fresh grant.
    @Test func freshGrantThatRacedInIsKept() throws {
        try write("192.0.2.7", user: "old")
        let identity = try staleIdentity("192.0.2.7")
        try write("192.0.2.7", user: "fresh")
        #expect(store.removeStale("192.0.2.7", identity) == .keptReplacement)
        #expect(body("192.0.2.7") == "USER=fresh\0")
        #expect(try entries() == ["192.0.2.7"], "nothing left aside")
    }

    @Test func removingWhatIsAlreadyGoneIsHarmless() throws {
        try write("192.0.2.7", user: "old")
        let identity = try staleIdentity("192.0.2.7")
        #expect(store.removeStale("192.0.2.7", identity) == .removed)
        #expect(store.removeStale("192.0.2.7", identity) == .alreadyGone)
        #expect(try entries() == [])
    }

    /// The file system hands the stale grant's inode number to a fresh grant (ext4 reuses a freed
    /// inode at once): same device, same inode, new contents and a new date. Reproduced exactly by
    /// rewriting the stale file in place, so the inode is the same by construction. Comparing the
    /// device and inode alone, removeStale deleted this fresh grant.
    @Test func freshGrantOnAReusedInodeIsKept() throws {
        try write("192.0.2.7", user: "old")
        let identity = try staleIdentity("192.0.2.7")
        var before = stat()
        #expect(lstat("\(path)/192.0.2.7", &before) == 0)
        let descriptor = open("\(path)/192.0.2.7", O_WRONLY | O_TRUNC)
        #expect(descriptor >= 0)
        let fresh = Array("USER=fresh\0".utf8)
        #expect(Glibc.write(descriptor, fresh, fresh.count) == fresh.count)
        // Dated one second later than the stale grant's date: a fresh login, as far as any clock says.
        var times = [
            timespec(tv_sec: before.st_mtim.tv_sec + 1, tv_nsec: 0),
            timespec(tv_sec: before.st_mtim.tv_sec + 1, tv_nsec: 0),
        ]
        #expect(futimens(descriptor, &times) == 0)
        close(descriptor)
        var after = stat()
        #expect(lstat("\(path)/192.0.2.7", &after) == 0)
        #expect(after.st_ino == before.st_ino && after.st_dev == before.st_dev, "the same inode, as after reuse")

        #expect(store.removeStale("192.0.2.7", identity) == .keptReplacement)
        #expect(body("192.0.2.7") == "USER=fresh\0")
        #expect(try entries() == ["192.0.2.7"], "nothing left aside")
    }

    /// Same inode and same date, but other contents (a grant rewritten within the same second by a
    /// tool that keeps inodes): the size tells them apart.
    @Test func sameInodeSameDateOtherSizeIsKept() throws {
        try write("192.0.2.7", user: "old")
        let identity = try staleIdentity("192.0.2.7")
        var before = stat()
        #expect(lstat("\(path)/192.0.2.7", &before) == 0)
        let descriptor = open("\(path)/192.0.2.7", O_WRONLY | O_TRUNC)
        let fresh = Array("USER=someone-else\0".utf8)
        #expect(Glibc.write(descriptor, fresh, fresh.count) == fresh.count)
        var times = [before.st_mtim, before.st_mtim]
        #expect(futimens(descriptor, &times) == 0)
        close(descriptor)
        #expect(store.removeStale("192.0.2.7", identity) == .keptReplacement)
        #expect(body("192.0.2.7") == "USER=someone-else\0")
    }
}
