import Foundation
import Testing

@Suite struct RelayCtrlAllowTests {
    let allow = "relay-ctrl-allow"

    func loginEnvironment(_ h: ToolHarness, _ address: String, _ extra: [String: String] = [:]) -> [String: String] {
        ["TCPREMOTEIP": address, "RELAY_CTRL_DIR": h.store.path, "USER": "alice", "DOMAIN": "example.org"].merging(
            extra
        ) { _, new in new }
    }

    @Test func writesTheOriginalFormatThenExecsTheServer() throws {
        let h = try ToolHarness()
        let run = try h.run(
            allow, [h.probe.path, "imap", "[alice", "192.0.2.7]"], environment: loginEnvironment(h, "192.0.2.7"))
        #expect(run.status == 42)
        #expect(run.errors == "")
        #expect(run.argv == ["imap", "[alice", "192.0.2.7]"], "Dovecot's verbose_proctitle words pass on")
        #expect(try h.storeEntries() == ["192.0.2.7"], "no temporary file is left behind")
        #expect(h.grantBody("192.0.2.7") == "USER=alice\0DOMAIN=example.org\0")
        #expect(try h.mode("192.0.2.7") == 0o600)
        let modified =
            try FileManager.default.attributesOfItem(atPath: h.grantPath("192.0.2.7"))[.modificationDate] as? Date
        #expect(abs(modified!.timeIntervalSinceNow) < 120)
    }

