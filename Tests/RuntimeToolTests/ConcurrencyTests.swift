import Foundation
import Testing

/// 200 processes at a time, allow, check and age, on the same 20 addresses whose grants start
/// out stale: checks and ages remove stale grants while allows write fresh ones.
/// It loads both cores for seconds, so scripts/test runs it alone, after the other tests.
@Suite struct ConcurrencyTests {
    static let padding = String(repeating: "p", count: 3000)

    @Test func parallelAllowCheckAgeNeverTearLoseOrCrash() throws {
        let h = try ToolHarness()
        let allow = try ToolHarness.toolPath("relay-ctrl-allow")
        let check = try ToolHarness.toolPath("relay-ctrl-check")
        let age = try ToolHarness.toolPath("relay-ctrl-age")
        let addresses = (1...16).map { "10.0.0.\($0)" } + ["2001:db8::1", "2001:db8::2", "::1", "192.0.2.255"]
        let userPattern = try Regex("^w-[0-9]+-[1-5]-\(Self.padding)$")

        for round in 1...4 {
            for address in addresses { try h.plantGrant(address, "USER=stale\0", age: 2000) }
            var processes: [(kind: String, address: String, process: Process, output: Pipe)] = []
            for address in addresses {
                // 5 allows, 3 checks and 2 ages per address; each runs its tool 5 times in a row.
                let jobs: [(String, String)] =
                    Array(
                        repeating: ("allow", "for i in 1 2 3 4 5; do USER=\"w-$$-$i-$PAD\" \"$ALLOW\" || exit 9; done"),
                        count: 5)
                    + Array(
                        repeating: (
                            "check",
                            "for i in 1 2 3 4 5; do \"$CHECK\" /bin/sh -c 'printf \"%s|%s\\n\" "
                                + "\"${RELAYCLIENT-unset}\" \"${USER-unset}\"' || exit 9; done"
                        ), count: 3)
                    + Array(repeating: ("age", "for i in 1 2 3 4 5; do \"$AGE\" || exit 9; done"), count: 2)
                for (kind, script) in jobs {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/sh")
                    // All start together: spawning 200 processes takes a while.
                    process.arguments = ["-c", "sleep 1; " + script]
                    process.environment = [
                        "TCPREMOTEIP": address, "RELAY_CTRL_DIR": h.store.path, "PAD": Self.padding,
                        "ALLOW": allow, "CHECK": check, "AGE": age,
                    ]
                    let output = Pipe()
                    process.standardOutput = output
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    processes.append((kind, address, process, output))
                }
            }
            #expect(processes.count == 200)
            for entry in processes {
                let data = entry.output.fileHandleForReading.readDataToEndOfFile()
                entry.process.waitUntilExit()
                #expect(
                    entry.process.terminationReason == .exit && entry.process.terminationStatus == 0,
                    "round \(round): \(entry.kind) for \(entry.address) ended with \(entry.process.terminationStatus)")
                guard entry.kind == "check" else { continue }
                for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                    let fields = line.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(
                        String.init)
                    if fields[0] == "unset" {
                        #expect(fields[1] == "unset", "no relay, no carried USER")
                    } else {
                        #expect(fields[0] == "")
                        #expect(
                            fields[1].wholeMatch(of: userPattern) != nil,
                            "round \(round): torn or stale USER for \(entry.address): \(fields[1].prefix(40))")
                    }
                }
            }
            // Every address was granted after its stale grant: the fresh grant must be there, whole.
            let entries = try h.storeEntries()
            #expect(entries == addresses.sorted(), "round \(round): lost grants or leftovers: \(entries)")
            for address in addresses {
                let body = h.grantBody(address) ?? ""
                #expect(
                    body.hasSuffix("\0") && String(body.dropFirst(5).dropLast()).wholeMatch(of: userPattern) != nil,
                    "round \(round): \(address) holds \(body.prefix(30))")
            }
        }
    }
}
