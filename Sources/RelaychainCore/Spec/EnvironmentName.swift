/// Environment variable names, and which ones must never come from a grant file.
public enum EnvironmentName {
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// Grant files live in a directory every local user can write, so a carried variable is
    /// attacker-chosen. Returns what an attacker would gain, or nil for a harmless name.
    public static func carryRisk(_ name: String) -> String? {
        let upper = name.uppercased()
        for (names, prefixes, gain) in risks {
            if names.contains(upper) || prefixes.contains(where: { upper.hasPrefix($0) }) {
                return "any local user \(gain)"
            }
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
