import Foundation
import Testing

/// The store's flock between relay-ctrl-age (exclusive, per batch) and relay-ctrl-allow (shared,
/// around its rename): allow waits for a sweep's batch, never much more; age never waits.
@Suite struct StoreLockTests {
    /// Holds the store directory's flock from this process, as relay-ctrl-age or any account able
    /// to open the store could.
    final class Holder: Sendable {
        let descriptor: Int32

        init(_ h: ToolHarness, _ operation: Int32) throws {
            descriptor = open(h.store.path, O_RDONLY | O_DIRECTORY)
            try #require(descriptor >= 0)
            try #require(flock(descriptor, operation | LOCK_NB) == 0)
        }

        func release() { flock(descriptor, LOCK_UN) }
        deinit { close(descriptor) }
    }

    func timedAllow(_ h: ToolHarness, _ address: String) throws -> (ToolHarness.Run, TimeInterval) {
        let start = Date()
        let run = try h.run("relay-ctrl-allow", [], environment: h.smtpEnvironment(address, ["USER": "alice"]))
        return (run, Date().timeIntervalSince(start))
    }

    @Test func allowRenamesOnlyOnceASweepLetsGo() throws {
        let h = try ToolHarness()
        let sweep = try Holder(h, LOCK_EX)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.4) { sweep.release() }
        let (run, elapsed) = try timedAllow(h, "192.0.2.7")
        #expect(run.status == 0 && run.errors == "")
        #expect(elapsed >= 0.35 && elapsed < 1.0, "waited \(elapsed) s for a 0.4 s hold")
        #expect(h.grantBody("192.0.2.7") == "USER=alice\0")
        #expect(try h.storeEntries() == ["192.0.2.7"], "no temporary file left")
    }

    @Test func aLockNeverReleasedDelaysALoginByLittleMoreThanASecond() throws {
        let h = try ToolHarness()
        let hostile = try Holder(h, LOCK_EX)
        defer { hostile.release() }
        let (run, elapsed) = try timedAllow(h, "2001:db8::7")
        #expect(run.status == 0 && run.errors == "")
        #expect(elapsed >= 1.0 && elapsed < 2.0, "waited \(elapsed) s")
        #expect(h.grantBody("2001:db8::7") == "USER=alice\0", "the grant is written all the same")
    }

    /// A shared hold (a login renaming, or an account keeping it) never stalls the sweep: the
    /// batch is removed the way that needs no lock, and fresh grants stay.
    @Test func ageSweepsWhileTheLockIsHeld() throws {
        let h = try ToolHarness()
        for number in 1...150 { try h.plantGrant("198.51.100.\(number)", age: number % 2 == 0 ? 5000 : 10) }
        let login = try Holder(h, LOCK_SH)
        defer { login.release() }
        let start = Date()
        let run = try h.run("relay-ctrl-age", [], environment: ["RELAY_CTRL_DIR": h.store.path])
        #expect(Date().timeIntervalSince(start) < 0.5)
        #expect(run.status == 0 && run.errors == "")
        #expect(try h.storeEntries() == (1...150).filter { $0 % 2 == 1 }.map { "198.51.100.\($0)" }.sorted())
    }
}
