import Foundation
import RelaychainCore

/// What doctor checks of each grant store on the host: its owner and mode, the directories
/// above it, and who may pass its private parent.
extension HostDoctor {
    mutating func checkStores() {
        for store in deployment.stores {
            let what =
                "store \(store.path) is owned by \(store.owner), \(store.group.name), "
                + "mode \(String(store.mode, radix: 8))"
            checkAncestors(of: store.path)
            guard let found = owner(store.path) else {
                add("store:\(store.path)", what, false, "missing", fix: setupFix)
                continue
            }
            let holds =
                ids(store.owner)?.uid == found.uid && gid(store.group) == found.gid
                && found.mode & S_IFMT == S_IFDIR && found.mode & 0o7777 == store.mode
            add(
                "store:\(store.path)", what, holds,
                "found uid \(found.uid), gid \(found.gid), mode \(String(found.mode & 0o7777, radix: 8))",
                fix: setupFix)
            guard let parent = store.parent else { continue }
            let passes = parent.passedBy.map { "\($0.name) may pass" } ?? "no one else may enter"
            let item = "store parent \(parent.path) is root's and \(passes) (mode \(String(parent.mode, radix: 8)))"
            guard let above = owner(parent.path) else {
                add("store-parent:\(parent.path)", item, false, "missing", fix: setupFix)
                continue
            }
            if let group = parent.passedBy { checkPassingGroup(group) }
            let passing: gid_t? = parent.passedBy.map { gid($0) } ?? 0
            add(
                "store-parent:\(parent.path)", item,
                above.uid == 0 && above.gid == passing && above.mode & 0o7777 == parent.mode,
                "found uid \(above.uid), gid \(above.gid), mode \(String(above.mode & 0o7777, radix: 8))",
                fix: setupFix)
        }
    }

    /// Every directory above the store: root's, and nobody else may change it (a sticky one such
    /// as /tmp only where the next one down is root's), as setup checks before it acts.
    mutating func checkAncestors(of path: String) {
        var ancestor = path
        var problems: [String] = []
        while let slash = ancestor.lastIndex(of: "/"), slash != ancestor.startIndex {
            ancestor = String(ancestor[..<slash])
            guard let found = owner(ancestor) else { continue }
            let sticky = found.mode & 0o1000 != 0
            if found.mode & S_IFMT == S_IFLNK {
                // A link of root's is followed, as setup does; where it leads is the kernel's to resolve.
                if found.uid != 0 { problems.append("\(ancestor) is a link of uid \(found.uid)") }
            } else if found.uid != 0 {
                problems.append("\(ancestor) belongs to uid \(found.uid)")
            } else if found.mode & 0o022 != 0, !sticky {
                problems.append("\(ancestor) can be changed by others (mode \(String(found.mode & 0o7777, radix: 8)))")
            }
        }
        add(
            "store-ancestors:\(path)", "every directory above \(path) is root's and no one else can change it",
            problems.isEmpty, problems.joined(separator: "; "),
            fix: .advice("move the store under directories only root can write, then run build and setup"))
    }

    /// The group's number on this host, nil when it has none.
    func gid(_ group: Deployment.AccessGroup) -> gid_t? {
        switch group {
        case .primaryOf(let account): ids(account)?.gid
        case .named(let name): getgrnam(name)?.pointee.gr_gid
        }
    }

    /// The group that passes the store's parent holds no one but its own: the one post-login
    /// account for its primary group, nobody at all for a group the window names.
    mutating func checkPassingGroup(_ group: Deployment.AccessGroup) {
        let account: String?
        let gid: gid_t
        switch group {
        case .primaryOf(let name):
            guard let user = getpwnam(name) else { return }
            account = name
            gid = user.pointee.pw_gid
        case .named(let name):
            guard let found = getgrnam(name) else {
                add(
                    "group:\(name)", "group \(name) exists", false, "no such group",
                    fix: .run("groupadd --system \(name)", "make it with no account in it, then run setup"))
                return
            }
            account = nil
            gid = found.pointee.gr_gid
        }
        var others: [String] = []
        if let group = getgrgid(gid), var member = group.pointee.gr_mem {
            while let name = member.pointee {
                let text = String(cString: name)
                if text != account { others.append(text) }
                member += 1
            }
        }
        setpwent()
        while let entry = getpwent() {
            let name = String(cString: entry.pointee.pw_name)
            if entry.pointee.pw_gid == gid, name != account, !others.contains(name) { others.append(name) }
        }
        endpwent()
        let what =
            account.map { "\($0)'s group (gid \(gid)) holds \($0) alone" }
            ?? "\(group.name) (gid \(gid)) holds no account"
        add(
            "passing-group:\(gid)", what + ": no other account passes the store's parent", others.isEmpty,
            "also " + others.joined(separator: ", "),
            fix: .advice(
                account.map { "give \($0) a group of its own (or take the others out of it)" }
                    ?? "take every account out of it: only the post-login scripts run with it"))
    }
}
