import Foundation
import TestSupport
import Testing

/// A scratch area for one test: a grant store, a probe that records what it was started with,
/// and a way to run the built tools with exactly the environment given.
final class ToolHarness {
    let root: URL
    let store: URL
    let probe: URL
    private let probeOutput: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("relaychain-tools-\(UUID().uuidString)")
        store = root.appendingPathComponent("spool/allow")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        chmod(store.path, 0o777)
        probeOutput = root.appendingPathComponent("probe")
        probe = root.appendingPathComponent("probe.sh")
        // Records argv and the environment NUL-separated (any other byte passes), the descriptors
        // it inherited, then exits 42 so that tests can tell the probe ran.
        try installExecutable(
            """
            #!/bin/sh
            printf '%s\\0' "$@" > '\(probeOutput.path).argv'
            /usr/bin/env -0 > '\(probeOutput.path).env'
            ls /proc/$$/fd > '\(probeOutput.path).fds'
            exit 42
            """, at: probe.path)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    static func toolPath(_ name: String) throws -> String {
        try BuiltProduct.path(name)
    }

    struct Run {
        var status: Int32
        var errors: String
        /// What the probe received, or nil when it never ran.
        var argv: [String]?
        var environment: [String: String]?
        var descriptors: [Int]?

        var probeRan: Bool { argv != nil }
    }

    /// Runs `tool` with `arguments` and exactly `environment` (nothing inherited).
    func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws
        -> Run
    {
        for suffix in ["argv", "env", "fds"] {
            try? FileManager.default.removeItem(atPath: "\(probeOutput.path).\(suffix)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.toolPath(tool))
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory ?? root
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, errors: errorText,
            argv: Self.records(at: "\(probeOutput.path).argv"),
            environment: Self.records(at: "\(probeOutput.path).env").map { pairs in
                Dictionary(
                    pairs.map { pair in
                        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
                    }, uniquingKeysWith: { _, last in last })
            },
            descriptors: (try? String(contentsOfFile: "\(probeOutput.path).fds", encoding: .utf8))?.split(
                separator: "\n"
            ).compactMap { Int($0) })
    }

    private static func records(at path: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var records = data.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        if records.last == "" { records.removeLast() }
        return records
    }

    // MARK: The store

    func grantPath(_ name: String) -> String { store.appendingPathComponent(name).path }

    /// A grant file exactly as relay-ctrl 3.2 writes it.
    func plantGrant(_ name: String, _ body: String = "USER=alice\0DOMAIN=example.org\0", age: Int = 0) throws {
        try Data(body.utf8).write(to: URL(fileURLWithPath: grantPath(name)))
        try setModified(name, secondsAgo: age)
    }

    func setModified(_ name: String, secondsAgo: Int) throws {
        let when = Date().addingTimeInterval(TimeInterval(-secondsAgo))
        try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: grantPath(name))
    }

    func grantBody(_ name: String) -> String? {
        FileManager.default.contents(atPath: grantPath(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    func storeEntries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.path).sorted()
    }

    func mode(_ name: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: grantPath(name))[.posixPermissions]) as? Int) ?? -1
    }

    /// The environment a chain gets from tcpserver for a client at `address`.
    func smtpEnvironment(_ address: String, _ extra: [String: String] = [:]) -> [String: String] {
        ["TCPREMOTEIP": address, "RELAY_CTRL_DIR": store.path].merging(extra) { _, new in new }
    }
}

/// `relay-ctrl-check: 12345: message` with the pid taken out, one entry per line.
func logLines(_ errors: String, program: String) -> [String] {
    errors.split(separator: "\n").map { line in
        let text = String(line)
        let prefix = "\(program): "
        guard text.hasPrefix(prefix) else { return text }
        let rest = text.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":"), rest[rest.startIndex..<colon].allSatisfy(\.isNumber) else {
            return text
        }
        return prefix + "PID: " + rest[rest.index(colon, offsetBy: 2)...]
    }
}
