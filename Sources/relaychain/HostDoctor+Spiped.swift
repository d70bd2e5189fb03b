import Foundation

/// What doctor checks of spiped on a host: the key, each role's socket directory, and on the
/// Redis host the firewall table in front of spiped's port.
extension HostDoctor {
    /// spiped's shared key: root's alone, and long enough to be a key.
    mutating func checkSpipedKeys() {
        for key in deployment.spipedKeys {
            var status = stat()
            guard stat(key, &status) == 0 else {
                add(
                    "spiped-key:\(key)", "spiped's key \(key) exists", false, String(cString: strerror(errno)),
                    fix: .advice(
                        "copy the window's key from another host of the cluster (or make it once on one host: "
                            + "mkdir -p \((key as NSString).deletingLastPathComponent) && dd if=/dev/urandom bs=32 "
                            + "count=1 of=\(key)), then run setup"))
                continue
            }
            add(
                "spiped-key-mode:\(key)", "spiped's key \(key) is root's alone (owner 0, mode 600)",
                status.st_uid == 0 && status.st_mode & 0o077 == 0,
                "owner \(status.st_uid), mode \(String(status.st_mode & 0o7777, radix: 8))", fix: setupFix)
            add(
                "spiped-key-length:\(key)", "spiped's key \(key) holds at least 32 bytes", status.st_size >= 32,
                "\(status.st_size) bytes",
                fix: .run("dd if=/dev/urandom bs=32 count=1 of=\(key)", "make it again, then copy it to every host"))
        }
    }

    /// Each role's socket: in a directory its one account alone may enter.
    mutating func checkSpipedSockets() {
        for directory in deployment.socketDirectories {
            var status = stat()
            guard lstat(directory.path, &status) == 0 else {
                add(
                    "spiped-socket-directory:\(directory.path)", "spiped's socket directory \(directory.path) exists",
                    false, String(cString: strerror(errno)),
                    fix: .advice("start the spiped service: its run script makes the directory"))
                continue
            }
            var owner: String?
            if case .account(let name) = directory.access { owner = name }
            let uid = owner.flatMap { getpwnam($0)?.pointee.pw_uid } ?? 0
            let who = owner ?? "root"
            add(
                "spiped-socket-access:\(directory.path)",
                "\(directory.path) is \(who)'s, mode \(String(directory.access.mode, radix: 8)): "
                    + "no other account reaches spiped's socket",
                status.st_mode & S_IFMT == S_IFDIR && status.st_uid == uid
                    && status.st_mode & 0o7777 == directory.access.mode,
                "owner \(status.st_uid), mode \(String(status.st_mode & 0o7777, radix: 8))",
                fix: .advice("restart the spiped service: its run script makes the directory"))
        }
    }

    /// The Redis host's table: only the window's hosts reach spiped.
    mutating func checkFirewalls() {
        for firewall in deployment.firewalls {
            let listed = HostCommand.run(
                [firewall.program, "list", "table", "inet", firewall.table], timeout: 10)
            let text = listed.output
            let words = Set(text.split(whereSeparator: { " \t\n{},;".contains($0) }).map(String.init))
            let missing = firewall.peers.filter { !words.contains($0) }
            let holds = listed.status == 0 && text.contains(firewall.dropRule) && missing.isEmpty
            let detail =
                listed.status != 0
                ? listed.errors.trimmed
                : !missing.isEmpty
                    ? "lets no \(missing.joined(separator: ", ")) in" : holds ? "" : "no rule '\(firewall.dropRule)'"
            add(
                "firewall:\(firewall.table)",
                "the firewall lets only \(firewall.peers.joined(separator: ", ")) reach spiped's port \(firewall.port)",
                holds, detail,
                fix: .run(
                    "\(firewall.program) -f \(firewall.installedPath)",
                    "restart the spiped service, which loads the table, or load it by hand"))
        }
    }
}