    @Test func renewingAGrantReplacesTheFile() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.7", "USER=old\0", age: 800)
        _ = try h.run(allow, [], environment: loginEnvironment(h, "192.0.2.7", ["USER": "new"]))
        #expect(h.grantBody("192.0.2.7") == "USER=new\0DOMAIN=example.org\0")
        let modified =
            try FileManager.default.attributesOfItem(atPath: h.grantPath("192.0.2.7"))[.modificationDate] as? Date
        #expect(abs(modified!.timeIntervalSinceNow) < 120)
    }

    @Test func withoutAProgramItExitsZero() throws {
        let h = try ToolHarness()
        let run = try h.run(allow, [], environment: loginEnvironment(h, "192.0.2.7"))
        #expect(run.status == 0)
        #expect(h.grantBody("192.0.2.7") != nil)
    }

    @Test(arguments: [nil, "", "../x", "/etc/passwd", "not an address", "192.0.2.7\n"] as [String?])
    func withoutAValidAddressTheLoginGoesOnAndNothingIsGranted(_ address: String?) throws {
        let h = try ToolHarness()
        var environment = loginEnvironment(h, "")
        environment["TCPREMOTEIP"] = address
        let message =
            "relay-ctrl-allow: PID: Must be run from tcp-env or tcpserver: no client address in "
            + "$TCPREMOTEIP, no grant recorded"
        // The mail server runs (relay-ctrl 3.2 exited 111 before it, and the login failed).
        let run = try h.run(allow, [h.probe.path], environment: environment)
        #expect(run.status == 42 && run.probeRan)
        #expect(logLines(run.errors, program: allow) == [message])
        #expect(try h.storeEntries() == [])
        let alone = try h.run(allow, [], environment: environment)
        #expect(alone.status == 111)
        #expect(logLines(alone.errors, program: allow) == [message])
    }

    /// The store relay-ctrl-chdir handed over is not the mail server's, even when no grant used it.
    @Test func anUnusedHandedOverStoreIsClosedBeforeTheMailServer() throws {
        let h = try ToolHarness()
        let chdir = "relay-ctrl-chdir"
        let allow = try ToolHarness.toolPath("relay-ctrl-allow")
        let check = try ToolHarness.toolPath("relay-ctrl-check")
        let noAddress = try h.run(chdir, [allow, h.probe.path], environment: ["RELAY_CTRL_DIR": h.store.path])
        #expect(noAddress.status == 42)
        #expect(noAddress.descriptors?.contains(1023) == false)
        #expect(noAddress.environment?["RELAY_CTRL_DIR_FD"] == nil)
        let relaying = try h.run(
            chdir, [check, h.probe.path],
            environment: ["RELAY_CTRL_DIR": h.store.path, "TCPREMOTEIP": "192.0.2.7", "RELAYCLIENT": ""])
        #expect(relaying.status == 42)
        #expect(relaying.descriptors?.contains(1023) == false, "RELAYCLIENT was set: check left the store open")
        #expect(relaying.environment?["RELAY_CTRL_DIR_FD"] == nil)
    }

    /// Flaw 5: the original dies on a native IPv6 address, so the login itself breaks.
    @Test func ipv6LoginsWorkAndAreCanonical() throws {
        let h = try ToolHarness()
        let run = try h.run(allow, [h.probe.path], environment: loginEnvironment(h, "2001:DB8:0:0:0:0:0:7"))
        #expect(run.status == 42)
        let mapped = try h.run(allow, [h.probe.path], environment: loginEnvironment(h, "::ffff:192.0.2.1"))
        #expect(mapped.status == 42)
        #expect(try h.storeEntries() == ["192.0.2.1", "2001:db8::7"])
    }

    @Test func courierNeedsAuthenticated() throws {
        let h = try ToolHarness()
        let courier = ["AUTHUSER": "/usr/lib/courier/authlib", "AUTHARGV0": "imapd"]
        let failed = try h.run(allow, [h.probe.path], environment: loginEnvironment(h, "192.0.2.1", courier))
        #expect(failed.status == 42)
        let empty = try h.run(
            allow, [h.probe.path],
            environment: loginEnvironment(h, "192.0.2.2", courier.merging(["AUTHENTICATED": ""]) { $1 }))
        #expect(empty.status == 42)
        let passed = try h.run(
            allow, [h.probe.path],
            environment: loginEnvironment(h, "192.0.2.3", courier.merging(["AUTHENTICATED": "alice"]) { $1 }))
        #expect(passed.status == 42)
        #expect(try h.storeEntries() == ["192.0.2.3"])
    }

    @Test func carriesOnlyWhatIsSetAndSafe() throws {
        let h = try ToolHarness()
        let run = try h.run(
            allow, [],
            environment: loginEnvironment(h, "192.0.2.7", ["RELAY_CTRL_CARRY": "USER,PATH,MAILBOX", "PATH": "/bin"]))
        #expect(h.grantBody("192.0.2.7") == "USER=alice\0")
        #expect(
            logLines(run.errors, program: allow) == [
                "relay-ctrl-allow: PID: Not carrying PATH: it would let a local user choose which programs the SMTP "
                    + "chain runs"
            ])
        _ = try h.run(allow, [], environment: ["TCPREMOTEIP": "192.0.2.8", "RELAY_CTRL_DIR": h.store.path])
        #expect(h.grantBody("192.0.2.8") == "")
    }

    @Test func storeProblemsNeverBreakTheLogin() throws {
        let h = try ToolHarness()
        let unset = try h.run(allow, [h.probe.path], environment: ["TCPREMOTEIP": "192.0.2.7"])
        #expect(unset.status == 42)
        #expect(logLines(unset.errors, program: allow) == ["relay-ctrl-allow: PID: $RELAY_CTRL_DIR is not set"])
        let missing = try h.run(
            allow, [h.probe.path], environment: ["TCPREMOTEIP": "192.0.2.7", "RELAY_CTRL_DIR": "/nonexistent"])
        #expect(missing.status == 42)
        #expect(
            logLines(missing.errors, program: allow) == [
                "relay-ctrl-allow: PID: Could not open directory '/nonexistent': No such file or directory"
            ])
    }

    /// A planted directory or symlink at the address: rename replaces a link without following
    /// it, and a directory makes the grant fail loudly; nothing outside the store is touched.
    @Test func plantedEntriesAreNeverFollowed() throws {
        let h = try ToolHarness()
        let target = h.root.appendingPathComponent("victim")
        _ = FileManager.default.createFile(atPath: target.path, contents: Data("precious".utf8))
        try FileManager.default.createSymbolicLink(atPath: h.grantPath("192.0.2.1"), withDestinationPath: target.path)
        _ = try h.run(allow, [], environment: loginEnvironment(h, "192.0.2.1"))
        #expect(try String(contentsOf: target, encoding: .utf8) == "precious")
        #expect(h.grantBody("192.0.2.1") == "USER=alice\0DOMAIN=example.org\0")
        try FileManager.default.createDirectory(atPath: h.grantPath("192.0.2.2"), withIntermediateDirectories: false)
        let blocked = try h.run(allow, [h.probe.path], environment: loginEnvironment(h, "192.0.2.2"))
        #expect(blocked.status == 42)
        #expect(blocked.errors.contains("Could not rename"))
        #expect(try h.storeEntries() == ["192.0.2.1", "192.0.2.2"], "no temporary file left")
    }

    @Test func execFailureExits111() throws {
        let h = try ToolHarness()
        let run = try h.run(allow, ["/nonexistent/imap"], environment: loginEnvironment(h, "192.0.2.7"))
        #expect(run.status == 111)
        #expect(
            logLines(run.errors, program: allow) == [
                "relay-ctrl-allow: PID: execution of program '/nonexistent/imap' failed: No such file or directory"
            ])
    }
}

