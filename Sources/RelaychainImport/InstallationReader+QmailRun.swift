import RelaychainCore

/// pkgsrc qmail-run's rc.conf variables, read back into services and a window.
extension InstallationReader {
    // MARK: pkgsrc qmail-run

    mutating func readRCConf(_ file: InstallationFile) {
        let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var smtpd: (line: Int, values: [String: [String]])?
        var pop3d: (line: Int, values: [String: [String]])?
        var names: [String: String] = [:]
        var windowNames: [String: String] = [:]
        for line in lines {
            // relaychain's comment: "# qmail-smtpd (service 'smtp', port 25): ... window 'relay' ..."
            for kind in ["qmail-smtpd", "qmail-pop3d"] where line.hasPrefix("# \(kind) (service '") {
                let rest = line.dropFirst(kind.count + 13)
                if let end = rest.firstIndex(of: "'") { names[kind] = String(rest[..<end]) }
                if let range = line.range(of: "window '"), let end = line[range.upperBound...].firstIndex(of: "'") {
                    windowNames[kind] = String(line[range.upperBound..<end])
                }
            }
        }
        for (name, range) in RCConfMerge.assignments(in: lines) {
            let text = lines[range].joined(separator: "\n").drop { $0 == " " || $0 == "\t" }.dropFirst(name.count + 1)
            guard let value = ShellWords.split(text)?.first, let words = ShellWords.split(Substring(value)) else {
                leaveOut(file, range.lowerBound + 1, lines[range.lowerBound], "an unclosed quote")
                continue
            }
            if name.hasPrefix("qmailsmtpd_") {
                var found = smtpd ?? (line: range.lowerBound + 1, values: [:])
                found.values[String(name.dropFirst(11))] = words
                smtpd = found
            } else if name.hasPrefix("qmailpop3d_") {
                var found = pop3d ?? (line: range.lowerBound + 1, values: [:])
                found.values[String(name.dropFirst(11))] = words
                pop3d = found
            }
        }
        if let smtpd {
            readQmailRunSMTPD(
                file, smtpd.line, smtpd.values, name: names["qmail-smtpd"] ?? "smtp", window: windowNames["qmail-smtpd"]
            )
        }
        if let pop3d {
            readQmailRunPOP3D(
                file, pop3d.line, pop3d.values, name: names["qmail-pop3d"] ?? "pop3", window: windowNames["qmail-pop3d"]
            )
        }
    }

    mutating func readQmailRunSMTPD(
        _ file: InstallationFile, _ line: Int, _ values: [String: [String]], name: String, window: String?
    ) {
        var smtpd = InstallationFacts.SMTPD(runBy: .qmailRun)
        for (variable, words) in values.sorted(by: { $0.key < $1.key }) {
            switch variable {
            case "postenv":
                let (store, others) = facts.readWindow(words.compactMap(Self.assignment), smtpSide: true)
                smtpd.store = store
                smtpd.environment = others
                if let store, let window { facts.windows[facts.window(store: store)].name = window }
            case "pretcpserver":
                for word in words { facts.note(program: word) }
            case "presmtpd": readChain(words, into: &smtpd, file: file, line: line, endsWithServer: false)
            case "smtpdcmd": if let first = words.first { facts.note(program: first) }
            case "postsmtpd": smtpd.smtpdArgs = words
            case "datalimit": smtpd.datalimit = words.first.flatMap { Int($0) }
            case "logcmd": smtpd.logCommand = words
            case "tcphost": smtpd.listen = words.first
            case "tcpport": smtpd.port = words.first.flatMap { Int($0) } ?? 25
            default:
                leaveOut(
                    file, line, "qmailsmtpd_\(variable)=\"\(words.joined(separator: " "))\"",
                    "the spec cannot say this variable")
            }
        }
        if values["presmtpd"] == nil {
            leaveOut(
                file, line, "qmailsmtpd_presmtpd",
                "not set: qmail-run's default chain (greetdelay, rblsmtpd, fixsmtpio) runs")
        }
        facts.add(.init(name: name, role: .smtpd(smtpd)))
    }

    mutating func readQmailRunPOP3D(
        _ file: InstallationFile, _ line: Int, _ values: [String: [String]], name: String, window: String?
    ) {
        var pop3d = InstallationFacts.POP3D(runBy: .qmailRun)
        pop3d.checkpassword = "nbcheckpassword"
        for (variable, words) in values.sorted(by: { $0.key < $1.key }) {
            switch variable {
            case "postenv":
                let (store, others) = facts.readWindow(words.compactMap(Self.assignment), smtpSide: false)
                pop3d.store = store
                if let store, let window { facts.windows[facts.window(store: store)].name = window }
                for (other, value) in others {
                    leaveOut(file, line, "\(other)=\(value)", "qmail-pop3d services take no environment")
                }
            case "pretcpserver", "prepop3d": for word in words { facts.note(program: word) }
            case "checkpassword":
                if let first = words.first {
                    let base = Self.basename(first)
                    pop3d.checkpassword = Catalog.program(named: base) != nil ? base : first
                    facts.note(program: first)
                }
            case "postpop3d": pop3d.maildir = words.first ?? "Maildir"
            case "tcphost": pop3d.listen = words.first
            case "tcpport": pop3d.port = words.first.flatMap { Int($0) } ?? 110
            default:
                leaveOut(
                    file, line, "qmailpop3d_\(variable)=\"\(words.joined(separator: " "))\"",
                    "the spec cannot say this variable")
            }
        }
        facts.add(.init(name: name, role: .pop3d(pop3d)))
    }
}
