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

    /// Each function is in a section of its own (Package.swift), so the linker drops what a tool
    /// never calls: relay-ctrl-check has Redis's GET lookup and not `relaychain grants`' SCAN listing,
    /// which lives in the same source file, nor the sentinels' question, which relay-ctrl-allow
    /// has. The names as Embedded Swift mangles them.
    @Test func unusedFunctionsAreDropped() throws {
        // The symbol table (nm), not the file's bytes: debug information names dropped code too.
        let symbols = try runProcess("/usr/bin/nm", [try BuiltProduct.path("relay-ctrl-check")]).output
        #expect(symbols.contains("22RelayCtrlRedisEmbedded0C6GrantsO6lookup"))
        #expect(!symbols.contains("22RelayCtrlRedisEmbedded0C6GrantsO4live"))
        // Nor the sentinels' question, which only the login side asks.
        #expect(!symbols.contains("22RelayCtrlRedisEmbedded0C9SentinelsO"))
        let allow = try runProcess("/usr/bin/nm", [try BuiltProduct.path("relay-ctrl-allow")]).output
        #expect(allow.contains("22RelayCtrlRedisEmbedded0C9SentinelsO"))
    }
}