@Suite struct RelayCtrlChdirTests {
    let chdir = "relay-ctrl-chdir"

    @Test func handsTheStoreOverAsAHighDescriptor() throws {
        let h = try ToolHarness()
        let run = try h.run(chdir, [h.probe.path, "tcpserver"], environment: ["RELAY_CTRL_DIR": h.store.path])
        #expect(run.status == 42)
        #expect(run.argv == ["tcpserver"])
        let descriptor = try #require(run.environment?["RELAY_CTRL_DIR_FD"].flatMap { Int($0) })
        #expect(descriptor == 1023)
        #expect(run.descriptors?.contains(descriptor) == true, "the descriptor survives the exec")
    }

    /// allow and check through the handed-over descriptor, as pkgsrc's rc.d and Dovecot 1.x run
    /// them; the descriptor is consumed, not leaked to the mail server.
    @Test func allowAndCheckUseTheHandedOverDescriptor() throws {
        let h = try ToolHarness()
        let allow = try ToolHarness.toolPath("relay-ctrl-allow")
        let check = try ToolHarness.toolPath("relay-ctrl-check")
        let login = try h.run(
            chdir, [allow, h.probe.path],
            environment: ["RELAY_CTRL_DIR": h.store.path, "TCPREMOTEIP": "192.0.2.7", "USER": "alice"])
        #expect(login.status == 42)
        #expect(login.environment?["RELAY_CTRL_DIR_FD"] == nil)
        #expect(login.descriptors?.contains(1023) == false)
        #expect(try h.mode("192.0.2.7") == 0o644, "readable by the SMTP side, writable by the writer alone")
        let smtp = try h.run(
            chdir, [check, h.probe.path], environment: ["RELAY_CTRL_DIR": h.store.path, "TCPREMOTEIP": "192.0.2.7"])
        #expect(smtp.environment?["RELAYCLIENT"] == "")
        #expect(smtp.environment?["USER"] == "alice")
        #expect(smtp.descriptors?.contains(1023) == false)
    }

    @Test func badDescriptorVariableIsNoGrant() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.7")
        for value in ["abc", "0", "99", "-1", ""] {
            let run = try h.run(
                "relay-ctrl-check", [h.probe.path],
                environment: h.smtpEnvironment("192.0.2.7", ["RELAY_CTRL_DIR_FD": value]))
            #expect(run.status == 42)
            #expect(run.environment?["RELAYCLIENT"] == nil, "RELAY_CTRL_DIR_FD=\(value)")
        }
    }

    @Test func failuresExit111AndUsageExits1() throws {
        let h = try ToolHarness()
        let usage = try h.run(chdir, [], environment: ["RELAY_CTRL_DIR": h.store.path])
        #expect(usage.status == 1)
        #expect(
            logLines(usage.errors, program: chdir) == [
                "relay-ctrl-chdir: PID: usage: relay-ctrl-chdir program [arguments]"
            ])
        let unset = try h.run(chdir, [h.probe.path], environment: [:])
        #expect(unset.status == 111)
        #expect(logLines(unset.errors, program: chdir) == ["relay-ctrl-chdir: PID: $RELAY_CTRL_DIR is not set"])
        let missing = try h.run(chdir, [h.probe.path], environment: ["RELAY_CTRL_DIR": "/nonexistent"])
        #expect(missing.status == 111)
        #expect(
            logLines(missing.errors, program: chdir) == [
                "relay-ctrl-chdir: PID: Could not open dir '/nonexistent': No such file or directory"
            ])
        let file = h.probe.path
        let notDirectory = try h.run(chdir, [h.probe.path], environment: ["RELAY_CTRL_DIR": file])
        #expect(notDirectory.status == 111)
        #expect(
            logLines(notDirectory.errors, program: chdir) == ["relay-ctrl-chdir: PID: '\(file)' is not a directory"])
        #expect(!notDirectory.probeRan)
    }
}

