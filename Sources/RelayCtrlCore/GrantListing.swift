import CRelayLibc

/// A grant that relays now: its address, when the login was (the file's mtime) and the records
/// relay-ctrl-allow carried (USER, DOMAIN...).
public struct LiveGrant: Equatable, Sendable {
    public var address: ClientAddress
    public var granted: Int
    public var records: [GrantRecord]

    public init(address: ClientAddress, granted: Int, records: [GrantRecord]) {
        self.address = address
        self.granted = granted
        self.records = records
    }
}

/// Why a store could not be listed.
public struct GrantListingFailure: Error, Sendable {
    public let reason: String

    public init(reason: String) { self.reason = reason }
}

extension GrantStore {
    /// Every grant that relay-ctrl-check would honour at `now` for a window of `window` seconds,
    /// by address. What check would not honour is left out: an entry not named by a canonical
    /// address, one that is no regular file, one dated outside the window or in the future.
    public func live(now: Int, window: Int) -> Result<[LiveGrant], GrantListingFailure> {
        guard let stream = fdopendir(dup(directory.descriptor)) else {
            return .failure(GrantListingFailure(reason: "could not read the store: \(Log.systemError())"))
        }
        defer { closedir(stream) }
        var grants: [LiveGrant] = []
        while let entry = readdir(stream) {
            let name = String(cString: relay_entry_name(entry))
            guard let address = ClientAddress(name), address.canonical == name else { continue }
            var status = stat()
            guard fstatat(directory.descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            guard case .fresh(let body) = lookup(address, now: now, window: window) else { continue }
            grants.append(LiveGrant(address: address, granted: Int(status.st_mtim.tv_sec), records: body.records))
        }
        return .success(grants.sorted { ($0.granted, $0.address.canonical) < ($1.granted, $1.address.canonical) })
    }

    /// Ends the grant of `address` now, whatever its age. nil when there was none.
    public func revoke(_ address: ClientAddress) -> Removal? {
        var status = stat()
        guard fstatat(directory.descriptor, address.canonical, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            return errno == ENOENT ? nil : .failed(reason: Log.systemError())
        }
        // Anything under the address's name goes: a link or a FIFO there is no grant either.
        return removeStale(address.canonical, nil)
    }
}
