import ArgumentParser
import Foundation
import RelayCtrlCore
import RelayCtrlRedis
import RelaychainCore

/// `relaychain revoke SPEC ADDRESS`: ends a client's relay window now.
struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "End the relay grant of one client address now, in each of the spec's windows (or one).",
        discussion: """
            Run it as root on the host that holds the store. The address is read as the tools read \
            TCPREMOTEIP (::ffff:192.0.2.7 is 192.0.2.7), and its grant file is removed from each \
            window's store; the client relays again only after its next login. In a window kept in \
            Redis, revoke writes as the window's writer (with its password file) a grant dated at the \
            epoch, which every check refuses and Redis forgets a second later; run it where the \
            window's address reaches Redis (on its host, in a cluster).

            Exit status: 0 a grant was ended, 1 there was none or a store could not be changed, 2 usage.

            Example:
              relaychain revoke examples/debian-dovecot23-daemontools.yaml 192.0.2.7
            """
    )

    @Argument(help: "The spec the host was built from.")
    var spec: String

    @Argument(help: "The client address whose window ends (IPv4 or IPv6).")
    var address: String

    @Option(name: .long, help: "Only this window.")
    var window: String?

    /// As the window's writer, with its password file: the one account allowed to write grants.
    static func revoke(_ client: ClientAddress, in redis: RedisStore) -> String? {
        let writer = redis.writer.value
        let settings = RedisSettings.settings(
            url: redis.url(as: writer, role: .writer), passwordFile: redis.passwordFile(of: writer),
            prefix: redis.prefix)
        switch settings {
        case .failure(let error): return "\(error)"
        case .success(let settings): return RedisGrants.revoke(settings, client)
        }
    }

    func run() throws {
        guard let client = ClientAddress(address) else {
            printError("relaychain: '\(address)' is not an IPv4 or IPv6 address")
            throw ExitCode(ExitStatus.usage)
        }
        let windows = try WindowStores.windows(of: spec, named: window)
        var ended = 0
        var failed = false
        for window in windows {
            let name = window.name.value
            if let redis = window.redis {
                if let reason = Self.revoke(client, in: redis) {
                    printError("relaychain: window '\(name)': could not end the grant of \(client) in Redis: \(reason)")
                    failed = true
                } else {
                    print("relaychain: window \(name): ended any grant of \(client) in Redis")
                    ended += 1
                }
                continue
            }
            let opened = WindowStores.open(window.store.value)
            guard case .success(let store) = opened else {
                if case .failure(let failure) = opened { printError("relaychain: window '\(name)': \(failure.reason)") }
                failed = true
                continue
            }
            defer { store.directory.close() }
            switch store.revoke(client) {
            case nil, .alreadyGone: print("relaychain: window \(name): no grant for \(client)")
            case .removed, .keptReplacement:
                print("relaychain: window \(name): ended the grant of \(client)")
                ended += 1
            case .failed(let reason):
                printError("relaychain: window '\(name)': could not remove \(client): \(reason)")
                failed = true
            }
        }
        if failed || ended == 0 { throw ExitCode(ExitStatus.findings) }
    }
}