@Suite struct RelayCtrlAgeTests {
    let age = "relay-ctrl-age"

    @Test func removesWhatIsStaleAndKeepsWhatIsFresh() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.1", age: 10)
        try h.plantGrant("192.0.2.2", age: 1000)
        try h.plantGrant("192.0.2.3", age: -86_400)
        try h.plantGrant(".1700000000.1:99", age: 2000)
        try h.plantGrant(".1700000000.2:98", age: 1)
        try FileManager.default.createSymbolicLink(atPath: h.grantPath("192.0.2.4"), withDestinationPath: "192.0.2.1")
        #expect(mkfifo(h.grantPath("192.0.2.5"), 0o666) == 0)
        try FileManager.default.createDirectory(atPath: h.grantPath("192.0.2.6"), withIntermediateDirectories: false)
        let run = try h.run(age, [], environment: ["RELAY_CTRL_DIR": h.store.path])
        #expect(run.status == 0)
        #expect(run.errors == "")
        #expect(try h.storeEntries() == [".1700000000.2:98", "192.0.2.1"])
    }

    /// What a writer could plant to block a client for good, or to outlive every sweep: a
    /// directory named like the client's address, a name that is not UTF-8 (read as another
    /// name, it was never found again).
    @Test func plantedDirectoriesAndNamesThatAreNotUTF8DoNotSurvive() throws {
        let h = try ToolHarness()
        try FileManager.default.createDirectory(atPath: h.grantPath("192.0.2.6"), withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: h.grantPath("192.0.2.8"), withIntermediateDirectories: false)
        try h.plantGrant("192.0.2.8/inside", age: 0)
        let notUTF8 = (Array(h.store.path.utf8) + [UInt8(ascii: "/"), 0x31, 0xFF, 0xFE, 0x2E, 0]).map {
            CChar(bitPattern: $0)
        }
        let descriptor = open(notUTF8, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(descriptor >= 0)
        close(descriptor)
        var old = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, notUTF8, &old, 0) == 0)
        let run = try h.run(age, [], environment: ["RELAY_CTRL_DIR": h.store.path])
        #expect(run.status == 0)
        #expect(
            run.errors == "relay-ctrl-age: Could not remove directory '192.0.2.8': Directory not empty\n",
            "a directory with entries is named, never recursed into")
        #expect(try h.storeEntries() == ["192.0.2.8"])
        // The client whose address the empty directory had taken now gets its grant.
        let allow = try h.run(
            "relay-ctrl-allow", [], environment: ["RELAY_CTRL_DIR": h.store.path, "TCPREMOTEIP": "192.0.2.6"])
        #expect(allow.status == 0 && allow.errors == "")
        #expect(try h.storeEntries() == ["192.0.2.6", "192.0.2.8"])
    }

    @Test func honoursTheWindow() throws {
        let h = try ToolHarness()
        try h.plantGrant("192.0.2.1", age: 30)
        try h.plantGrant("192.0.2.2", age: 300)
        _ = try h.run(age, [], environment: ["RELAY_CTRL_DIR": h.store.path, "RELAY_CTRL_EXPIRY": "150"])
        #expect(try h.storeEntries() == ["192.0.2.1"])
    }

    @Test func failsWithoutAStore() throws {
        let h = try ToolHarness()
        let unset = try h.run(age, [], environment: [:])
        #expect(unset.status == 1)
        #expect(unset.errors == "relay-ctrl-age: $RELAY_CTRL_DIR is not set\n", "relay-ctrl-age logs without a pid")
        let missing = try h.run(age, [], environment: ["RELAY_CTRL_DIR": "/nonexistent"])
        #expect(missing.status == 1)
        #expect(
            missing.errors == "relay-ctrl-age: Could not open directory '/nonexistent': No such file or directory\n")
    }
}

