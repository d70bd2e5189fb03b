// relay-ctrl-check program [args ...]
// Runs before the SMTP server: if the client logged in within the window, sets RELAYCLIENT
// (and RBLSMTPD='' unless set, so rblsmtpd steps aside) and the carried login variables.
// Whatever happens to the store, it execs the program: a store problem never blocks mail.
import CRelayLibc
import RelayCtrlCoreEmbedded
import RelayCtrlRedisEmbedded

let log = Log(program: "relay-ctrl-check", debugEnabled: Environment.isSet("RELAY_CTRL_LOG_IPS"))
guard ChainExec.argc >= 2 else { log.die(1, "usage: relay-ctrl-check program [arguments]") }

func check(log: Log, logEnvironment: Bool) {
    guard !Environment.isSet("RELAYCLIENT") else {
        log.debug("$RELAYCLIENT already set, not checking IP")
        return
    }
    guard let raw = Environment.lookup("TCPREMOTEIP") else {
        log.warn("$TCPREMOTEIP not set, not checking IP")
        return
    }
    guard let address = ClientAddress(raw) else {
        log.warn("Invalid $TCPREMOTEIP '\(printable(raw.array))', not checking IP")
        return
    }
    let window = Settings.window(Environment.lookup("RELAY_CTRL_EXPIRY"))
    if let redis = RedisSettings.fromEnvironment() {
        checkRedis(redis, address, window: window, log: log, logEnvironment: logEnvironment)
        return
    }
    // Not closed here: opened close-on-exec (a handed-over one is made so), it goes with the exec
    // that follows, one system call fewer on every connection.
    guard let directory = RelayDirectory.open(log: log) else { return }
    let store = GrantStore(directory: directory)
    switch store.lookup(address, now: time(nil), window: window) {
    case .fresh(let body):
        relay(address, body, log: log, logEnvironment: logEnvironment)
    case .missing:
        log.debug("IP \(address) not found")
    case .expired(_, let identity):
        switch store.removeStale(address.canonical, identity) {
        case .removed: log.debug("Expired IP \(address) found, removed")
        case .failed(let reason): log.warn("Expired IP \(address) found, could not remove it: \(reason)")
        case .keptReplacement, .alreadyGone: log.debug("Expired IP \(address) found; a newer grant replaced it")
        }
    case .future(let ahead, let identity):
        switch store.removeStale(address.canonical, identity) {
        case .removed: log.warn("Grant for \(address) is dated \(ahead)s in the future, removed it")
        case .failed(let reason):
            log.warn("Grant for \(address) is dated \(ahead)s in the future, could not remove it: \(reason)")
        case .keptReplacement, .alreadyGone:
            log.warn("Grant for \(address) is dated \(ahead)s in the future, refused it")
        }
    case .notRegular(let kind, _):
        log.warn("Grant for \(address) is \(kind), ignoring it")
    case .unreadable(let reason):
        log.warn("Could not read the grant for \(address): \(reason)")
    }
}

/// Sets RELAYCLIENT (and RBLSMTPD='' unless set) and the carried variables of a fresh grant.
func relay(_ address: ClientAddress, _ body: GrantBody, log: Log, logEnvironment: Bool) {
    log.debug("IP \(address) found, setting $RELAYCLIENT")
    if let value = Environment.lookup("RELAY_CTRL_RELAYCLIENT") {
        Environment.set("RELAYCLIENT", value)
    } else {
        Environment.set("RELAYCLIENT", "")
    }
    if !Environment.isSet("RBLSMTPD") { Environment.set("RBLSMTPD", "") }
    let carried = CarryPolicy.carried(Environment.lookup(CarryPolicy.variable)) { name, reason in
        log.warn("Not carrying \(name): it would let a local user \(reason)")
    }
    body.forEachRecord { name, value in
        guard carried.contains(name) else {
            log.warn("Ignoring \(printable(Array(name))) in the grant for \(address): not a carried variable")
            return
        }
        if Environment.set(name: name, value), logEnvironment {
            log.warn("Set $\(printable(Array(name))) from the grant for \(address)")
        }
    }
}

/// The shared store: one GET within the timeout. Whatever goes wrong, nothing is granted, one
/// line is logged, and the chain runs (mail flows, no relay).
func checkRedis(
    _ configured: Result<RedisSettings, RedisSettings.SettingsError>, _ address: ClientAddress, window: Int, log: Log,
    logEnvironment: Bool
) {
    let settings: RedisSettings
    switch configured {
    case .failure(let error):
        log.warn("\(error), not checking IP")
        return
    case .success(let value): settings = value
    }
    switch RedisGrants.lookup(settings, address) {
    case .found(let body, let loginTime):
        let age = time(nil) - loginTime
        if age > window {
            log.debug("Expired IP \(address) found in Redis (\(age)s old)")
        } else if age < -GrantStore.clockSkewAllowance {
            log.warn("Grant for \(address) in Redis is dated \(-age)s in the future, refused it")
        } else {
            relay(address, body, log: log, logEnvironment: logEnvironment)
        }
    case .missing:
        log.debug("IP \(address) not found")
    case .malformed(let reason):
        log.warn("Grant for \(address) in Redis is unusable (\(reason)), ignoring it")
    case .failed(let reason):
        log.warn("Could not check \(address) in Redis: \(reason); not relaying")
    }
}

check(log: log, logEnvironment: Environment.isSet("RELAY_CTRL_LOG_ENV"))
RelayDirectory.closeHandedOver()
ChainExec.execRest(from: 1, log: log)
