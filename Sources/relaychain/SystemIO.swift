import ArgumentParser
import RelaychainCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading specs with errno-accurate messages ("No such file or directory"), without Foundation.
enum SpecFile {
    struct ReadError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot read '\(path)': \(reason)" }
    }

    /// Reads a spec: a regular file (or standard input for `-`) of at most `limit` bytes. A FIFO,
    /// device or directory is refused without blocking (opened non-blocking, checked with fstat).
    static func read(_ path: String, limit: Int = SpecLimits.maxBytes) throws -> [UInt8] {
        let descriptor = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw ReadError(path: path, reason: String(cString: strerror(errno))) }
        defer { if descriptor != 0 { close(descriptor) } }
        if descriptor != 0 {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                throw ReadError(path: path, reason: String(cString: strerror(errno)))
            }
            guard status.st_mode & S_IFMT == S_IFREG else { throw ReadError(path: path, reason: "not a regular file") }
            guard Int(status.st_size) <= limit else { throw ReadError(path: path, reason: tooLarge(limit)) }
            // A regular file never blocks; clear the flag so a read is an ordinary one.
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, reason: String(cString: strerror(errno)))
            }
            // Also for standard input and a file that grows while it is read.
            guard bytes.count + count <= limit else { throw ReadError(path: path, reason: tooLarge(limit)) }
            bytes += buffer[0..<count]
        }
    }

    private static func tooLarge(_ limit: Int) -> String {
        "larger than \(limit >> 20) MiB, the most relaychain reads"
    }
}

extension SpecFile {
    /// For commands that work on one spec: an unreadable one is a usage error (exit 2).
    static func readOrExit(_ path: String) throws -> [UInt8] {
        do {
            return try read(path)
        } catch {
            printError("relaychain: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }
}

enum Terminal {
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }
}

func printError(_ text: String, terminator: String = "\n") {
    var stream = StandardError()
    print(text, terminator: terminator, to: &stream)
}

/// Raw bytes to standard output (what `print` would re-encode).
func writeStandardOutput(_ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
        if written < 0 { if errno == EINTR { continue } else { return } }
        offset += written
    }
}

func exitProcess(_ status: Int32) -> Never {
    exit(status)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        // Unbuffered write(2) on fd 2: no shared FILE state, and ordering with stdout is kept.
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if written < 0 { if errno == EINTR { continue } else { return } }
            bytes = bytes.dropFirst(written)
        }
    }
}
