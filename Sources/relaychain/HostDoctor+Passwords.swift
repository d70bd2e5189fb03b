import Foundation
import RelaychainCore

/// What doctor checks of each Redis password file on the host: that its one account reads it,
/// that nobody else does, and that it is long enough.
extension HostDoctor {
    /// Each Redis password file, read as the account that needs it.
    mutating func checkPasswordFiles() {
        guard geteuid() == 0 else { return }
        for file in deployment.passwordFiles where getpwnam(file.account) != nil {
            let read = HostCommand.run([me, "probe-as", file.account, "--read", file.path], timeout: 10)
            add(
                "password-read:\(file.path)", "\(file.account) can read \(file.path)", read.status == 0,
                read.errors.trimmed, fix: setupFix)
            // Redis does not slow password guesses; only the socket's own account can try, but it can
            // try tens of thousands a second, so a short password is a warning.
            if let bytes = FileManager.default.contents(atPath: file.path) {
                let length = bytes.prefix { $0 != UInt8(ascii: "\n") }.count
                items.append(
                    Item(
                        id: "password-length:\(file.path)",
                        what: "\(file.path) holds a long password (32 characters or more)", holds: true,
                        detail: length >= 32 ? "" : "\(length) characters: Redis checks tens of thousands a second",
                        fix: .run(
                            "openssl rand -hex 32", "make a long one, then ACL SETUSER on the Redis host and ACL SAVE"),
                        warning: length < 32))
            }
            var status = stat()
            guard lstat(file.path, &status) == 0, let account = getpwnam(file.account) else { continue }
            add(
                "password-mode:\(file.path)",
                "\(file.path) is \(file.account)'s alone (no group or other account reads it)",
                status.st_uid == account.pointee.pw_uid && status.st_mode & 0o077 == 0
                    && status.st_mode & S_IFMT == S_IFREG,
                "owner \(status.st_uid), mode \(String(status.st_mode & 0o7777, radix: 8))", fix: setupFix)
        }
    }
}
