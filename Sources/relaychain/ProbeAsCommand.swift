import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// `relaychain probe-as USER ...`: what doctor runs to act as an account for real (its uid and
/// primary gid, as tcpserver -u/-g and setuidgid give them) instead of guessing from modes.
/// Hidden: an implementation detail of doctor, run as root.
struct ProbeAsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-as", abstract: "Act as an account (used by doctor).", shouldDisplay: false)

    @Argument(help: "The account.")
    var user: String

    @Option(
        name: .long,
        help: "Open this directory before becoming the account, as relay-ctrl-chdir does; files are names in it.")
    var through: String?
    @Option(name: .long, help: "Run with this group instead of the account's own, as Dovecot's 'group =' does.")
    var group: String?

    @Option(name: .long, help: "Create this file (exclusively, mode 0644, like relay-ctrl-allow).")
    var create: String?

    @Option(name: .long, help: "Read this file.")
    var read: String?

    @Option(name: .long, help: "Remove this file.")
    var remove: String?

    @Argument(parsing: .postTerminator, help: "A program and its arguments to exec instead.")
    var command: [String] = []

    func run() throws {
        guard let account = getpwnam(user) else {
            printError("relaychain probe-as: no account '\(user)'")
            throw ExitCode(ExitStatus.usage)
        }
        var directory = AT_FDCWD
        if let through {
            directory = open(through, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard directory >= 0 else { return fail("open", through) }
        }
        var gid = account.pointee.pw_gid
        if let group {
            guard let found = getgrnam(group) else {
                printError("relaychain probe-as: no group '\(group)'")
                throw ExitCode(ExitStatus.usage)
            }
            gid = found.pointee.gr_gid
        }
        guard setgroups(1, &gid) == 0, setgid(gid) == 0, setuid(account.pointee.pw_uid) == 0,
            getuid() == account.pointee.pw_uid, geteuid() == account.pointee.pw_uid
        else {
            printError("relaychain probe-as: cannot become '\(user)': \(FileSystem.lastError())")
            throw ExitCode(ExitStatus.usage)
        }
        if let create {
            let descriptor = openat(directory, create, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { return fail("create", create) }
            _ = fchmod(descriptor, 0o644)
            close(descriptor)
        }
        if let read {
            let descriptor = openat(directory, read, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { return fail("read", read) }
            var byte: UInt8 = 0
            let count = Glibc.read(descriptor, &byte, 1)
            close(descriptor)
            guard count >= 0 else { return fail("read", read) }
        }
        if let remove {
            guard unlinkat(directory, remove, 0) == 0 else { return fail("remove", remove) }
        }
        guard let program = command.first else { return }
        var arguments = command.map { strdup($0) } + [nil]
        execv(program, &arguments)
        printError("relaychain probe-as: cannot run \(program): \(FileSystem.lastError())")
        throw ExitCode(127)
    }

    private func fail(_ action: String, _ path: String) {
        printError("\(user) cannot \(action) \(path): \(FileSystem.lastError())")
        exitProcess(ExitStatus.findings)
    }
}
