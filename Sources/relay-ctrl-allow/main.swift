// relay-ctrl-allow [program [args ...]]
// Runs after a successful POP3/IMAP login: records a grant for the client address (with the
// carried login variables), then execs the mail server.
import CRelayLibc
import RelayCtrlCoreEmbedded
import RelayCtrlRedisEmbedded

let log = Log(program: "relay-ctrl-allow")

/// Courier sets AUTHUSER and AUTHARGV0 and says in AUTHENTICATED whether the login succeeded;
/// elsewhere the place in the chain (after the password check) is the proof.
func isAuthenticated() -> Bool {
    guard Environment.isSet("AUTHUSER"), Environment.isSet("AUTHARGV0") else { return true }
    return !(Environment.value("AUTHENTICATED") ?? []).isEmpty
}

/// Records the grant. A function, not top-level code: a closure that touched the top-level
/// (main-actor) `log` would link the concurrency runtime and libdispatch into every exec.
func grant(_ address: ClientAddress, log: Log) {
    let records = CarryPolicy.loginRecords { name, reason in
        log.warn("Not carrying \(name): it would let a local user \(reason)")
    }
    if let redis = RedisSettings.fromEnvironment() {
        // Within the timeout, and never failing the login: the program runs whatever happens.
        if let problem = RedisGrants.recordLogin(redis, address, records: records) { log.warn(problem) }
        return
    }
    // Not closed here: opened close-on-exec (a handed-over one is made so), it goes with the exec
    // that follows, one system call fewer on every connection.
    guard let directory = RelayDirectory.open(log: log) else { return }
    if let problem = GrantStore(directory: directory).write(address, records: records) {
        log.warn(problem)
    }
}

/// A missing or invalid address fails the grant, never the login (relay-ctrl 3.2 exited before
/// the mail server ran: Dovecot 1.x passes an empty IP for local logins, and the user was locked out).
func clientAddress() -> ClientAddress? {
    guard let raw = Environment.value("TCPREMOTEIP") else { return nil }
    return ClientAddress(raw)
}

let address = clientAddress()
if let address {
    if isAuthenticated() { grant(address, log: log) }
} else {
    log.warn("Must be run from tcp-env or tcpserver: no client address in $TCPREMOTEIP, no grant recorded")
}
RelayDirectory.closeHandedOver()

guard ChainExec.argc >= 2 else { exit(address == nil ? 111 : 0) }
ChainExec.execRest(from: 1, log: log)
