/// Bounds on what one spec may make the compiler do, so that any input, hostile or broken, gets
/// its diagnostics in bounded time and memory. Each is far above what a real site writes: the
/// 20,000-service benchmark spec is about 2 MB and 400,000 nodes.
public enum SpecLimits {
    /// Bytes read from one spec file; the CLI stops reading past this.
    public static let maxBytes = 16 << 20
    /// Nodes, counting each alias as the size of the subtree it repeats (a "billion laughs"
    /// document is refused at the alias that crosses this).
    public static let maxNodes = 2_000_000
    /// Nesting of mappings and sequences.
    public static let maxDepth = 64
    /// Bytes in one scalar.
    public static let maxScalarBytes = 65_536
    /// Diagnostics kept for one spec; the rest are counted in a last one.
    public static let maxDiagnostics = 1_000
}
