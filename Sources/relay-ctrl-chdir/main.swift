// relay-ctrl-chdir program [args ...]
// Opens $RELAY_CTRL_DIR while still privileged, moves the descriptor to the highest free slot
// (some servers close low descriptors), exports it as RELAY_CTRL_DIR_FD and execs the program.
import CRelayLibc
import RelayCtrlCoreEmbedded

let log = Log(program: "relay-ctrl-chdir")
guard ChainExec.argc >= 2 else { log.die(1, "usage: relay-ctrl-chdir program [arguments]") }
guard let path = Environment.lookup(RelayDirectory.pathVariable) else { log.die(111, "$RELAY_CTRL_DIR is not set") }

/// Opens the store and puts its descriptor where the chain keeps it; returns that descriptor.
/// A function, not top-level code: Embedded Swift takes top-level variables for shared globals.
func openStore(_ path: TerminatedBytes) -> Int32 {
    var descriptor = relay_open(path.start, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { log.die(111, "Could not open dir '\(printable(path.array))': \(Log.systemError())") }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { log.die(111, "Could not stat opened file: \(Log.systemError())") }
    guard FileKind(status) == .directory else { log.die(111, "'\(printable(path.array))' is not a directory") }

    // The highest free slot under the descriptor limit, as the original does, but no higher than
    // 1023: a descriptor at 1048575 would make every fork of tcpserver copy a huge table.
    // dup2 also clears close-on-exec, so the descriptor survives the exec.
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    let highest = Int32(clamping: min(UInt64(limit.rlim_cur), 1024)) - 1
    var slot = highest
    while slot > descriptor, relay_fcntl(slot, F_GETFD, 0) != -1 { slot -= 1 }
    if slot > descriptor, dup2(descriptor, slot) == slot {
        close(descriptor)
        descriptor = slot
    } else {
        _ = relay_fcntl(descriptor, F_SETFD, 0)
    }
    return descriptor
}

Environment.set(RelayDirectory.descriptorVariable, String(openStore(path)))
ChainExec.execRest(from: 1, log: log)
