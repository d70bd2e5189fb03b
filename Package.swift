// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "relaychain",
    products: [
        .executable(name: "relaychain", targets: ["relaychain"]),
        .library(name: "RelaychainCore", targets: ["RelaychainCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // The compiler core: text in, model and diagnostics (later: files) out. Never touches the disk.
        .target(
            name: "RelaychainCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // The thin CLI: reads files, prints diagnostics, sets the exit status.
        .executableTarget(
            name: "relaychain",
            dependencies: [
                "RelaychainCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "RelaychainCoreTests",
            dependencies: ["RelaychainCore", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"]
        ),
        // Runs the built `relaychain` binary; depending on it makes `swift test` build it.
        .testTarget(
            name: "RelaychainCLITests",
            dependencies: ["RelaychainCore", "relaychain"],
            exclude: ["Golden"]
        ),
    ]
)
