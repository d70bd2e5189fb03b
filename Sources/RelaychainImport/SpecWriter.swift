import RelaychainCore

/// Writes `InstallationFacts` as spec text for one platform choice (a profile, or none, and a
/// prefix): every program path that choice does not place becomes a `paths` entry.
struct SpecWriter {
    let facts: InstallationFacts
    let bypasses: [String: [(String, String)]]
    let profile: PlatformProfile?
    let prefix: String

    /// How many single entries this choice has to override; fewer is a better guess. A profile
    /// whose cron.d would add a user field the crontab line does not have cannot be right.
    var overrides: Int {
        let conflict = facts.sawCron && !facts.cronWithUser && profile?.cronD != nil
        return platformLines().count + (conflict ? 1000 : 0)
    }

    /// A mapping key taken from a file, at `indent`, with its colon. YAML allows a plain key of
    /// 1,024 characters at most; a longer one (a hostile file's name) is written as an explicit
    /// key (`? "..."` then `:`), so the spec stays readable and the loader names what is wrong.
    static func blockKey(_ text: String, indent: String) -> String {
        let key = quoted(text)
        return key.count > 1000 ? "\(indent)? \(key)\n\(indent):" : "\(indent)\(key):"
    }

    /// The same inside `{ }`.
    static func flowKey(_ text: String) -> String {
        let key = quoted(text)
        return key.count > 1000 ? "? \(key) :" : "\(key):"
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
                }
            }
        }
        return out + "\""
    }

    /// YAML's printable characters (tab, newline and CR aside): anything else must be escaped,
    /// in quotes, or dropped from a comment.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// Text for a comment line: what YAML would not take there is shown as `?`.
    static func commentText(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isPrintable($0) || $0 == "\t" ? $0 : "?" }))
    }

    /// A flow mapping, every key and value quoted.
    /// A name given twice keeps its last value, as a later assignment wins in the shell.
    static func map(_ pairs: [(String, String)]) -> String {
        var unique: [(String, String)] = []
        for pair in pairs {
            if let index = unique.firstIndex(where: { $0.0 == pair.0 }) {
                unique[index].1 = pair.1
            } else {
                unique.append(pair)
            }
        }
        return "{ " + unique.map { "\(flowKey($0.0)) \(quoted($0.1))" }.joined(separator: ", ") + " }"
    }

    static func list(_ words: [String]) -> String { "[" + words.map(quoted).joined(separator: ", ") + "]" }

    /// The platform entries beyond `profile` and `prefix`.
    private func platformLines() -> [String] {
        var platform = Platform(
            profile: profile.map { Located($0, at: nil) }, prefix: Located(prefix, at: nil),
            env: .byDefault(Platform.defaultEnv),
            dovecotLibexec: .byDefault(profile?.dovecotLibexec ?? "\(prefix)/libexec/dovecot"),
            libexec: .byDefault("\(prefix)/libexec/relaychain"), paths: [:])
        var lines: [String] = []
        if let env = facts.env, env != platform.env.value { lines.append("env: \(Self.quoted(env))") }
        if let libexec = facts.dovecotLibexec, libexec != platform.dovecotLibexec.value {
            lines.append("dovecot-libexec: \(Self.quoted(libexec))")
        }
        if let libexec = facts.libexec, libexec != platform.libexec.value {
            lines.append("libexec: \(Self.quoted(libexec))")
        }
        let supervisor =
            facts.services.compactMap { service -> Supervisor? in
                switch service.role {
                case .smtpd(let smtpd): smtpd.runBy
                case .pop3d(let pop3d): pop3d.runBy
                case .dovecot: nil
                }
            }.first ?? .daemontools
        if let directory = facts.serviceDirectory, directory != platform.serviceDirectory(supervisor) {
            lines.append("service-dir: \(Self.quoted(directory))")
        }
        if let user = facts.smtpUser, user != platform.users.smtp {
            lines.append("smtp-user: \(Self.quoted(user))")
            platform.users.smtp = user
        }
        if let confD = facts.dovecotConfD, confD != platform.dovecotConfD {
            lines.append("dovecot-conf-d: \(Self.quoted(confD))")
        }
        if facts.cronWithUser, platform.cronD == nil || (facts.cronD != nil && facts.cronD != platform.cronD) {
            lines.append("cron-d: \(Self.quoted(facts.cronD ?? "/etc/cron.d"))")
            platform.cronDOverride = Located(facts.cronD ?? "/etc/cron.d", at: nil)
        }
        var paths: [String] = []
        for (name, path) in facts.programs.sorted(by: { $0.key < $1.key }) where platform.path(ofNamed: name) != path {
            paths.append("\(Self.quoted(name)): \(Self.quoted(path))")
        }
        if !paths.isEmpty { lines.append("paths:\n" + paths.map { "    " + $0 }.joined(separator: "\n")) }
        return lines
    }

    func text(header: String) -> String {
        var text = header
        text += "relaychain: 1\n\nplatform:\n"
        if let profile { text += "  profile: \(profile.rawValue)\n" }
        text += "  prefix: \(Self.quoted(prefix))\n"
        for line in platformLines() { text += "  \(line)\n" }

        text += "\nwindows:\n"
        if facts.windows.isEmpty {
            text += "  # No service in the files grants or checks a window; the spec language wants one.\n"
            text += "  unused: { store: \"/var/spool/relay-ctrl/allow\" }\n"
        }
        for (index, window) in facts.windows.enumerated() {
            text += Self.blockKey(windowName(index), indent: "  ") + "\n"
            if let redis = window.redis {
                var fields = [
                    "\(redis.endpoint.key): \(Self.quoted(redis.endpoint.value))", "db: \(redis.database)",
                    "prefix: \(Self.quoted(redis.prefix))",
                ]
                let listed = facts.redisUsers[redis.prefix]
                if let writer = redis.writer ?? listed?.writer { fields.append("writer: \(Self.quoted(writer))") }
                if let reader = redis.reader ?? listed?.reader { fields.append("reader: \(Self.quoted(reader))") }
                if let auditor = listed?.auditor { fields.append("auditor: \(Self.quoted(auditor))") }
                if let directory = redis.passwordDirectory { fields.append("password-dir: \(Self.quoted(directory))") }
                if let timeout = redis.timeout { fields.append("timeout: \(timeout)") }
                text += "    redis: { \(fields.joined(separator: ", ")) }\n"
            } else {
                text += "    store: \(Self.quoted(window.store))\n"
            }
            if let expiry = window.expiry { text += "    length: \(Self.length(expiry))\n" }
            if !window.relayClient.isEmpty { text += "    relayclient: \(Self.quoted(window.relayClient))\n" }
            if window.log { text += "    log: true\n" }
            if let carry = window.carry { text += "    carry: \(Self.list(carry))\n" }
            if window.redis == nil, let group = group(of: window) { text += "    group: \(Self.quoted(group))\n" }
        }

        // Only the programs a chain runs: another program the files name (the command a
        // post-login script passes on, say) is no wrapper.
        var chained: Set<String> = []
        for case .smtpd(let smtpd) in facts.services.map(\.role) { chained.formUnion(smtpd.chain.map(\.program)) }
        let wrappers = facts.wrappers.filter { chained.contains($0.key) }
        if !wrappers.isEmpty {
            text += "\nwrappers:\n"
            for (name, path) in wrappers.sorted(by: { $0.key < $1.key }) {
                text += Self.blockKey(name, indent: "  ") + "\n    path: \(Self.quoted(path))\n"
                if let note = InstallationReader.knownWrapperNotes[name] { text += "    # \(note)\n" }
                if let settings = bypasses[name], !settings.isEmpty {
                    text += "    bypass: { env: \(Self.map(settings)) }\n"
                } else {
                    text += "    # bypass: not in the files; none assumed "
                    text += "(the analysis treats it as refusing roaming users)\n"
                    text += "    bypass: none\n"
                }
            }
        }

        text += "\nservices:\n"
        for service in facts.services.sorted(by: { $0.name < $1.name }) {
            text += Self.blockKey(service.name, indent: "  ") + "\n"
            switch service.role {
            case .dovecot(let dovecot):
                text += "    server: dovecot\n    version: \(Self.quoted(dovecot.version))\n"
                text += "    protocols: \(Self.list(dovecot.protocols))\n"
                if let store = dovecot.store { text += "    grants: \(Self.quoted(windowName(for: store)))\n" }
                if let user = dovecot.postLoginUser { text += "    post-login-user: \(Self.quoted(user))\n" }
            case .pop3d(let pop3d):
                text += "    server: qmail-pop3d\n    run-by: \(pop3d.runBy.rawValue)\n"
                if let listen = pop3d.listen { text += "    listen: \(Self.quoted(listen))\n" }
                if pop3d.port != 110 { text += "    port: \(pop3d.port)\n" }
                if let store = pop3d.store { text += "    grants: \(Self.quoted(windowName(for: store)))\n" }
                text += "    checkpassword: \(Self.quoted(pop3d.checkpassword))\n"
                if let hostname = pop3d.hostname { text += "    hostname: \(Self.quoted(hostname))\n" }
                if pop3d.maildir != "Maildir" { text += "    maildir: \(Self.quoted(pop3d.maildir))\n" }
            case .smtpd(let smtpd):
                text += smtpdText(smtpd)
            }
        }
        return text
    }

    private func smtpdText(_ smtpd: InstallationFacts.SMTPD) -> String {
        var text = "    server: qmail-smtpd\n    run-by: \(smtpd.runBy.rawValue)\n"
        if let listen = smtpd.listen { text += "    listen: \(Self.quoted(listen))\n" }
        if smtpd.port != 25 { text += "    port: \(smtpd.port)\n" }
        if let store = smtpd.store {
            text += "    checks: \(Self.quoted(windowName(for: store)))\n"
        } else if smtpd.checks, facts.windows.count == 1 {
            text += "    # relay-ctrl-check runs without RELAY_CTRL_DIR here; the only window is assumed\n"
            text += "    checks: \(Self.quoted(windowName(0)))\n"
        }
        if !smtpd.relayNetworks.isEmpty { text += "    relay-networks: \(Self.list(smtpd.relayNetworks))\n" }
        if !smtpd.environment.isEmpty {
            text += "    environment: \(Self.map(smtpd.environment))\n"
        }
        if !smtpd.relayClientEnvironment.isEmpty {
            text += "    relay-client-env: \(Self.map(smtpd.relayClientEnvironment))\n"
        }
        if !smtpd.rules.isEmpty {
            text += "    rules:\n"
            for rule in smtpd.rules {
                var fields = ["from: \(Self.quoted(rule.from))"]
                if rule.deny { fields.append("deny: true") }
                if !rule.set.isEmpty {
                    fields.append("set: \(Self.map(rule.set))")
                }
                text += "      - { \(fields.joined(separator: ", ")) }\n"
            }
        }
        if let datalimit = smtpd.datalimit { text += "    datalimit: \(datalimit)\n" }
        switch smtpd.concurrency {
        case .count(let count)?: text += "    concurrency: \(count)\n"
        case .contentsOf(let file)?: text += "    concurrency: { contents-of: \(Self.quoted(file)) }\n"
        case nil: break
        }
        switch smtpd.localName {
        case .name(let name)?: text += "    local-name: \(Self.quoted(name))\n"
        case .firstLineOf(let file)?: text += "    local-name: { first-line-of: \(Self.quoted(file)) }\n"
        // The host's name is what builds write when the spec says none.
        case .hostName?: break
        case .dnsLookup?: text += "    local-name: { dns: true }\n"
        case nil: break
        }
        if let backlog = smtpd.backlog { text += "    backlog: \(backlog)\n" }
        if let lookup = smtpd.remoteHost { text += "    remote-host: \(lookup.rawValue)\n" }
        switch smtpd.remoteInfo {
        case .lookup(let timeout?)?: text += "    remote-info: { timeout: \(timeout) }\n"
        case .lookup(nil)?: text += "    remote-info: lookup\n"
        case .skip?, nil: break
        }
        if let cdb = smtpd.rulesCDB { text += "    rules-cdb: \(Self.quoted(cdb))\n" }
        if let tls = smtpd.tls {
            let files = TLSFile.allCases.compactMap { file in
                tls.files[file].map { "\(file.rawValue): \(Self.quoted($0))" }
            }
            let keys = files + (tls.starttls ? ["starttls: true"] : [])
            text += "    tls: \(keys.isEmpty ? "{}" : "{ \(keys.joined(separator: ", ")) }")\n"
        }
        if !smtpd.smtpdArgs.isEmpty { text += "    smtpd-args: \(Self.list(smtpd.smtpdArgs))\n" }
        if !smtpd.logCommand.isEmpty { text += "    log-command: \(Self.list(smtpd.logCommand))\n" }
        if !smtpd.chain.isEmpty {
            text += "    chain:\n"
            for entry in smtpd.chain {
                text +=
                    entry.args.isEmpty
                    ? "      - { use: \(Self.quoted(entry.program)) }\n"
                    : "      - { use: \(Self.quoted(entry.program)), args: \(Self.list(entry.args)) }\n"
            }
        }
        return text
    }

    /// The window's name from the files, else relay, relay2...; never one an earlier window has.
    func windowName(_ index: Int) -> String {
        let window = facts.windows[index]
        let wanted =
            window.name ?? window.redis.flatMap { facts.redisUsers[$0.prefix]?.window }
            ?? (index == 0 ? "relay" : "relay\(index + 1)")
        let earlier = (0..<index).map(windowName)
        var name = wanted
        var suffix = 2
        while earlier.contains(name) {
            name = "\(wanted)-\(suffix)"
            suffix += 1
        }
        return name
    }

    /// The group the post-login services granting this window's store run with, if any says one.
    func group(of window: InstallationFacts.Window) -> String? {
        facts.services.lazy.compactMap { service -> String? in
            guard case .dovecot(let dovecot) = service.role, dovecot.store == window.store else { return nil }
            return dovecot.group
        }.first
    }

    func windowName(for store: String) -> String {
        windowName(facts.windows.firstIndex { $0.store == store } ?? 0)
    }

    static func length(_ seconds: Int) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
