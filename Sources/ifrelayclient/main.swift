// ifrelayclient cmd1 [args ...] -- cmd2 [args ...]
// For a relay client (RELAYCLIENT set, even empty) execs `cmd1 args cmd2 args`, so that cmd1
// (typically `env RBLSMTPD= GREETDELAY=`) can make spam defences step aside; otherwise execs
// `cmd2 args` alone.
import CRelayLibc
import RelayCtrlCoreEmbedded

// The work is in a function: a closure that touched a top-level (main-actor) global would link
// the whole concurrency runtime and libdispatch, and start them on every exec.
func run(log: Log) -> Never {
    let separator = (1..<ChainExec.argc).first { ChainExec.argument($0, is: "--") }
    guard let separator, separator + 1 < ChainExec.argc else {
        log.die(111, "usage: ifrelayclient cmd1 [args ...] -- cmd2 [args ...]")
    }
    let rest = (separator + 1)..<ChainExec.argc
    if Environment.isSet("RELAYCLIENT") {
        ChainExec.execArguments(1..<separator, then: rest, log: log)
    }
    ChainExec.execArguments(rest, log: log)
}

run(log: Log(program: "ifrelayclient"))
