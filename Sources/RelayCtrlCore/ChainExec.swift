import Glibc

/// The djb way: do one small thing, then exec the rest of argv.
public enum ChainExec {
    /// The process's own argv, untouched (never round-tripped through Swift strings).
    public static var argc: Int { Int(CommandLine.argc) }

    public static func argument(_ index: Int) -> [UInt8] {
        guard index < argc, let pointer = CommandLine.unsafeArgv[index] else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
    }

    /// Execs argv[first...] with PATH lookup, as the originals' execvp does; on failure logs
    /// and exits 111.
    public static func execRest(from first: Int, log: Log) -> Never {
        // argv is NULL-terminated, so its tail is itself a valid argv: no copy at all.
        let rest = UnsafePointer(CommandLine.unsafeArgv + first)
        guard first < argc, let program = rest.pointee else { log.die(111, "no program to execute") }
        _ = execvp(program, rest)
        let reason = Log.systemError()
        log.die(111, "execution of program '\(String(cString: program))' failed: \(reason)")
    }

    /// Execs the given argv indices in order (ifrelayclient drops its `--`).
    public static func execArguments(_ indices: [Int], log: Log) -> Never {
        var pointers: [UnsafeMutablePointer<CChar>?] = indices.map { CommandLine.unsafeArgv[$0] }
        pointers.append(nil)
        guard let program = pointers.first ?? nil else { log.die(111, "no program to execute") }
        pointers.withUnsafeBufferPointer { _ = execvp(program, $0.baseAddress!) }
        let reason = Log.systemError()
        log.die(111, "execution of program '\(String(cString: program))' failed: \(reason)")
    }
}
