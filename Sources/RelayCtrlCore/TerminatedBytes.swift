import CRelayLibc

/// Bytes followed by a NUL, in memory that stays put while the program runs: an environment
/// value, an argument, a record inside a grant file's buffer. Looking at them copies nothing.
///
/// The tools work on these rather than on Arrays because an Array of a type the program has not
/// used yet makes the Swift runtime build that type's metadata (a demangler run, dozens of page
/// faults), and start-up is what these tools are measured on: they run on every connection.
public struct TerminatedBytes {
    public let start: UnsafePointer<CChar>
    public let count: Int

    public init(_ start: UnsafePointer<CChar>) {
        self.init(start: start, count: strlen(start))
    }

    /// `start[count]` must be the NUL.
    init(start: UnsafePointer<CChar>, count: Int) {
        self.start = start
        self.count = count
    }

    public var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: UnsafeRawPointer(start).assumingMemoryBound(to: UInt8.self), count: count)
    }

    public var isEmpty: Bool { count == 0 }

    /// A copy, for the paths that are not hot: log lines, tests.
    public var array: [UInt8] { Array(bytes) }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Byte equality with a literal, without building anything.
    public func equals(_ text: StaticString) -> Bool {
        guard count == text.utf8CodeUnitCount else { return false }
        guard let baseAddress, count > 0 else { return true }
        return memcmp(baseAddress, text.utf8Start, count) == 0
    }
}
