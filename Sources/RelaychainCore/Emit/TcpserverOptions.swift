/// tcpserver's options for an SMTP service, between its path and `-u`/`-U`: what every build
/// writes (-v -R -x tcp.cdb) and what the service's keys say (remote-host, remote-info,
/// local-name, concurrency; sslserver and its -e for `tls`). Values read when the service starts
/// are shell variables a run script sets first; systemd has no shell, so only what it can say
/// itself (`%H`) reaches a unit.
extension ChainPlan {
    enum StartShell {
        case runScript
        case systemd
    }

    /// The run script's variable for a local name read from a file at start.
    static let localNameVariable = "LOCALNAME"
    /// The run script's variable for a concurrency read from a file at start.
    static let concurrencyVariable = "CONCURRENCY"

    func tcpserverOptions(_ smtpd: QmailSMTPD, in shell: StartShell) -> [Word] {
        var words = [path(.tcpserver)]
        if let tls = smtpd.tls { words = [path(.sslserver)] + tls.value.flags.map { Word($0, from: tls.location) } }
        words.append(Word("-v"))
        // -R unless the spec asks for ident lookups, which are tcpserver's default (-r).
        switch smtpd.remoteInfo?.value {
        case nil, .skip?: words.append(Word("-R", from: smtpd.remoteInfo?.location))
        case .lookup(let timeout?)?: words += [Word("-t"), Word(String(timeout), from: smtpd.remoteInfo?.location)]
        case .lookup(nil)?: break
        }
        if let lookup = smtpd.remoteHost, let flag = lookup.value.flag {
            words.append(Word(flag, from: lookup.location))
        }
        // No -l at all: tcpserver's own default, a DNS lookup of the local address per connection.
        if smtpd.localName?.value != .dnsLookup { words += [Word("-l"), localNameWord(smtpd, in: shell)] }
        words.append(Word("-x"))
        words.append(smtpd.rulesCDB.map { Word($0.value, from: $0.location) } ?? Word("tcp.cdb"))
        if let backlog = smtpd.backlog { words += [Word("-b"), Word(String(backlog.value), from: backlog.location)] }
        if let concurrency = smtpd.concurrency {
            switch concurrency.value {
            case .count(let count): words += [Word("-c"), Word(String(count), from: concurrency.location)]
            case .contentsOf(let file):
                words += [
                    Word("-c"),
                    shell == .runScript
                        ? .shellCode("\"$\(Self.concurrencyVariable)\"") : Word(file, from: concurrency.location),
                ]
            }
        }
        return words
    }

    private func localNameWord(_ smtpd: QmailSMTPD, in shell: StartShell) -> Word {
        // By default the host's name, as Received lines should say: not `0`.
        let localName = smtpd.localName ?? .byDefault(.hostName)
        switch (localName.value, shell) {
        case (.name(let name), _): return Word(name, from: localName.location)
        case (.hostName, .runScript): return .shellCode("\"$(uname -n)\"")
        // %H is systemd's host name, what the run script gets from uname -n.
        case (.hostName, .systemd): return .shellCode("%H")
        case (.firstLineOf, .runScript): return .shellCode("\"$\(Self.localNameVariable)\"")
        // A problem found before rendering (RC301): never written.
        case (.firstLineOf(let file), .systemd): return Word(file, from: localName.location)
        case (.dnsLookup, _): return Word("0")  // never written: no -l at all
        }
    }

    /// The run script's lines that read values at start, each refusing to start without one
    /// (tcpserver would take an empty -c as 0 and an empty -l as a name).
    func startReadings(_ smtpd: QmailSMTPD) -> String {
        var text = ""
        func read(_ variable: String, _ command: String, _ file: String, _ what: String) {
            let quoted = ShellQuoting.word(file)
            text += "\(variable)=$(\(command) \(quoted))\n"
            text += "if [ -z \"$\(variable)\" ]; then\n"
            text += "  echo \(ShellQuoting.word("relaychain: \(file) gives no \(what)")) >&2\n"
            text += "  exit 1\nfi\n"
        }
        if case .firstLineOf(let file)? = smtpd.localName?.value {
            read(Self.localNameVariable, "head -1", file, "local name")
        }
        if case .contentsOf(let file)? = smtpd.concurrency?.value {
            read(Self.concurrencyVariable, "cat", file, "concurrency")
        }
        return text
    }
}
