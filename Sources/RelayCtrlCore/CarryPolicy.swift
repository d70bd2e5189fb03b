/// Which login variables travel from the login side to the SMTP chain through grant files.
///
/// Grant files sit in a directory every local user can write, so whatever they hold is
/// attacker-chosen: the check side imports only the carried names (RELAY_CTRL_CARRY, by default
/// USER and DOMAIN), and never a name that steers the chain, whatever the configuration says.
public enum CarryPolicy {
    public static let variable = "RELAY_CTRL_CARRY"
    public static let defaultNames = ["USER", "DOMAIN"]

    /// The names listed in RELAY_CTRL_CARRY (commas or spaces between them), or the default.
    /// Malformed and dangerous names are dropped and reported through `refused`.
    public static func carriedNames(_ setting: [UInt8]?, refused: (String, String) -> Void) -> [[UInt8]] {
        guard let setting else { return defaultNames.map { Array($0.utf8) } }
        var names: [[UInt8]] = []
        for word in setting.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") }) {
            let name = Array(word)
            if !isVariableName(name) {
                refused(printable(name), "not a variable name")
            } else if let risk = risk(of: String(decoding: name, as: UTF8.self)) {
                refused(printable(name), risk)
            } else if !names.contains(name) {
                names.append(name)
            }
        }
        return names
    }

    public static func isVariableName(_ name: some Collection<UInt8>) -> Bool {
        guard let first = name.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return name.allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
        }
    }

    /// What an attacker who writes a grant file would gain if `name` were carried, or nil when
    /// the name steers nothing in a qmail chain.
    public static func risk(of name: String) -> String? {
        let upper = name.uppercased()
        for (names, prefixes, gain) in risks where names.contains(upper) || prefixes.contains(where: { upper.hasPrefix($0) }) {
            return gain
        }
        return nil
    }

    private static let risks: [(names: Set<String>, prefixes: [String], gain: String)] = [
        (["PATH"], [], "choose which programs the SMTP chain runs"),
        (["IFS", "ENV", "BASH_ENV", "SHELL", "CDPATH", "SHELLOPTS", "PS4"], [], "change how shell scripts in the chain run"),
        (["GCONV_PATH", "LOCPATH", "NLSPATH", "GLIBC_TUNABLES", "HOSTALIASES", "RESOLV_HOST_CONF"], ["LD_", "MALLOC_"], "load code into, or reconfigure, the chain's programs"),
        ([], ["QMAIL"], "steer qmail (QMAILQUEUE runs any program as qmaild)"),
        (["RELAYCLIENT"], ["RELAY_CTRL_"], "change relaying itself"),
        (["RBLSMTPD", "GREETDELAY", "DATABYTES", "SMTPGREETING"], [], "switch off a spam defence or limit"),
        (["PROTO"], ["TCP"], "fake connection details the chain trusts"),
        (["HOME", "TMPDIR", "TZ"], [], "redirect files the chain's programs open"),
    ]
}
