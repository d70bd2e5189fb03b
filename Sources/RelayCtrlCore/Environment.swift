import Glibc

/// The process environment as raw bytes: values are passed on exactly as received, never
/// repaired into valid UTF-8.
public enum Environment {
    public static func value(_ name: String) -> [UInt8]? {
        guard let pointer = getenv(name) else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
    }

    public static func value(_ name: [UInt8]) -> [UInt8]? {
        name.withNullTerminated { pointer in
            getenv(pointer).map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
        }
    }

    public static func isSet(_ name: String) -> Bool {
        getenv(name) != nil
    }

    /// Sets `name` to `value` (a value cannot hold NUL; such a value is refused).
    @discardableResult
    public static func set(_ name: String, _ value: [UInt8]) -> Bool {
        set(Array(name.utf8), value)
    }

    /// The same with the name as bytes, as read from a grant file.
    @discardableResult
    public static func set(_ name: [UInt8], _ value: [UInt8]) -> Bool {
        guard !name.contains(0), !value.contains(0) else { return false }
        var terminated = Array(value)
        terminated.append(0)
        return name.withNullTerminated { namePointer in
            terminated.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { setenv(namePointer, $0.baseAddress!, 1) == 0 }
            }
        }
    }

    public static func unset(_ name: String) {
        unsetenv(name)
    }
}
