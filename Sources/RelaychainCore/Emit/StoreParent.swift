extension Deployment.Store {
    /// The directory above a store, made private so that only the chains the spec names reach the
    /// store: relay-ctrl 3.2's own layout. The SMTP side and relay-ctrl-age get the store from
    /// relay-ctrl-chdir, run as root before privileges drop, as a descriptor; so does every
    /// writer that logs in as root first (qmail-pop3d's chain, Dovecot 1.x). A local account that
    /// never logged in cannot pass this directory, so it cannot create, rewrite, re-date or block
    /// a grant, whatever the store's own mode.
    public struct Parent: Sendable, Equatable {
        public var path: String
        /// The group that may pass through (not list, not change): Dovecot 2's post-login user's,
        /// or the window's own, since its scripts open the store by name. nil: root alone.
        public var passedBy: Deployment.AccessGroup?

        public var mode: UInt32 { passedBy == nil ? 0o700 : 0o710 }
        public var modeString: String { Deployment.Store.lsMode(mode, directory: true) }
    }

    /// Directories other programs share: a store directly inside one gets no private parent
    /// (setup never makes /var/spool private), and README says to give it a directory of its own.
    static let sharedDirectories: Set<String> = [
        "/var", "/var/spool", "/var/lib", "/var/cache", "/var/db", "/var/tmp", "/tmp", "/srv", "/run", "/var/run",
        "/etc", "/home", "/opt", "/usr", "/usr/local", "/usr/pkg", "/var/mail", "/var/spool/mail", "/dev/shm",
        "/run/lock", "/var/lock", "/var/qmail",
    ]

    /// The parent for these writers, or nil when none can be private: several accounts open the
    /// store by name and the window names no group for them, or the store sits directly in / or
    /// in a directory others share.
    static func parent(of path: String, writers: [Deployment.Writer], group: String?) -> Parent? {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        guard !directory.isEmpty, !sharedDirectories.contains(directory) else { return nil }
        let accounts = writers.compactMap { writer -> String? in
            if case .account(let name) = writer { return name }
            return nil
        }
        if accounts.isEmpty { return Parent(path: directory, passedBy: nil) }
        if let group { return Parent(path: directory, passedBy: .named(group)) }
        guard accounts.count == 1, writers.count == 1 else { return nil }
        return Parent(path: directory, passedBy: .primaryOf(accounts[0]))
    }

    /// Stores of several windows in one parent: it can be private only when they agree on who
    /// passes through.
    static func reconciled(_ stores: [Deployment.Store]) -> [Deployment.Store] {
        stores.map { store in
            var store = store
            if let parent = store.parent,
                stores.contains(where: { $0.parent?.path == parent.path && $0.parent != parent })
                    || stores.contains(where: { $0.parent == nil && $0.path.hasPrefix(parent.path + "/") })
            {
                store.parent = nil
            }
            return store
        }
    }
}
