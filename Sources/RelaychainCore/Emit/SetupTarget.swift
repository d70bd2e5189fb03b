/// The `setup` script beside the output: POSIX sh that makes a host match a `Deployment`. It is
/// idempotent (each step looks before it acts, and a second run prints "nothing to do"), prints
/// every action, and never deletes anything.
struct SetupTarget {
    let header: String

    static let path = "setup"

    /// The shell words that give a group's number on the host.
    static func gid(_ group: Deployment.AccessGroup) -> String {
        switch group {
        case .primaryOf(let account): "\"$(id -g \(ShellQuoting.word(account)))\""
        case .named(let group): "\"$(getent group \(ShellQuoting.word(group)) | cut -d: -f3)\""
        }
    }

    func file(_ deployment: Deployment) -> OutputFile {
        var text = "#!/bin/sh\n\(header)\n"
        text += Self.preamble + SetupPathGuard.functions + SetupManifest.functions + "trust_output\n"
        if !deployment.users.isEmpty {
            text += "\n# Accounts the emitted files run programs as. setup never creates accounts.\n"
            for user in deployment.users { text += "need_user \(ShellQuoting.word(user))\n" }
        }
        for store in deployment.stores {
            let writers = store.writers.map { writer -> String in
                switch writer {
                case .root: "root"
                case .account(let name): name
                case .anyMailUser: "any mail user"
                }
            }
            text += "\n# Store of window '\(store.window)': written by \(writers.joined(separator: ", ")), "
            text += "read and cleaned by \(deployment.smtpUser).\n"
            if let parent = store.parent {
                text += "# \(parent.path) is root's, and only "
                text += parent.passedBy.map { "\($0.name) may pass" } ?? "root may enter"
                text += ": the other chains get the store from relay-ctrl-chdir.\n"
            } else {
                text += "# Its parent is not made private (shared, or several accounts open the store by name "
                text += "and the window names no group).\n"
            }
            let groups = [store.group] + (store.parent?.passedBy.map { [$0] } ?? [])
            var named: [String] = []
            for case .named(let group) in groups where !named.contains(group) { named.append(group) }
            for group in named {
                let word = ShellQuoting.word(group)
                text += "if ! getent group \(word) >/dev/null; then\n"
                text += "  problem \"no group '\(group)'; create it (groupadd --system \(group)) and put no account "
                text += "in it: only the post-login scripts run with it\"\nfi\n"
            }
            var accounts = [store.owner]
            for case .primaryOf(let account) in groups where !accounts.contains(account) { accounts.append(account) }
            let conditions =
                accounts.map { "has_user \(ShellQuoting.word($0))" }
                + named.map { "getent group \(ShellQuoting.word($0)) >/dev/null" }
            text += "if \(conditions.joined(separator: " && ")); then\n"
            // A store is an absolute path (the loader checks), so it has a slash.
            if let parent = store.parent, let slash = store.path.lastIndex(of: "/") {
                let name = String(store.path[store.path.index(after: slash)...])
                let gid = parent.passedBy.map(Self.gid) ?? "0"
                text += "  private_parent \(ShellQuoting.word(parent.path)) \(ShellQuoting.word(name)) 0 \(gid) "
                text += "\(String(parent.mode, radix: 8)) \(parent.modeString)\n"
            }
            text += "  directory \(ShellQuoting.word(store.path)) \"$(id -u \(ShellQuoting.word(store.owner)))\" "
            text += "\(Self.gid(store.group)) \(String(store.mode, radix: 8)) \(store.modeString)\n"
            text += "fi\n"
        }
        for file in deployment.passwordFiles {
            let account = ShellQuoting.word(file.account)
            text +=
                "\n# Redis password for \(file.account): its file alone, readable by no group and no other account.\n"
            text += "if has_user \(account); then\n"
            text += "  password_file \(ShellQuoting.word(file.path)) \"$(id -u \(account))\"\n"
            text += "fi\n"
        }
        if !deployment.spipedKeys.isEmpty {
            text += Self.keyFileFunction
            for key in deployment.spipedKeys { text += "key_file \(ShellQuoting.word(key))\n" }
        }
        if !deployment.redisUsers.isEmpty {
            text += SetupRedisUsers.functions
            for users in deployment.redisUsers {
                text += SetupRedisUsers.lines(users, managed: deployment.passwordFiles.map(\.path))
            }
        }
        for service in deployment.services {
            let log = ShellQuoting.word(deployment.logUser)
            text += "\n# Service '\(service.name)' (\(service.supervisor.rawValue)).\n"
            text += "if has_user \(log); then\n"
            text += "  local_directory \(ShellQuoting.word(service.directory + "/log/main")) "
            text += "\"$(id -u \(log))\" \"$(id -g \(log))\" 750 drwxr-x---\n"
            text += "fi\n"
            if service.compilesRules {
                text += "compile_rules \"$here\"/\(ShellQuoting.word(service.directory))"
                text += service.rulesCDB.map { " \(ShellQuoting.word($0))" } ?? ""
                text += "\n"
            }
        }
        for install in deployment.installs {
            text +=
                "\ninstall_file \(ShellQuoting.word(install.source.path)) \(ShellQuoting.word(install.destination)) "
            text += "\(String(install.mode, radix: 8)) \(Deployment.Store.lsMode(install.mode, directory: false))"
            text += install.then.map { " \(ShellQuoting.word($0))" } ?? ""
            text += install.thenWhenReplaced.map { " \(ShellQuoting.word($0))" } ?? ""
            text += "\n"
        }
        for rules in deployment.systemRules {
            text += "compile_rules \"$root\"\(ShellQuoting.word(rules.directory))"
            text += rules.cdb.map { " \(ShellQuoting.word($0))" } ?? ""
            text += "\n"
        }
        if !deployment.services.isEmpty {
            text += "\n# Last, so that each service starts with its logs, rules and store in place.\n"
            for service in deployment.services {
                text += "link_service \(ShellQuoting.word(service.directory)) \(ShellQuoting.word(service.link)) "
                text += "\(service.supervisor.rawValue) \(ShellQuoting.word(service.control)) "
                text += "\(ShellQuoting.word(service.check))\n"
            }
        }
        for step in deployment.manualSteps {
            text += "by_hand \(ShellQuoting.word(step))\n"
        }
        text += "\nfinish\n"
        return OutputFile(
            .setup, contents: text.replacing("@TCPRULES@", with: ShellQuoting.word(deployment.tcprules)),
            executable: true)
    }

    /// Only where spiped runs: its key must exist (setup never writes a secret) and be root's alone.
    static let keyFileFunction = #"""

        # key_file PATH: spiped's shared key, the same file on every host of the window; owner 0, mode 600.
        key_file() {
          target=$root$1
          guarded "$target" 0 || return 0
          secret_directory "$target"
          if [ ! -f "$target" ]; then
            problem "no $target: make it once (dd if=/dev/urandom bs=32 count=1 of=$target) \#
        and copy that file to every host of the window"
          elif [ "$(state "$target")" != "-rw------- 0 0" ]; then
            act "give $target owner 0, group 0, mode 600" set_owner_mode "$target" 0 0 600
          fi
        }

        """#
}
