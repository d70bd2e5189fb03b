/// The store directories of a host's windows: who writes each, and the owner, group and mode
/// setup gives it (doctor checks the same).
extension Deployment {
    /// Who writes grants into a store: the account each login side runs relay-ctrl-allow as.
    public enum Writer: Sendable, Equatable, Hashable {
        /// Dovecot 1.x runs mail_executable as root.
        case root
        /// Dovecot 2's post-login script user.
        case account(String)
        /// qmail-pop3d: whichever mail user checkpassword logged in.
        case anyMailUser
    }

    /// A group as setup and doctor find it.
    public enum AccessGroup: Sendable, Equatable {
        /// An account's primary group.
        case primaryOf(String)
        /// The group a window names: no account is in it, only the chains started with it.
        case named(String)

        public var name: String {
            switch self {
            case .primaryOf(let account): "\(account)'s group"
            case .named(let group): "group \(group)"
            }
        }
    }

    /// A store directory and the access setup gives it.
    ///
    /// The SMTP user (qmaild) must read grants and remove expired ones, so it needs write access to
    /// the directory. When one account writes, it owns the directory, the SMTP user's group shares
    /// it, and the mode is 2770 (setgid: grants keep that group; nobody else may look in). When any
    /// mail user writes (qmail-pop3d), the SMTP user owns it and the mode is 1733: the chains of
    /// every mail user may create a grant but not list the directory. Who may reach it at all is
    /// its private parent's to say (StoreParent.swift).
    public struct Store: Sendable, Equatable {
        public var path: String
        public var window: String
        public var writers: [Writer]
        /// An account name; its uid owns the directory (root when only root writes).
        public var owner: String
        /// The directory's group.
        public var group: AccessGroup
        public var mode: UInt32
        /// The private directory above it; nil where the writers leave none possible.
        public var parent: Parent?

        /// `ls -l`'s first ten characters for the mode.
        public var modeString: String { Self.lsMode(mode, directory: true) }

        static func lsMode(_ mode: UInt32, directory: Bool) -> String {
            var text = directory ? "d" : "-"
            let special: [(set: UInt32, exec: Character, noExec: Character)] = [
                (0o4000, "s", "S"), (0o2000, "s", "S"), (0o1000, "t", "T"),
            ]
            for (index, shift) in [6, 3, 0].enumerated() {
                let bits = (mode >> UInt32(shift)) & 7
                text += bits & 4 != 0 ? "r" : "-"
                text += bits & 2 != 0 ? "w" : "-"
                let executable = bits & 1 != 0
                if mode & special[index].set != 0 {
                    text.append(executable ? special[index].exec : special[index].noExec)
                } else {
                    text += executable ? "x" : "-"
                }
            }
            return text
        }
    }

    /// Writers of one window, in service order, each once.
    static func writers(of window: RelayWindow, in spec: Spec) -> [Writer] {
        var writers: [Writer] = []
        for service in spec.services where service.grants?.value == window.name.value {
            let writer: Writer
            switch service.role {
            case .dovecot(let login):
                writer =
                    login.version.value.mechanism == .mailExecutable
                    ? .root : .account(login.postLoginUser?.value ?? spec.platform.users.dovecot)
            case .qmailPOP3D: writer = .anyMailUser
            case .qmailSMTPD: continue
            }
            if !writers.contains(writer) { writers.append(writer) }
        }
        return writers
    }

    static func store(_ window: RelayWindow, in spec: Spec) -> Store {
        let writers = writers(of: window, in: spec)
        let smtp = spec.platform.users.smtp
        let accounts = writers.compactMap { writer -> String? in
            if case .account(let name) = writer { return name }
            return nil
        }
        let group = window.group?.value
        let parent = Store.parent(of: window.store.value, writers: writers, group: group)
        if writers.contains(.anyMailUser) || (accounts.count > 1 && group == nil) {
            return Store(
                path: window.store.value, window: window.name.value, writers: writers, owner: smtp,
                group: .primaryOf(smtp), mode: 0o1733, parent: parent)
        }
        if let group, !accounts.isEmpty {
            // The SMTP user owns it (it reads and removes grants); the writers pass as the group.
            return Store(
                path: window.store.value, window: window.name.value, writers: writers, owner: smtp,
                group: .named(group), mode: 0o2770, parent: parent)
        }
        return Store(
            path: window.store.value, window: window.name.value, writers: writers, owner: accounts.first ?? "root",
            group: .primaryOf(smtp), mode: 0o2770, parent: parent)
    }
}