@Suite struct CompanionTests {
    @Test func ifrelayclientRunsTheFirstCommandOnlyForRelayClients() throws {
        let h = try ToolHarness()
        let command = [
            "/usr/bin/env", "RBLSMTPD=", "GREETDELAY=", "--", h.probe.path, "rblsmtpd", "-r", "zen.spamhaus.org", "--",
            "qmail-smtpd",
        ]
        let relay = try h.run("ifrelayclient", command, environment: ["RELAYCLIENT": ""])
        #expect(relay.status == 42)
        #expect(
            relay.argv == ["rblsmtpd", "-r", "zen.spamhaus.org", "--", "qmail-smtpd"], "only the first -- separates")
        #expect(relay.environment?["RBLSMTPD"] == "")
        #expect(relay.environment?["GREETDELAY"] == "")
        let stranger = try h.run("ifrelayclient", command, environment: [:])
        #expect(stranger.status == 42)
        #expect(stranger.argv == ["rblsmtpd", "-r", "zen.spamhaus.org", "--", "qmail-smtpd"])
        #expect(stranger.environment?["RBLSMTPD"] == nil)
    }

    @Test(arguments: [["/usr/bin/env", "RBLSMTPD="], ["/usr/bin/env", "--"], []])
    func ifrelayclientNeedsASeparatorAndAProgram(_ arguments: [String]) throws {
        let h = try ToolHarness()
        let run = try h.run("ifrelayclient", arguments, environment: ["RELAYCLIENT": ""])
        #expect(run.status == 111)
        #expect(
            logLines(run.errors, program: "ifrelayclient") == [
                "ifrelayclient: PID: usage: ifrelayclient cmd1 [args ...] -- cmd2 [args ...]"
            ])
    }

    @Test func settcpremoteipCopiesDovecotsIP() throws {
        let h = try ToolHarness()
        let run = try h.run(
            "dovecot-settcpremoteip", [h.probe.path, "imap"],
            environment: ["IP": "2001:db8::7", "TCPREMOTEIP": "stale"])
        #expect(run.status == 42)
        #expect(run.argv == ["imap"])
        #expect(run.environment?["TCPREMOTEIP"] == "2001:db8::7")
        let unset = try h.run("dovecot-settcpremoteip", [h.probe.path], environment: ["TCPREMOTEIP": "stale"])
        #expect(unset.environment?["TCPREMOTEIP"] == "", "as the pkgsrc script: TCPREMOTEIP=$IP")
        #expect(try h.run("dovecot-settcpremoteip", [], environment: [:]).status == 0)
    }

    /// The Dovecot 1.x chain of the seed article, end to end against the SMTP side.
    @Test func dovecotLoginChainGrantsWhatTheSMTPChainChecks() throws {
        let h = try ToolHarness()
        let tools = try [
            "relay-ctrl-chdir", "dovecot-settcpremoteip", "relay-ctrl-allow", "relay-ctrl-check", "ifrelayclient",
        ].map(ToolHarness.toolPath)
        let login = try h.run(
            "relay-ctrl-chdir", [tools[1], tools[2], h.probe.path],
            environment: ["RELAY_CTRL_DIR": h.store.path, "IP": "2001:db8::42", "USER": "alice", "LOGGED_IN": "1"])
        #expect(login.status == 42)
        let smtp = try h.run(
            "relay-ctrl-check", [tools[4], "/usr/bin/env", "RBLSMTPD=", "--", h.probe.path, "qmail-smtpd"],
            environment: h.smtpEnvironment("2001:0db8:0:0:0:0:0:42"))
        #expect(smtp.argv == ["qmail-smtpd"])
        #expect(smtp.environment?["RELAYCLIENT"] == "")
        #expect(smtp.environment?["USER"] == "alice")
    }
}
