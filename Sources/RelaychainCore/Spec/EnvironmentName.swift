import RelayCtrlCore

/// Environment variable names, and which ones must never come from a grant file.
public enum EnvironmentName {
    public static func isValid(_ name: String) -> Bool {
        CarryPolicy.isVariableName(Array(name.utf8))
    }

    /// Grant files live in a directory every local user can write, so a carried variable is
    /// attacker-chosen. Returns what an attacker would gain, or nil for a harmless name. The
    /// runtime tools refuse the same names (one list, in RelayCtrlCore).
    public static func carryRisk(_ name: String) -> String? {
        CarryPolicy.risk(of: name).map { "any local user \($0)" }
    }
}
