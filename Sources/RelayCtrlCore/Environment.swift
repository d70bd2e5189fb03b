import CRelayLibc

/// The process environment as raw bytes: values are passed on exactly as received, never
/// repaired into valid UTF-8. Names go to the C library through withCString: Embedded Swift's
/// implicit String-to-pointer conversion copies the name into a new array, byte by byte, on
/// every call (a sixth of relay-ctrl-allow's instructions, callgrind).
public enum Environment {
    /// The value where it lies. glibc never frees an environment string while the program runs
    /// (not even one replaced by setenv), so the view stays valid.
    public static func lookup(_ name: String) -> TerminatedBytes? {
        name.withCString { getenv($0) }.map { TerminatedBytes($0) }
    }

    /// A copy of the value, for the paths that are not hot.
    public static func value(_ name: String) -> [UInt8]? {
        lookup(name)?.array
    }

    public static func value(_ name: [UInt8]) -> [UInt8]? {
        name.withNullTerminated { pointer in getenv(pointer).map { TerminatedBytes($0).array } }
    }

    public static func isSet(_ name: String) -> Bool {
        name.withCString { getenv($0) } != nil
    }

    @discardableResult
    public static func set(_ name: String, _ value: TerminatedBytes) -> Bool {
        name.withCString { setenv($0, value.start, 1) } == 0
    }

    /// Sets a value the program chose itself (a literal, a number): it holds no NUL.
    @discardableResult
    public static func set(_ name: String, _ value: String) -> Bool {
        name.withCString { name in value.withCString { setenv(name, $0, 1) } } == 0
    }

    /// Sets a variable named by bytes that are not NUL-terminated (a grant record's name).
    @discardableResult
    public static func set(name: UnsafeBufferPointer<UInt8>, _ value: TerminatedBytes) -> Bool {
        guard let base = name.baseAddress, !name.isEmpty, !name.contains(0) else { return false }
        guard let copy = strndup(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), name.count) else {
            return false
        }
        defer { free(copy) }
        return setenv(copy, value.start, 1) == 0
    }

    public static func unset(_ name: String) {
        _ = name.withCString { unsetenv($0) }
    }
}
