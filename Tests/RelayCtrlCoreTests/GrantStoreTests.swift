import Foundation
import Glibc
import RelayCtrlCore
import Testing

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

    func write(_ address: String, user: String) throws {
        let problem = store.write(ClientAddress(address)!, records: [GrantRecord(name: Array("USER".utf8), value: Array(user.utf8))])
        #expect(problem == nil)
    }

    func staleIdentity(_ address: String) throws -> GrantStore.Identity {
        let now = Int(time(nil))
        guard case .expired(_, let identity) = store.lookup(ClientAddress(address)!, now: now + 10_000, window: 900) else {
            throw LookupFailed()
        }
        return identity
    }

    struct LookupFailed: Error {}

    @Test func writeThenLookup() throws {
        try write("192.0.2.7", user: "alice")
        guard case .fresh(let grant) = store.lookup(ClientAddress("192.0.2.7")!, now: Int(time(nil)), window: 900) else {
            Issue.record("no fresh grant")
            return
        }
        #expect(grant.records == [GrantRecord(name: Array("USER".utf8), value: Array("alice".utf8))])
        #expect(body("192.0.2.7") == "USER=alice\0")
    }

    @Test func removesTheStaleFileItWasShown() throws {
        try write("192.0.2.7", user: "old")
        let identity = try staleIdentity("192.0.2.7")
        #expect(store.removeStale("192.0.2.7", identity))
        #expect(try entries() == [])
    }

    /// check saw a stale grant; before it removes it, a login renames a fresh one into place.
    /// The original's unlink() would delete the fresh grant.
    @Test func freshGrantThatRacedInIsKept() throws {
        try write("192.0.2.7", user: "old")
        let identity = try staleIdentity("192.0.2.7")
        try write("192.0.2.7", user: "fresh")
        #expect(!store.removeStale("192.0.2.7", identity))
        #expect(body("192.0.2.7") == "USER=fresh\0")
        #expect(try entries() == ["192.0.2.7"], "nothing left aside")
    }

    @Test func removingWhatIsAlreadyGoneIsHarmless() throws {
        try write("192.0.2.7", user: "old")
        let identity = try staleIdentity("192.0.2.7")
        #expect(store.removeStale("192.0.2.7", identity))
        #expect(!store.removeStale("192.0.2.7", identity))
        #expect(try entries() == [])
    }
}
