/// tcpserver's command line as tcpserver itself reads it (getopt: clustered flags, a value
/// attached or in the next word, the last of each choice winning), so that `-vR -l0` and
/// `-v -R -l 0` are the same command. Choices left to their default are written out.
/// sslserver (ucspi-ssl) reads the same options and a few of its own (`SuperServer.sslserver`).
struct TcpserverCommand: Equatable {
    var server: SuperServer = .tcpserver
    /// Each choice and the flag that wins it: verbosity `q`/`Q`/`v`, `h`/`H`, `p`/`P`, `r`/`R`,
    /// `o`/`O`, `d`/`D`, `4`/`6`.
    var choices: [String: Character]
    /// Options with a value: `c`, `b`, `B`, `x`, `t`, `u`, `g`, `l`, `I`.
    var values: [Character: ShellText] = [:]
    /// `-1`, `-U`, `-X`.
    var switches: Set<Character> = []
    var host: ShellText
    var port: ShellText
    var program: [ShellText]

    static let choiceOf: [Character: String] = [
        "q": "verbosity", "Q": "verbosity", "v": "verbosity", "h": "remote host", "H": "remote host",
        "p": "paranoid", "P": "paranoid", "r": "remote info", "R": "remote info", "o": "IP options",
        "O": "IP options", "d": "delay", "D": "delay", "4": "address family", "6": "address family",
    ]
    static let defaults: [String: Character] = [
        "verbosity": "Q", "remote host": "h", "paranoid": "P", "remote info": "r", "IP options": "O", "delay": "d",
    ]
    static let servicePorts: [String: Int] = [
        "smtp": 25, "submission": 587, "smtps": 465, "submissions": 465, "pop3": 110, "pop-3": 110, "pop3s": 995,
    ]
    static let withValue: Set<Character> = ["c", "b", "B", "x", "t", "u", "g", "l", "I"]
    static let switchFlags: Set<Character> = ["1", "U", "X"]

    struct Refusal: Error, Equatable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The words after `tcpserver` (or `sslserver`); the reason when it would refuse them.
    static func parse(
        _ words: ArraySlice<ShellText>, server: SuperServer = .tcpserver
    ) -> Result<TcpserverCommand, Refusal> {
        let name = server.rawValue
        let choiceOf = server.choiceOf
        let (switchFlags, withValue) = (server.switchFlags, server.withValue)
        var command = TcpserverCommand(
            server: server, choices: server.defaults, host: ShellText(), port: ShellText(), program: [])
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            guard case .text(let first)? = word.pieces.first, first.hasPrefix("-"), first != "-" else { break }
            index += 1
            if first == "--", word.pieces.count == 1 { break }
            var flags = Array(first.dropFirst())
            while !flags.isEmpty {
                let flag = flags.removeFirst()
                if let choice = choiceOf[flag] {
                    command.choices[choice] = flag
                } else if switchFlags.contains(flag) {
                    command.switches.insert(flag)
                } else if withValue.contains(flag) {
                    // The rest of this word is the value, else the next word is.
                    var value = ShellText(String(flags))
                    for piece in word.pieces.dropFirst() {
                        value.append(piece.isText ? ShellText(Self.text(piece)) : ShellText(Self.runtime(piece)))
                    }
                    if value.isEmpty {
                        guard index < words.endIndex else { return .failure(Refusal("-\(flag) has no value")) }
                        value = words[index]
                        index += 1
                    }
                    command.values[flag] = value
                    flags = []
                    break
                } else {
                    return .failure(Refusal("-\(flag) is not a \(name) option"))
                }
                if flags.isEmpty, word.pieces.count > 1 {
                    return .failure(Refusal("\(word) mixes \(name) flags with a value known only at run time"))
                }
            }
        }
        guard words.endIndex - index >= 3 else {
            return .failure(Refusal("no host, port and program after \(name)'s options"))
        }
        command.host = words[index]
        // tcpserver looks a port name up in /etc/services; these are the ones mail services use.
        let port = words[index + 1]
        command.port = port.known.flatMap { Self.servicePorts[$0] }.map { ShellText(String($0)) } ?? port
        command.program = Array(words[(index + 2)...])
        return .success(command)
    }

    static func text(_ piece: ShellText.Piece) -> String {
        if case .text(let text) = piece { return text }
        return ""
    }

    static func runtime(_ piece: ShellText.Piece) -> RuntimeValue {
        if case .runtime(let value) = piece { return value }
        return .unknown("")
    }

    /// The options as one line, in a fixed order, for saying how two commands differ.
    var optionsDescription: String {
        var parts: [String] = []
        for (choice, flag) in choices.sorted(by: { $0.key < $1.key }) where server.defaults[choice] != flag {
            parts.append("-\(flag)")
        }
        for flag in switches.sorted() { parts.append("-\(flag)") }
        for (flag, value) in values.sorted(by: { $0.key < $1.key }) { parts.append("-\(flag) \(value)") }
        return parts.joined(separator: " ")
    }
}

/// The super-servers whose command lines import reads: ucspi-tcp's tcpserver, and ucspi-ssl's
/// sslserver, which takes tcpserver's options and its own (fehcom's getopt string, 0.12).
enum SuperServer: String, Equatable {
    case tcpserver, sslserver

    var choiceOf: [Character: String] {
        guard self == .sslserver else { return TcpserverCommand.choiceOf }
        return TcpserverCommand.choiceOf.merging(
            [
                "V": "verbosity", "e": "TCP environment", "E": "TCP environment", "s": "TLS environment",
                "S": "TLS environment", "n": "STARTTLS", "N": "STARTTLS", "z": "client certificate",
                "Z": "client certificate", "m": "client certificate",
            ], uniquingKeysWith: { _, own in own })
    }

    var defaults: [String: Character] {
        guard self == .sslserver else { return TcpserverCommand.defaults }
        return TcpserverCommand.defaults.merging(
            ["TCP environment": "E", "TLS environment": "S", "STARTTLS": "N", "client certificate": "Z"],
            uniquingKeysWith: { _, own in own })
    }

    /// sslserver's -3 reads the key's password from descriptor 3.
    var switchFlags: Set<Character> {
        self == .sslserver ? TcpserverCommand.switchFlags.union(["3"]) : TcpserverCommand.switchFlags
    }

    /// sslserver's -T (TLS handshake timeout) and -w (program timeout) take a value; its -I,
    /// which its option string lists without one, is refused as unknown.
    var withValue: Set<Character> {
        guard self == .sslserver else { return TcpserverCommand.withValue }
        return TcpserverCommand.withValue.subtracting(["I"]).union(["T", "w"])
    }
}
