// ifrelayclient cmd1 [args ...] -- cmd2 [args ...]
// For a relay client (RELAYCLIENT set, even empty) execs `cmd1 args cmd2 args`, so that cmd1
// (typically `env RBLSMTPD= GREETDELAY=`) can make spam defences step aside; otherwise execs
// `cmd2 args` alone.
import Glibc
import RelayCtrlCore

let log = Log(program: "ifrelayclient")
let separator = (1..<ChainExec.argc).first { ChainExec.argument($0) == Array("--".utf8) }
guard let separator, separator + 1 < ChainExec.argc else {
    log.die(111, "usage: ifrelayclient cmd1 [args ...] -- cmd2 [args ...]")
}
let rest = Array((separator + 1)..<ChainExec.argc)
if Environment.isSet("RELAYCLIENT") {
    ChainExec.execArguments(Array(1..<separator) + rest, log: log)
}
ChainExec.execArguments(rest, log: log)
