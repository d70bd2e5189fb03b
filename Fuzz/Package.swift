// swift-tools-version: 6.0
// libFuzzer targets over the real code of the main package. A package of its own, so that the
// main build never sees them: they have no `main` until libFuzzer's is linked in. Build and run
// them with `scripts/fuzz` (see README, "Fuzzing").
import PackageDescription

let package = Package(
    name: "relaychain-fuzz",
    dependencies: [.package(name: "relaychain", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        // The spec pipeline: bytes -> load -> validate -> analyse -> emit (-> explain, render).
        .executableTarget(
            name: "FuzzSpec", dependencies: ["FuzzDriver", .product(name: "RelaychainCore", package: "relaychain")]),
        // relaychain import on hostile installation files.
        .executableTarget(
            name: "FuzzImport",
            dependencies: [
                "FuzzDriver", .product(name: "RelaychainCore", package: "relaychain"),
                .product(name: "RelaychainImport", package: "relaychain"),
            ]),
        // The address parser of the runtime core (TCPREMOTEIP, IP).
        .executableTarget(
            name: "FuzzClientAddress",
            dependencies: ["FuzzDriver", .product(name: "RelayCtrlCore", package: "relaychain")]),
        // The grant-record decoder of the runtime core (what relay-ctrl-check reads from a grant).
        .executableTarget(
            name: "FuzzGrantRecords",
            dependencies: ["FuzzDriver", .product(name: "RelayCtrlCore", package: "relaychain")]),
        // The runtime tools' reader of the Redis protocol (what a peer on the network sends).
        .executableTarget(
            name: "FuzzRedisReply",
            dependencies: ["FuzzDriver", .product(name: "RelayCtrlRedis", package: "relaychain")]),
    ]
)
