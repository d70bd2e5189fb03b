extension ChainAnalyzer {
    /// Directories that others than root may write on the systems relaychain knows, with who.
    /// A store anywhere below one can be taken over before setup makes it (RC409); setup and
    /// doctor check every ancestor on the live host as well.
    static let sharedDirectories: [(path: String, writers: String)] = [
        ("/tmp", "every local user"), ("/var/tmp", "every local user"), ("/dev/shm", "every local user"),
        ("/run/shm", "every local user"), ("/run/lock", "every local user"), ("/var/lock", "every local user"),
        ("/var/run/lock", "every local user"), ("/var/mail", "the mail group"),
        ("/var/spool/mail", "the mail group"),
    ]

    /// The nearest directory above `path` that others may write, if any.
    static func sharedAncestor(of path: String) -> (path: String, writers: String)? {
        var ancestor = path
        while let slash = ancestor.lastIndex(of: "/"), slash != ancestor.startIndex {
            ancestor = String(ancestor[..<slash])
            if let shared = sharedDirectories.first(where: { $0.path == ancestor }) { return shared }
        }
        return nil
    }
}
