/// Windows that keep their grants in one Redis server are apart only when their key prefixes are:
/// ACL key patterns hold for every database, and `+select` lets a user pick any, so a window's
/// writer may write every key its pattern matches in every database of that server.
enum RedisKeySpaces {
    static func analyze(_ spec: Spec, into diagnostics: inout [Diagnostic]) {
        let windows = spec.windows.compactMap { window in window.redis.map { (window, $0) } }
        for (index, (window, redis)) in windows.enumerated() {
            for (earlier, other) in windows[..<index] where sameServer(redis, other) {
                guard redis.prefix.hasPrefix(other.prefix) || other.prefix.hasPrefix(redis.prefix) else { continue }
                // The same database and prefix is one key space, shared on purpose (RC404's case).
                guard redis.prefix != other.prefix || redis.database != other.database else { continue }
                let prefixes =
                    redis.prefix == other.prefix
                    ? "the same prefix '\(redis.prefix)' (databases \(other.database) and \(redis.database))"
                    : "prefixes '\(other.prefix)' and '\(redis.prefix)', one the start of the other"
                diagnostics.append(
                    .error(
                        .redisKeySpacesOverlap,
                        "windows '\(earlier.name.value)' and '\(window.name.value)' keep grants in one Redis with "
                            + "\(prefixes): each window's writer can write the other's grants",
                        at: window.store.location,
                        notes: [
                            DiagnosticNote(
                                "Redis ACL key patterns hold in every database and +select reaches any: only "
                                    + "prefixes neither of which begins the other keep windows apart")
                        ],
                        fix: "give window '\(window.name.value)' a prefix of its own, such as "
                            + "'\(window.name.value):'"))
            }
        }
    }

    /// One redis-server: the same endpoint as seen from the same host.
    static func sameServer(_ one: RedisStore, _ other: RedisStore) -> Bool {
        one.endpoint == other.endpoint && one.host?.value == other.host?.value
    }
}
