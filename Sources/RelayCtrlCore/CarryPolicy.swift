import CRelayLibc

/// Which login variables travel from the login side to the SMTP chain through grant files.
///
/// Grant files sit in a directory every local user can write, so whatever they hold is
/// attacker-chosen: the check side imports only the carried names (RELAY_CTRL_CARRY, by default
/// USER and DOMAIN), and never a name that steers the chain, whatever the configuration says.
///
/// Everything here works on bytes: it runs on every SMTP connection, and Swift's Unicode-aware
/// String operations would fault in pages of code that cost more than the work itself.
public enum CarryPolicy {
    public static let variable = "RELAY_CTRL_CARRY"
    static let defaultUser: StaticString = "USER"
    static let defaultDomain: StaticString = "DOMAIN"
    public static var defaultNames: [[UInt8]] {
        [defaultUser, defaultDomain].map {
            Array(UnsafeBufferPointer(start: $0.utf8Start, count: $0.utf8CodeUnitCount))
        }
    }

    /// What a check imports: the default pair (compared in place, with nothing built, since this
    /// runs on every SMTP connection), or the names RELAY_CTRL_CARRY lists.
    public enum CarriedNames {
        case standard
        case listed([[UInt8]])

        public func contains(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
            switch self {
            case .standard: name.equals(CarryPolicy.defaultUser) || name.equals(CarryPolicy.defaultDomain)
            case .listed(let names): names.contains { $0.elementsEqual(name) }
            }
        }
    }

    /// The names to import given RELAY_CTRL_CARRY (see `carriedNames`).
    public static func carried(_ setting: TerminatedBytes?, refused: (String, String) -> Void) -> CarriedNames {
        guard let setting else { return .standard }
        return .listed(carriedNames(setting.array, refused: refused))
    }

    /// The carried login variables of this process's environment, as the records of a grant.
    public static func loginRecords(refused: (String, String) -> Void) -> [GrantRecord] {
        guard let setting = Environment.value(variable) else {
            // The default pair, looked up by their literals (every login: no list of names built).
            var records: [GrantRecord] = []
            for name in [defaultUser, defaultDomain] {
                guard let value = getenv(UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) else {
                    continue
                }
                let bytes = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
                records.append(GrantRecord(name: bytes, value: TerminatedBytes(value).array))
            }
            return records
        }
        return carriedNames(setting, refused: refused).compactMap { name in
            Environment.value(name).map { GrantRecord(name: name, value: $0) }
        }
    }

    /// The names listed in RELAY_CTRL_CARRY (commas or spaces between them), or the default.
    /// Malformed and dangerous names are dropped and reported through `refused`.
    public static func carriedNames(_ setting: [UInt8]?, refused: (String, String) -> Void) -> [[UInt8]] {
        guard let setting else { return defaultNames }
        var names: [[UInt8]] = []
        for word in setting.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") }) {
            let name = Array(word)
            if !isVariableName(name) {
                refused(printable(name), "not a variable name")
            } else if let risk = risk(of: name) {
                refused(printable(name), risk)
            } else if !names.contains(name) {
                names.append(name)
            }
        }
        return names
    }

    public static func isVariableName(_ name: [UInt8]) -> Bool {
        guard let first = name.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return name.allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
        }
    }

    /// What an attacker who writes a grant file would gain if `name` were carried, or nil when
    /// the name steers nothing in a qmail chain. Case is ignored (ASCII).
    public static func risk(of name: [UInt8]) -> String? {
        let upper = name.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 0x20 : $0 }  // ASCII only
        for rule in risks where rule.names.contains(upper) || rule.prefixes.contains(where: { upper.starts(with: $0) })
        {
            return rule.gain
        }
        return nil
    }

    public static func risk(of name: String) -> String? {
        risk(of: Array(name.utf8))
    }

    private struct Rule {
        var names: [[UInt8]]
        var prefixes: [[UInt8]]
        var gain: String

        init(_ names: [String], prefixes: [String] = [], _ gain: String) {
            self.names = names.map { Array($0.utf8) }
            self.prefixes = prefixes.map { Array($0.utf8) }
            self.gain = gain
        }
    }

    private static let risks: [Rule] = [
        Rule(["PATH"], "choose which programs the SMTP chain runs"),
        Rule(
            ["IFS", "ENV", "BASH_ENV", "SHELL", "CDPATH", "SHELLOPTS", "PS4"],
            "change how shell scripts in the chain run"),
        Rule(
            ["GCONV_PATH", "LOCPATH", "NLSPATH", "GLIBC_TUNABLES", "HOSTALIASES", "RESOLV_HOST_CONF"],
            prefixes: ["LD_", "MALLOC_"], "load code into, or reconfigure, the chain's programs"),
        Rule([], prefixes: ["QMAIL"], "steer qmail (QMAILQUEUE runs any program as qmaild)"),
        Rule(["RELAYCLIENT"], prefixes: ["RELAY_CTRL_"], "change relaying itself"),
        Rule(["RBLSMTPD", "GREETDELAY", "DATABYTES", "SMTPGREETING"], "switch off a spam defence or limit"),
        Rule(["PROTO"], prefixes: ["TCP"], "fake connection details the chain trusts"),
        Rule(["HOME", "TMPDIR", "TZ"], "redirect files the chain's programs open"),
    ]
}
