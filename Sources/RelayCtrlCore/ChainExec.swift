import CRelayLibc

/// The djb way: do one small thing, then exec the rest of argv.
public enum ChainExec {
    /// The process's own argv, untouched (never round-tripped through Swift strings).
    public static var argc: Int { Int(relay_argument_count()) }

    private static var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> { relay_arguments() }

    /// Whether argv[index] is exactly `text`, compared in place.
    public static func argument(_ index: Int, is text: StaticString) -> Bool {
        guard index < argc, let pointer = argv[index] else { return false }
        return strcmp(pointer, UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// Execs argv[first...] with PATH lookup, as the originals' execvp does; on failure logs
    /// and exits 111.
    public static func execRest(from first: Int, log: Log) -> Never {
        // argv is NULL-terminated, so its tail is itself a valid argv: no copy at all.
        let rest = UnsafePointer(argv + first)
        guard first < argc, let program = rest.pointee else { log.die(111, "no program to execute") }
        _ = execvp(program, rest)
        let reason = Log.systemError()
        log.die(111, "execution of program '\(String(cString: program))' failed: \(reason)")
    }

    /// Execs argv[first] followed by argv[then] (ifrelayclient drops its `--`). The new argv is a
    /// plain pointer buffer on the stack: an Array of pointers would make the Swift runtime build
    /// its type metadata (a demangler run) on every exec, and the heap costs a malloc start-up.
    public static func execArguments(_ first: Range<Int>, then second: Range<Int> = 0..<0, log: Log) -> Never {
        withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<CChar>?.self, capacity: first.count + second.count + 1) {
            arguments in
            var count = 0
            for index in first where index < argc {
                arguments[count] = argv[index]
                count += 1
            }
            for index in second where index < argc {
                arguments[count] = argv[index]
                count += 1
            }
            arguments[count] = nil
            guard let program = arguments[0] else { log.die(111, "no program to execute") }
            _ = execvp(program, arguments.baseAddress!)
            let reason = Log.systemError()
            log.die(111, "execution of program '\(String(cString: program))' failed: \(reason)")
        }
    }
}
