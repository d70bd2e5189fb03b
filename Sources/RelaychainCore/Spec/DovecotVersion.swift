/// A Dovecot release line as written in the spec ("1.1", "2.3", "2.4.4"), kept as text so that
/// "1.10" never turns into 1.1.
public struct DovecotVersion: Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int?

    /// How the relay grant is hooked into the login.
    public enum Mechanism: Sendable {
        /// 1.0-1.2: `mail_executable`, argv split on spaces, no shell.
        case mailExecutable
        /// 2.0-2.3: a post-login script run by script-login.
        case postLogin
        /// 2.4: post-login, with `$SET:` setting references.
        case postLogin24
    }

    public static let supportedLines = ["1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4"]

    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let major = Int(parts[0]), let minor = Int(parts[1])
        else { return nil }
        self.major = major
        self.minor = minor
        self.patch = parts.count == 3 ? Int(parts[2]) : nil
    }

    public var line: String { "\(major).\(minor)" }

    public var isSupported: Bool { Self.supportedLines.contains(line) }

    public var mechanism: Mechanism {
        switch (major, minor) {
        case (1, _): .mailExecutable
        case (2, 4...): .postLogin24
        default: .postLogin
        }
    }

    public var description: String { patch.map { "\(line).\($0)" } ?? line }
}
