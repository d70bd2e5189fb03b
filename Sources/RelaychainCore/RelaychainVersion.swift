public enum RelaychainVersion {
    public static let current = "0.1.0"
}
