// relay-ctrl-send program [args ...]
// relay-ctrl 3.2's name for "tell the other hosts about this login": it sent the bare address by
// UDP (RELAY_CTRL_REMOTES, port 811, no authentication). Here it records the grant in the shared
// Redis store (RELAY_CTRL_REDIS), as relay-ctrl-allow does there, and always execs its program.
import CRelayLibc
import RelayCtrlCoreEmbedded
import RelayCtrlRedisEmbedded

let log = Log(program: "relay-ctrl-send")

func send(log: Log) {
    if Environment.isSet("RELAY_CTRL_REMOTES") {
        log.warn(
            "RELAY_CTRL_REMOTES (UDP to relay-ctrl-udp) is not supported: it has no authentication; "
                + "set RELAY_CTRL_REDIS to share grants through Redis instead")
    }
    guard let raw = Environment.value("TCPREMOTEIP"), let address = ClientAddress(raw) else {
        log.warn("$TCPREMOTEIP is not an address, no grant sent")
        return
    }
    guard let redis = RedisSettings.fromEnvironment() else {
        log.warn("RELAY_CTRL_REDIS is not set, no grant sent")
        return
    }
    let records = CarryPolicy.loginRecords { name, reason in
        log.warn("Not carrying \(name): it would let a local user \(reason)")
    }
    if let problem = RedisGrants.recordLogin(redis, address, records: records) { log.warn(problem) }
}

guard ChainExec.argc >= 2 else { log.die(111, "usage: relay-ctrl-send program [arguments]") }
send(log: log)
ChainExec.execRest(from: 1, log: log)
