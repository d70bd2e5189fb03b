import Foundation
import TestSupport
import Testing

/// What keeps the tools' start-up as cheap as C's (bench/runtime-tools measures it): they are
/// Embedded Swift, so no Swift runtime starts on an exec. No type-metadata lookup, no protocol
/// conformance scan, no concurrency runtime or libdispatch (whose initialisers would run on every
/// exec), no argv search through /proc/self/maps: a tool built otherwise links one of these.
@Suite struct StartupCostTests {
    static let tools = [
        "relay-ctrl-allow", "relay-ctrl-check", "relay-ctrl-chdir", "relay-ctrl-age", "ifrelayclient",
        "dovecot-settcpremoteip",
        "relay-ctrl-send",
    ]

    @Test(arguments: tools)
    func startsWithNoSwiftRuntime(_ tool: String) throws {
        let binary = try Data(contentsOf: URL(fileURLWithPath: try BuiltProduct.path(tool)))
        // Symbol names as they end in the (unstripped) binary's string table.
        let runtime = [
            "libdispatch_init\0", "swift_task_create\0", "_ZN12_GLOBAL__N_111argvGrabberE",
            "swift_getTypeByMangledName", "swift_conformsToProtocol",
        ]
        for symbol in runtime {
            #expect(binary.range(of: Data(symbol.utf8)) == nil, "\(tool) links \(symbol)")
        }
    }
}
