#if hasFeature(Embedded)
    import RelayCtrlCoreEmbedded
#else
    import RelayCtrlCore
#endif

/// How recently the server a check reads has heard from its primary, from `INFO replication`. A
/// replica keeps answering while the sentinels replace a primary that died (its grants are the
/// ones made before), and stops being believed once it has been on its own longer than the bound:
/// a replica cut off from the cluster cannot have seen the logins since, nor the revocations.
public struct ReplicaFreshness: Equatable, Sendable {
    public enum Role: Equatable, Sendable {
        case primary
        case replica
        case unknown
    }

    public var role: Role = .unknown
    public var linkUp = false
    /// master_last_io_seconds_ago: seconds since the primary last spoke, while the link is up.
    public var lastHeard: Int?
    /// master_link_down_since_seconds: seconds since the link went down; -1 (or absent) when it
    /// has never been up since the replica started.
    public var downFor: Int?
    public var syncing = false

    /// The fields of INFO's `name:value` lines that say it; every other line is passed over.
    public init(info: [UInt8]) {
        for line in info.split(separator: UInt8(ascii: "\n")) {
            var text = line
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = text[..<colon]
            let value = text[(colon + 1)...]
            if name.elementsEqual("role".utf8) {
                role =
                    value.elementsEqual("master".utf8)
                    ? .primary : value.elementsEqual("slave".utf8) ? .replica : .unknown
            } else if name.elementsEqual("master_link_status".utf8) {
                linkUp = value.elementsEqual("up".utf8)
            } else if name.elementsEqual("master_last_io_seconds_ago".utf8) {
                lastHeard = RedisReply.integer(value)
            } else if name.elementsEqual("master_link_down_since_seconds".utf8) {
                downFor = RedisReply.integer(value)
            } else if name.elementsEqual("master_sync_in_progress".utf8) {
                syncing = value.elementsEqual("1".utf8)
            }
        }
    }

    /// nil when the server's answers may be believed with this bound (seconds); otherwise why not.
    public func problem(bound: Int) -> String? {
        switch role {
        case .primary: return nil
        case .unknown: return "INFO replication says no role"
        case .replica:
            if syncing { return "this replica is still loading its primary's data" }
            if linkUp {
                guard let lastHeard, lastHeard >= 0 else { return "this replica has not heard from its primary" }
                return lastHeard <= bound
                    ? nil : "this replica last heard from its primary \(lastHeard) s ago (more than \(bound) s)"
            }
            guard let downFor, downFor >= 0 else { return "this replica has not reached its primary since it started" }
            return downFor <= bound
                ? nil : "this replica lost its primary \(downFor) s ago (more than \(bound) s)"
        }
    }

}
