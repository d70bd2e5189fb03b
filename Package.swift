// swift-tools-version: 6.0
import Foundation
import PackageDescription

/// relay-ctrl 3.2's programs and the pkgsrc companions, same names, built from this package.
let runtimeTools = [
    "relay-ctrl-allow", "relay-ctrl-check", "relay-ctrl-chdir", "relay-ctrl-age",
    "ifrelayclient", "dovecot-settcpremoteip", "relay-ctrl-send",
]

/// The tools that read or write a Redis store (RELAY_CTRL_REDIS).
let redisTools: Set<String> = ["relay-ctrl-allow", "relay-ctrl-check", "relay-ctrl-send"]

/// Embedded Swift: whole-module, specialised generics only, no runtime to start; each function in a
/// section of its own, so that the linker drops what a tool never calls (relay-ctrl-check's text
/// went from 1.02 MB to 0.79 MB, its peak RSS from 1.26x static C's to 1.09x).
let embedded: [SwiftSetting] = [
    .enableExperimentalFeature("Embedded"), .unsafeFlags(["-wmo", "-Xfrontend", "-function-sections"]),
]

/// Embedded Swift's Unicode tables (String comparison, number parsing) ship beside its standard
/// library in the toolchain, which the linker is not told of: found from the swiftc on PATH.
let embeddedLibraries: String = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
    for directory in path.split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("swiftc")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else { continue }
        return candidate.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("lib/swift/embedded/x86_64-unknown-linux-gnu").path
    }
    return "/usr/lib/swift/embedded/x86_64-unknown-linux-gnu"
}()

/// The per-connection tools: the functions each runs before its exec are placed side by side at
/// the start of its text, so that an exec faults in a few pages of code rather than touching pages
/// across the whole image (bench/runtime-tools: relay-ctrl-allow went from 1.014x our static C to 0.995x).
/// scripts/startup-order writes Sources/<tool>/startup-order.txt; the linker fails without it. Release
/// builds only: a debug build has other functions (nothing inlined), which the file does not name.
let startupOrdered: Set<String> = [
    "relay-ctrl-check", "relay-ctrl-allow", "ifrelayclient", "relay-ctrl-chdir", "dovecot-settcpremoteip",
]

func startupOrder(_ tool: String) -> (flags: [LinkerSetting], exclude: [String]) {
    guard startupOrdered.contains(tool) else { return ([], []) }
    let path = "\(Context.packageDirectory)/Sources/\(tool)/startup-order.txt"
    let flags = ["-Xlinker", "--symbol-ordering-file=\(path)"]
    return ([.unsafeFlags(flags, .when(configuration: .release))], ["startup-order.txt"])
}

let package = Package(
    name: "relaychain",
    products: [
        .executable(name: "relaychain", targets: ["relaychain"]),
        .library(name: "RelaychainCore", targets: ["RelaychainCore"]),
        .library(name: "RelaychainImport", targets: ["RelaychainImport"]),
        // For the fuzz targets (Fuzz/), which exercise the runtime core directly.
        .library(name: "RelayCtrlCore", targets: ["RelayCtrlCore"]),
        .library(name: "RelayCtrlRedis", targets: ["RelayCtrlRedis"]),
    ] + runtimeTools.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // The compiler core: text in, model and diagnostics (later: files) out. Never touches the disk.
        .target(
            name: "RelaychainCore",
            dependencies: ["RelayCtrlCore", .product(name: "Yams", package: "Yams")]
        ),
        // `relaychain import`: an installation's files in, a spec out, checked by building it.
        .target(name: "RelaychainImport", dependencies: ["RelaychainCore", "RelayCtrlCore"]),
        // The thin CLI: reads files, prints diagnostics, sets the exit status.
        .executableTarget(
            name: "relaychain",
            dependencies: [
                "RelaychainCore", "RelaychainImport", "RelayCtrlRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The C library for the tools' core, in both of its builds (see CRelayLibc.h).
        .target(name: "CRelayLibc"),
        // The runtime tools' core: environment, addresses, the grant store, exec. The C library
        // only, no Foundation: these run on every SMTP connection and every login. This build is
        // for the compiler, the tests and the fuzz targets; the tools link its Embedded twin.
        .target(name: "RelayCtrlCore", dependencies: ["CRelayLibc"]),
        // Grants in Redis: shared by hosts (RELAY_CTRL_REDIS). The C library only: its own client of
        // the Redis protocol, for addresses only (no resolver linked, nothing looked up).
        .target(name: "RelayCtrlRedis", dependencies: ["RelayCtrlCore"]),
        // The same sources as Embedded Swift (the directories are symbolic links to the two
        // above): no runtime, no metadata, nothing but the code the tools call, so a tool's start-up
        // costs what a C program's does (bench/runtime-tools).
        .target(name: "RelayCtrlCoreEmbedded", dependencies: ["CRelayLibc"], swiftSettings: embedded),
        .target(
            name: "RelayCtrlRedisEmbedded", dependencies: ["RelayCtrlCoreEmbedded"],
            swiftSettings: embedded),
    ]
        + runtimeTools.map { tool in
            // Linked statically, unused sections dropped: the image the kernel maps on every exec
            // is the C library's and the tool's own code. lld or GNU ld: each layout wins one tool by
            // about 1% and loses another (bench/README.md); lld's keeps relay-ctrl-check's image smaller,
            // and only lld takes the start-up order (--symbol-ordering-file).
            let order = startupOrder(tool)
            return .executableTarget(
                name: tool,
                dependencies: ["RelayCtrlCoreEmbedded"] + (redisTools.contains(tool) ? ["RelayCtrlRedisEmbedded"] : []),
                exclude: order.exclude,
                swiftSettings: embedded,
                linkerSettings: order.flags + [
                    // swiftc asks clang for -pie; -static overrides it, and clang says so on every link.
                    .unsafeFlags([
                        "-Xclang-linker", "-static", "-Xclang-linker", "-Wno-unused-command-line-argument",
                        "-use-ld=lld", "-Xlinker", "--gc-sections",
                    ]),
                    .linkedLibrary("m"),
                    .unsafeFlags(["-L", embeddedLibraries]), .linkedLibrary("swiftUnicodeDataTables"),
                ]
            )
        } + [
            // Helpers shared by the test targets: running processes, finding built products.
            .target(name: "TestSupport", path: "Tests/TestSupport"),
            .testTarget(
                name: "RelayCtrlCoreTests",
                dependencies: ["RelayCtrlCore", "RelayCtrlRedis", "TestSupport"]
            ),
            // Runs the built tools as processes. It cannot depend on them (their static-link flag
            // would leak into the test bundle), so scripts/test runs `swift build` first.
            .testTarget(name: "RuntimeToolTests", dependencies: ["TestSupport"]),
            .testTarget(
                name: "RelaychainCoreTests",
                dependencies: [
                    "RelaychainCore", "RelaychainImport", "TestSupport", .product(name: "Yams", package: "Yams"),
                ],
                exclude: ["Fixtures"]
            ),
            // Runs the built `relaychain` binary; depending on it makes `swift test` build it.
            .testTarget(
                name: "RelaychainCLITests",
                dependencies: ["RelaychainCore", "RelaychainImport", "TestSupport", "relaychain"],
                exclude: ["Golden", "ImportCorpus"]
            ),
        ]
)
