// dovecot-settcpremoteip program [args ...]
// Dovecot names the client address IP; relay-ctrl reads TCPREMOTEIP. Copies one to the other
// (empty when IP is unset, as the pkgsrc script does) and execs the program.
import CRelayLibc
import RelayCtrlCoreEmbedded

let log = Log(program: "dovecot-settcpremoteip")
if let address = Environment.lookup("IP") {
    Environment.set("TCPREMOTEIP", address)
} else {
    Environment.set("TCPREMOTEIP", "")
}
guard ChainExec.argc >= 2 else { exit(0) }
ChainExec.execRest(from: 1, log: log)
