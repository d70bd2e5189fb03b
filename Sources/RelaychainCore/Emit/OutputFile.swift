/// One file the compiler produces, relative to the output directory.
public struct OutputFile: Hashable, Sendable {
    public var path: String
    public var contents: String
    /// Scripts are installed executable (mode 0755), everything else 0644.
    public var executable: Bool

    public init(path: String, contents: String, executable: Bool = false) {
        self.path = path
        self.contents = contents
        self.executable = executable
    }
}
