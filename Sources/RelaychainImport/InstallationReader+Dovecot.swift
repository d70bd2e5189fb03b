import RelaychainCore

/// dovecot.conf lines (mail_executable, a post-login service) and the post-login script.
extension InstallationReader {
    // MARK: Dovecot

    mutating func readDovecot1(_ file: InstallationFile) {
        var version = "1.1"
        if let range = file.text.range(of: #"# Dovecot (1\.[0-9.]+):"#, options: .regularExpression) {
            version = String(file.text[range].dropFirst(10).dropLast())
        }
        var protocols: [String] = []
        var store: String?
        var current: String?
        for (number, raw) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("protocol "), let name = line.split(separator: " ").dropFirst().first {
                current = String(name)
            }
            guard line.hasPrefix("mail_executable") else { continue }
            let value = line.dropFirst(15).trimmingPrefix(while: { $0 == " " || $0 == "=" || $0 == ":" })
            let words = value.split(separator: " ").map(String.init)
            guard let last = words.last else { continue }
            // [env [-] VAR=value...] [envdir DIR] relay-ctrl-allow... imap
            var index = 0
            var assignments: [(String, String)] = []
            while index < words.count - 1 {
                let word = words[index]
                index += 1
                if let setting = Self.assignment(word) {
                    assignments.append(setting)
                } else if Self.basename(word) == "env" {
                    facts.env = facts.env ?? word
                } else if Self.basename(word) == "envdir", index < words.count - 1 {
                    assignments += envdirSettings(words[index], file: file, line: number + 1)
                    index += 1
                } else if word != "-" {
                    facts.note(program: word)
                }
            }
            store = facts.readWindow(assignments, smtpSide: false).store ?? store
            facts.dovecotLibexec = Self.dirname(last)
            let mailProtocol = current ?? Self.basename(last)
            if !protocols.contains(mailProtocol) { protocols.append(mailProtocol) }
        }
        if !file.text.contains("# Dovecot 1.") {
            facts.assumptions.append(
                "\(file.path):1: Dovecot version: not in the file; 1.1 assumed (mail_executable means 1.0-1.2, "
                    + "for which builds write the same lines)")
        }
        let name = Self.serviceName(fromFragment: file.path) ?? protocols.first ?? "imap"
        facts.add(
            .init(name: name, role: .dovecot(.init(version: version, protocols: protocols, store: store))))
    }

    static func serviceName(fromFragment path: String) -> String? {
        let base = basename(path)
        guard base.hasPrefix("relaychain-"), base.hasSuffix(".conf") else { return nil }
        return String(base.dropFirst(11).dropLast(5))
    }

    mutating func readDovecot2(_ file: InstallationFile) {
        var version = file.text.contains("$SET:") ? "2.4" : "2.3"
        if let range = file.text.range(of: #"# Dovecot (2\.[0-9.]+):"#, options: .regularExpression) {
            version = String(file.text[range].dropFirst(10).dropLast())
        } else if version == "2.3" {
            facts.assumptions.append(
                "\(file.path):1: Dovecot version: not in the file; 2.3 assumed (2.4's files use $SET:), "
                    + "say version: in the spec if it is another")
        }
        var protocols: [String] = []
        var script: String?
        var user: String?
        var group: String?
        var block: String?
        for raw in file.text.split(separator: "\n") {
            let line = raw.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if line.hasPrefix("service "), let name = line.split(separator: " ").dropFirst().first {
                block = String(name)
            }
            if line.hasPrefix("executable = "), let block {
                let words = line.dropFirst(13).split(separator: " ").map(String.init)
                if ["imap", "pop3"].contains(block), words.count == 2 { protocols.append(block) }
                if words.first == "script-login", words.count >= 2 { script = words.last }
            }
            if line.hasPrefix("user = ") {
                let value = String(line.dropFirst(7))
                user = value.hasSuffix("default_internal_user") ? nil : value
            }
            if line.hasPrefix("group = ") { group = String(line.dropFirst(8)) }
        }
        guard let script else {
            leaveOut(file, 1, "service", "a post-login service without a script relaychain can read")
            return
        }
        facts.libexec = Self.dirname(script)
        var name = Self.basename(script)
        if name.hasSuffix("-postlogin") { name.removeLast(10) }
        if let index = facts.services.firstIndex(where: { $0.name == name }),
            case .dovecot(var known) = facts.services[index].role
        {
            known.version = version
            known.protocols = protocols
            known.postLoginUser = user
            known.group = group
            facts.services[index].role = .dovecot(known)
        } else {
            facts.add(
                .init(
                    name: name,
                    role: .dovecot(.init(version: version, protocols: protocols, postLoginUser: user, group: group))))
        }
    }

    mutating func readPostLogin(_ file: InstallationFile) {
        var name = Self.basename(file.path)
        if name.hasSuffix("-postlogin") { name.removeLast(10) }
        // Only the grant and `exec "$@"` come back through the spec: any other line is left out.
        let builtLines: Set<String> = ["exec \"$@\"", "if [ -n \"${IP-}\" ]; then", "fi"]
        for (number, line) in Self.logicalLines(file.text) where !line.contains("relay-ctrl-allow") {
            let trimmed = line.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") || builtLines.contains(String(trimmed)) { continue }
            leaveOut(
                file, number, String(trimmed),
                "a line of the post-login script that the spec cannot say (builds write the grant and exec \"$@\")")
        }
        for (number, line) in Self.logicalLines(file.text) where line.contains("relay-ctrl-allow") {
            guard let words = ShellWords.split(Substring(line.trimmingPrefix(while: { $0 == " " }))) else {
                leaveOut(file, number, line, "a line of the post-login script that relaychain cannot read")
                continue
            }
            let known: Set<String> = ["relay-ctrl-allow", "relay-ctrl-chdir", "env", "true", "-"]
            for word in words where Self.assignment(word) == nil && !known.contains(Self.basename(word)) {
                leaveOut(file, number, word, "a word of the grant's line that the spec cannot say")
            }
            let assignments = words.compactMap(Self.assignment).filter { $0.0 != "TCPREMOTEIP" }
            let store = facts.readWindow(assignments, smtpSide: false).store
            for word in words where word.hasPrefix("/") { facts.note(program: word) }
            if let index = facts.services.firstIndex(where: { $0.name == name }),
                case .dovecot(var known) = facts.services[index].role
            {
                known.store = store
                facts.services[index].role = .dovecot(known)
            } else {
                facts.add(
                    .init(name: name, role: .dovecot(.init(version: "2.3", protocols: [], store: store))))
            }
        }
    }
}
