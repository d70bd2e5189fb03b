// relay-ctrl-send program [args ...]
// relay-ctrl 3.2's name for "tell the other hosts about this login": it sent the bare address by
// UDP (RELAY_CTRL_REMOTES, port 811, no authentication). Here it records the grant in the shared
// Redis store (RELAY_CTRL_REDIS), as relay-ctrl-allow does there, and always execs its program.
import Glibc
import RelayCtrlCore
import RelayCtrlRedis

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
    switch redis {
    case .failure(let error): log.warn("\(error); no grant sent")
    case .success(let settings):
        let names = CarryPolicy.carriedNames(Environment.value(CarryPolicy.variable)) { name, reason in
            log.warn("Not carrying \(name): it would let a local user \(reason)")
        }
        let records = names.compactMap { name in Environment.value(name).map { GrantRecord(name: name, value: $0) } }
        let window = Settings.window(Environment.lookup("RELAY_CTRL_EXPIRY"))
        if let problem = RedisGrants.write(settings, address, records: records, window: window, now: time(nil)) {
            log.warn("Could not record a grant for \(address) in Redis: \(problem)")
        }
    }
}

guard ChainExec.argc >= 2 else { log.die(111, "usage: relay-ctrl-send program [arguments]") }
send(log: log)
ChainExec.execRest(from: 1, log: log)
