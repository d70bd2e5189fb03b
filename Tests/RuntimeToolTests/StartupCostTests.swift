import Foundation
import TestSupport
import Testing

/// What keeps the tools' start-up as cheap as C's (bench/runtime-tools measures it). A closure
/// that touches a top-level (main-actor) global makes the linker pull in Swift's concurrency
/// runtime and libdispatch, whose initialisers then run on every exec; and the runtime's own
/// argv search (which reads /proc/self/maps) must stay replaced by RuntimeToolStartup.
@Suite struct StartupCostTests {
    static let tools = [
        "relay-ctrl-allow", "relay-ctrl-check", "relay-ctrl-chdir", "relay-ctrl-age", "ifrelayclient",
        "dovecot-settcpremoteip",
        "relay-ctrl-send",
    ]

    @Test(arguments: tools)
    func startsWithoutConcurrencyDispatchOrArgvSearch(_ tool: String) throws {
        let binary = try Data(contentsOf: URL(fileURLWithPath: try BuiltProduct.path(tool)))
        // Symbol names as they end in the (unstripped) binary's string table.
        for symbol in ["libdispatch_init\0", "swift_task_create\0", "_ZN12_GLOBAL__N_111argvGrabberE"] {
            #expect(binary.range(of: Data(symbol.utf8)) == nil, "\(tool) links \(symbol)")
        }
    }
}
