/// One file the compiler produces, relative to the output directory.
public struct OutputFile: Hashable, Sendable {
    public var output: OutputPath
    public var contents: String
    /// Scripts are installed executable (mode 0755), everything else 0644.
    public var executable: Bool

    public var path: String { output.path }

    public init(_ output: OutputPath, contents: String, executable: Bool = false) {
        self.output = output
        self.contents = contents
        self.executable = executable
    }
}
