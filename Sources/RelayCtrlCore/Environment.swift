import Glibc

/// The process environment as raw bytes: values are passed on exactly as received, never
/// repaired into valid UTF-8.
public enum Environment {
    public static func value(_ name: String) -> [UInt8]? {
        guard let pointer = getenv(name) else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
    }

    public static func isSet(_ name: String) -> Bool {
        getenv(name) != nil
    }

    /// Sets `name` to `value` (a value cannot hold NUL; such a value is refused).
    @discardableResult
    public static func set(_ name: String, _ value: some Collection<UInt8>) -> Bool {
        guard !value.contains(0) else { return false }
        var terminated = Array(value)
        terminated.append(0)
        return terminated.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { setenv(name, $0.baseAddress!, 1) == 0 }
        }
    }

    public static func unset(_ name: String) {
        unsetenv(name)
    }
}
