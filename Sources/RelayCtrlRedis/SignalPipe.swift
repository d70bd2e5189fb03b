import CRelayLibc

/// hiredis writes with write(2): to a peer that has closed (spiped in front of a Redis that is
/// down accepts, then hangs up) that raises SIGPIPE, which would kill relay-ctrl-check before it
/// execs the mail server. So SIGPIPE is ignored for the exchange, where the write then fails with
/// EPIPE like any other Redis failure, and put back after it: an ignored signal stays ignored
/// across exec, and the programs later in the chain must get the disposition they were given.
enum SignalPipe {
    static func ignored<T>(_ body: () -> T) -> T {
        var previous = sigaction()
        let changed = relay_ignore_signal(SIGPIPE, &previous) == 0
        defer { if changed { sigaction(SIGPIPE, &previous, nil) } }
        return body()
    }
}
