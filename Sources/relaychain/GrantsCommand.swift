import ArgumentParser
import Foundation
import RelayCtrlCore
import RelayCtrlRedis
import RelaychainCore

/// `relaychain grants SPEC`: the relay windows open now, as relay-ctrl-check would see them.
struct GrantsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grants",
        abstract: "List the live relay grants of a spec's windows: address, carried login, granted, ends.",
        discussion: """
            Run it as root on the host that holds the store. A grant is listed when relay-ctrl-check \
            would honour it now: named by a canonical address, a regular file, dated within the \
            window and not in the future. Nothing is changed.

            --format prometheus prints, per window, the live grants and the age of the oldest one, \
            for node_exporter's textfile collector (Debian's prometheus-node-exporter reads \
            /var/lib/prometheus/node-exporter); an /etc/cron.d line that keeps the file fresh (written \
            beside it, then renamed, as the collector requires):
              * * * * * root /usr/local/bin/relaychain grants /etc/relaychain/SPEC.yaml --format prometheus \
            > /var/lib/prometheus/node-exporter/relaychain.prom.tmp && \
            mv /var/lib/prometheus/node-exporter/relaychain.prom.tmp \
            /var/lib/prometheus/node-exporter/relaychain.prom

            A window kept in Redis is listed as its auditor (redis: { auditor: NAME }: an ACL user \
            allowed SCAN and GET on the window's keys only, whose password file setup leaves to root), \
            run where the window's address reaches Redis (on its host, in a cluster).

            Exit status: 0 listed, 1 a store could not be read, 2 usage errors or a spec with errors.

            Example:
              relaychain grants examples/debian-dovecot23-daemontools.yaml --window relay
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, prometheus
    }

    @Argument(help: "The spec the host was built from.")
    var spec: String

    @Option(name: .long, help: "Only this window.")
    var window: String?

    @Option(name: .long, help: "text (default), json, or prometheus.")
    var format: Format = .text

    func run() throws {
        let windows = try WindowStores.windows(of: spec, named: window)
        let now = Int(time(nil))
        var listed: [(window: RelayWindow, grants: [LiveGrant])] = []
        var failed = false
        for window in windows {
            if let redis = window.redis {
                switch Self.live(in: redis, now: now, window: window.length.value.seconds) {
                case .success(let grants): listed.append((window, grants))
                case .failure(let failure):
                    printError("relaychain: window '\(window.name.value)' (\(redis.identity)): \(failure.reason)")
                    failed = true
                }
                continue
            }
            let opened = WindowStores.open(window.store.value)
            guard case .success(let store) = opened else {
                if case .failure(let failure) = opened {
                    printError("relaychain: window '\(window.name.value)': \(failure.reason)")
                }
                failed = true
                continue
            }
            defer { store.directory.close() }
            switch store.live(now: now, window: window.length.value.seconds) {
            case .success(let grants): listed.append((window, grants))
            case .failure(let failure):
                printError("relaychain: window '\(window.name.value)' (\(window.store.value)): \(failure.reason)")
                failed = true
            }
        }
        print(Self.render(listed, now: now, format: format), terminator: "")
        if failed { throw ExitCode(ExitStatus.findings) }
    }

    /// As the window's auditor (SCAN and GET only), with its password file.
    static func live(in redis: RedisStore, now: Int, window: Int) -> Result<[LiveGrant], GrantListingFailure> {
        guard let auditor = redis.auditor?.value else {
            return .failure(
                GrantListingFailure(
                    reason: "no auditor to list it as: name one (redis: { auditor: relay-auditor }), build and setup"))
        }
        let settings = RedisSettings.settings(
            url: redis.url(as: auditor, role: .reader), passwordFile: redis.passwordFile(of: auditor),
            prefix: redis.prefix, timeoutMilliseconds: 10_000)
        switch settings {
        case .failure(let error): return .failure(GrantListingFailure(reason: "\(error)"))
        case .success(let settings): return RedisGrants.live(settings, now: now, window: window)
        }
    }

    static func render(_ listed: [(window: RelayWindow, grants: [LiveGrant])], now: Int, format: Format) -> String {
        switch format {
        case .text: text(listed, now: now)
        case .json: json(listed, now: now).rendered
        case .prometheus: prometheus(listed, now: now)
        }
    }

    /// One line per window, then one per grant.
    static func text(_ listed: [(window: RelayWindow, grants: [LiveGrant])], now: Int) -> String {
        var out = ""
        for (window, grants) in listed {
            let length = window.length.value
            out += "window \(window.name.value) (\(window.store.value), \(length)): \(grants.count) live\n"
            for grant in grants {
                let ends = grant.granted + length.seconds
                let login = grant.records.map { "\($0.nameText)=\(printable($0.value))" }.joined(separator: " ")
                out += "  \(grant.address)  granted \(WindowStores.timestamp(grant.granted))"
                out += "  ends \(WindowStores.timestamp(ends)) (in \(max(0, ends - now))s)"
                out += login.isEmpty ? "\n" : "  \(login)\n"
            }
        }
        return out
    }

    static func json(_ listed: [(window: RelayWindow, grants: [LiveGrant])], now: Int) -> JSONValue {
        .array(
            listed.flatMap { window, grants in
                grants.map { grant in
                    .object([
                        ("window", .string(window.name.value)), ("address", .string(grant.address.canonical)),
                        ("granted", .int(grant.granted)), ("ends", .int(grant.granted + window.length.value.seconds)),
                        (
                            "login",
                            .object(grant.records.map { ($0.nameText, .string(printable($0.value))) })
                        ),
                    ])
                }
            })
    }

    /// node_exporter's text format: the count and the oldest age, labelled by window.
    static func prometheus(_ listed: [(window: RelayWindow, grants: [LiveGrant])], now: Int) -> String {
        var out = "# HELP relaychain_live_grants Relay grants relay-ctrl-check honours now.\n"
        out += "# TYPE relaychain_live_grants gauge\n"
        for (window, grants) in listed {
            out += "relaychain_live_grants{window=\"\(window.name.value)\"} \(grants.count)\n"
        }
        out += "# HELP relaychain_oldest_grant_age_seconds Age of the oldest live grant (0 when none).\n"
        out += "# TYPE relaychain_oldest_grant_age_seconds gauge\n"
        for (window, grants) in listed {
            let oldest = grants.map(\.granted).min().map { max(0, now - $0) } ?? 0
            out += "relaychain_oldest_grant_age_seconds{window=\"\(window.name.value)\"} \(oldest)\n"
        }
        return out
    }
}
