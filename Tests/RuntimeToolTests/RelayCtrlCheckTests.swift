import Foundation
import Testing

@Suite struct RelayCtrlCheckTests {
    let check = "relay-ctrl-check"

    @Test func freshGrantSetsRelayClientAndCarriedVariables() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.7", age: 60)
        let run = try h.run(
            check, [h.probe.path, "qmail-smtpd", "arg with space", "$HOME", "'q'"],
            environment: h.smtpEnvironment("192.0.2.7"))
        #expect(run.status == 42)
        #expect(run.errors == "")
        #expect(run.argv == ["qmail-smtpd", "arg with space", "$HOME", "'q'"])
        #expect(run.environment?["RELAYCLIENT"] == "")
        #expect(run.environment?["RBLSMTPD"] == "")
        #expect(run.environment?["USER"] == "alice")
        #expect(run.environment?["DOMAIN"] == "example.org")
    }

    @Test func relayClientValueComesFromRelayCtrlRelayClient() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.7")
        let run = try h.run(
            check, [h.probe.path],
            environment: h.smtpEnvironment("192.0.2.7", ["RELAY_CTRL_RELAYCLIENT": "@relay.example.org"]))
        #expect(run.environment?["RELAYCLIENT"] == "@relay.example.org")
    }

    @Test func noGrantMeansNoRelay() throws {
        let h = try ToolHarness()
        let run = try h.run(
            check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.7", ["RELAY_CTRL_LOG_IPS": "1"]))
        #expect(run.status == 42)
        #expect(run.environment?["RELAYCLIENT"] == nil)
        #expect(run.environment?["RBLSMTPD"] == nil)
        #expect(logLines(run.errors, program: check) == ["relay-ctrl-check: PID: IP 192.0.2.7 not found"])
    }

    /// A removal that fails is said as such (the original logged "removing" whatever happened);
    /// the client still gets no relay and the chain still runs. chattr +i makes the store
    /// unchangeable even for root.
    @Test func failedRemovalIsReportedNotClaimed() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.2", age: 5_000)
        let chattr = try Process.run(URL(fileURLWithPath: "/usr/bin/chattr"), arguments: ["+i", h.store.path])
        chattr.waitUntilExit()
        try #require(chattr.terminationStatus == 0)
        defer {
            let undo = try? Process.run(URL(fileURLWithPath: "/usr/bin/chattr"), arguments: ["-i", h.store.path])
            undo?.waitUntilExit()
        }
        let run = try h.run(check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.2"))
        #expect(run.status == 42)
        #expect(run.environment?["RELAYCLIENT"] == nil)
        #expect(
            logLines(run.errors, program: check) == [
                "relay-ctrl-check: PID: Expired IP 192.0.2.2 found, could not remove it: Operation not permitted"
            ])
        #expect(try h.storeEntries() == ["192.0.2.2"])
    }

    @Test func windowBoundariesFollowRelayCtrlExpiry() throws {
        let h = try ToolHarness()
        // Wide margins: under load a test can stall for seconds between planting and checking.
        try h.plantGrant("192.0.2.1", age: 100)
        try h.plantGrant("192.0.2.2", age: 500)
        let inside = try h.run(
            check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.1", ["RELAY_CTRL_EXPIRY": "300"]))
        #expect(inside.environment?["RELAYCLIENT"] == "")
        let outside = try h.run(
            check, [h.probe.path],
            environment: h.smtpEnvironment("192.0.2.2", ["RELAY_CTRL_EXPIRY": "300", "RELAY_CTRL_LOG_IPS": "1"]))
        #expect(outside.environment?["RELAYCLIENT"] == nil)
        #expect(
            logLines(outside.errors, program: check) == ["relay-ctrl-check: PID: Expired IP 192.0.2.2 found, removed"])
        #expect(try h.storeEntries() == ["192.0.2.1"], "the expired grant is removed, nothing else")
        // Default window 900 s.
        try h.plantGrant("192.0.2.3", age: 800)
        #expect(
            try h.run(check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.3")).environment?["RELAYCLIENT"]
                == "")
    }

    /// Flaw 1: the original putenv()s every record, so a planted QMAILQUEUE runs code as qmaild.
    @Test func onlyCarriedVariablesAreImported() throws {
        let h = try ToolHarness()
        try h.plantGrant(
            "192.0.2.7", "USER=mallory\0QMAILQUEUE=/tmp/evil\0PATH=/tmp\0LD_PRELOAD=/tmp/x.so\0RELAYCLIENT=@evil\0")
        let run = try h.run(check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.7"))
        #expect(run.environment?["USER"] == "mallory")
        #expect(run.environment?["QMAILQUEUE"] == nil)
        #expect(run.environment?["PATH"] == nil)
        #expect(run.environment?["LD_PRELOAD"] == nil)
        #expect(run.environment?["RELAYCLIENT"] == "", "RELAYCLIENT comes from RELAY_CTRL_RELAYCLIENT only")
        #expect(
            logLines(run.errors, program: check) == [
                "relay-ctrl-check: PID: Ignoring QMAILQUEUE in the grant for 192.0.2.7: not a carried variable",
                "relay-ctrl-check: PID: Ignoring PATH in the grant for 192.0.2.7: not a carried variable",
                "relay-ctrl-check: PID: Ignoring LD_PRELOAD in the grant for 192.0.2.7: not a carried variable",
                "relay-ctrl-check: PID: Ignoring RELAYCLIENT in the grant for 192.0.2.7: not a carried variable",
            ])
    }

    @Test func carryListIsConfigurableButNeverDangerous() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.7", "USER=u\0DOMAIN=d\0MAILBOX=m\0QMAILQUEUE=/tmp/evil\0")
        let run = try h.run(
            check, [h.probe.path],
            environment: h.smtpEnvironment(
                "192.0.2.7", ["RELAY_CTRL_CARRY": "MAILBOX,QMAILQUEUE", "RELAY_CTRL_LOG_ENV": "1"]))
        #expect(run.environment?["MAILBOX"] == "m")
        #expect(run.environment?["USER"] == nil)
        #expect(run.environment?["QMAILQUEUE"] == nil)
        #expect(
            logLines(run.errors, program: check) == [
                "relay-ctrl-check: PID: Not carrying QMAILQUEUE: it would let a local user steer qmail (QMAILQUEUE "
                    + "runs any program as qmaild)",
                "relay-ctrl-check: PID: Ignoring USER in the grant for 192.0.2.7: not a carried variable",
                "relay-ctrl-check: PID: Ignoring DOMAIN in the grant for 192.0.2.7: not a carried variable",
                "relay-ctrl-check: PID: Set $MAILBOX from the grant for 192.0.2.7",
                "relay-ctrl-check: PID: Ignoring QMAILQUEUE in the grant for 192.0.2.7: not a carried variable",
            ])
    }

    /// Flaw 2: `mtime + expiry >= now` holds forever for a future mtime.
    @Test func futureDatedGrantIsRefusedAndRemoved() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.7", age: -86_400 * 365 * 70)
        let run = try h.run(check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.7"))
        #expect(run.environment?["RELAYCLIENT"] == nil)
        #expect(run.errors.contains("s in the future, removed it"))
        #expect(try h.storeEntries() == [])
        // A few seconds ahead (clock skew) is still a grant.
        try h.plantGrant("192.0.2.8", age: -10)
        #expect(
            try h.run(check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.8")).environment?["RELAYCLIENT"]
                == "")
    }

    /// Flaw 3: the original opens TCPREMOTEIP as a path, unvalidated.
    @Test(arguments: [
        "../outside", "/etc/passwd", "", String(repeating: "9", count: 300), "192.0.2.7\nX", "192.0.2.7/", ".",
    ])
    func hostileAddressNeverBecomesAPath(_ address: String) throws {
        let h = try ToolHarness()
        // Fresh "grants" wherever such a path could lead.
        _ = FileManager.default.createFile(
            atPath: h.root.appendingPathComponent("spool/outside").path, contents: Data())
        try h.plantGrant("192.0.2.7")
        let run = try h.run(check, [h.probe.path], environment: h.smtpEnvironment(address))
        #expect(run.status == 42)
        #expect(run.environment?["RELAYCLIENT"] == nil)
        #expect(logLines(run.errors, program: check).count == 1)
        #expect(run.errors.contains("Invalid $TCPREMOTEIP"))
    }

    /// Flaw 8: a symlink to a fresh grant, a FIFO (which would block a plain open), a directory.
    @Test func plantedNonFilesAreNeverGrants() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.99")
        try FileManager.default.createSymbolicLink(atPath: h.grantPath("192.0.2.1"), withDestinationPath: "192.0.2.99")
        #expect(mkfifo(h.grantPath("192.0.2.2"), 0o666) == 0)
        try FileManager.default.createDirectory(atPath: h.grantPath("192.0.2.3"), withIntermediateDirectories: false)
        for (address, kind) in [
            ("192.0.2.1", "a symbolic link"), ("192.0.2.2", "a FIFO"), ("192.0.2.3", "a directory"),
        ] {
            let run = try h.run(check, [h.probe.path], environment: h.smtpEnvironment(address))
            #expect(run.status == 42)
            #expect(run.environment?["RELAYCLIENT"] == nil, "\(kind)")
            #expect(
                logLines(run.errors, program: check) == [
                    "relay-ctrl-check: PID: Grant for \(address) is \(kind), ignoring it"
                ])
        }
    }

    /// Flaw 4: a failed chdir made the original look the address up in the current directory.
    @Test func missingStoreIsNotLookedUpRelativeToTheCurrentDirectory() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.7")
        let run = try h.run(
            check, [h.probe.path], environment: ["TCPREMOTEIP": "192.0.2.7", "RELAY_CTRL_DIR": "/nonexistent/allow"],
            directory: h.store)
        #expect(run.status == 42, "a store problem never blocks mail")
        #expect(run.environment?["RELAYCLIENT"] == nil)
        #expect(
            logLines(run.errors, program: check) == [
                "relay-ctrl-check: PID: Could not open directory '/nonexistent/allow': No such file or directory"
            ])
    }

    @Test func existingRelayClientAndRblsmtpdAreLeftAlone() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.7")
        let local = try h.run(
            check, [h.probe.path],
            environment: h.smtpEnvironment("192.0.2.7", ["RELAYCLIENT": "@local", "RELAY_CTRL_LOG_IPS": "1"]))
        #expect(local.environment?["RELAYCLIENT"] == "@local")
        #expect(local.environment?["USER"] == nil)
        #expect(
            logLines(local.errors, program: check) == [
                "relay-ctrl-check: PID: $RELAYCLIENT already set, not checking IP"
            ])
        let blocked = try h.run(
            check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.7", ["RBLSMTPD": "-blocked by policy"]))
        #expect(blocked.environment?["RELAYCLIENT"] == "")
        #expect(
            blocked.environment?["RBLSMTPD"] == "-blocked by policy",
            "an explicit tcprules RBLSMTPD is policy, not overridden")
    }

    @Test func ipv6AndMappedAddressesMeetTheirGrants() throws {
        let h = try ToolHarness()
        try h.plantGrant("2001:db8::7")
        try h.plantGrant("192.0.2.1")
        for address in ["2001:DB8:0:0:0:0:0:7", "2001:db8::7", "::ffff:192.0.2.1", "192.0.2.1"] {
            let run = try h.run(check, [h.probe.path], environment: h.smtpEnvironment(address))
            #expect(run.environment?["RELAYCLIENT"] == "", "\(address)")
        }
    }

    @Test func oversizedGrantIsReadBoundedAndIntact() throws {
        let h = try ToolHarness()
        let big = String(repeating: "x", count: 8_100)
        try h.plantGrant("192.0.2.7", "USER=\(big)\0DOMAIN=\(big)\0")
        let run = try h.run(check, [h.probe.path], environment: h.smtpEnvironment("192.0.2.7"))
        #expect(run.environment?["RELAYCLIENT"] == "")
        #expect(run.environment?["USER"] == big)
        #expect(run.environment?["DOMAIN"] == nil, "the record past 8 KiB is incomplete, so dropped")
    }

    @Test func missingAddressAndUsageAndExecFailure() throws {
        let h = try ToolHarness()
        let unset = try h.run(check, [h.probe.path], environment: ["RELAY_CTRL_DIR": h.store.path])
        #expect(unset.status == 42)
        #expect(
            logLines(unset.errors, program: check) == ["relay-ctrl-check: PID: $TCPREMOTEIP not set, not checking IP"])
        let usage = try h.run(check, [], environment: [:])
        #expect(usage.status == 1)
        #expect(
            logLines(usage.errors, program: check) == [
                "relay-ctrl-check: PID: usage: relay-ctrl-check program [arguments]"
            ])
        let missing = try h.run(check, ["/nonexistent/qmail-smtpd"], environment: h.smtpEnvironment("192.0.2.7"))
        #expect(missing.status == 111)
        #expect(
            logLines(missing.errors, program: check) == [
                "relay-ctrl-check: PID: execution of program '/nonexistent/qmail-smtpd' failed: No such file or "
                    + "directory"
            ])
    }
}
