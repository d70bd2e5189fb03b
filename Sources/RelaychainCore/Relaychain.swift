/// The compiler pipeline, entirely in memory: text -> YAML nodes -> spec -> validated spec.
/// Reading files and printing belong to the CLI.
import RelayCtrlCore

public enum Relaychain {
    public struct CheckResult: Sendable {
        /// The spec, when it loaded without errors.
        public var spec: Spec?
        /// Every finding, in source order.
        public var diagnostics: [Diagnostic]
        /// The decoded text, for showing source lines; nil when it was not UTF-8.
        public var source: SourceFile?
    }

    /// `analyze: false` skips the chain analysis (`relaychain check --no-analysis`). What a
    /// target cannot express (RC3xx) is reported too, so `check` says everything `build` would;
    /// it stops there and renders nothing.
    public static func check(_ source: SourceFile, analyze: Bool = true) -> CheckResult {
        compile(source, analyze: analyze, specName: nil).checked
    }

    /// One pass for both commands: load, validate, analyse, find what the targets cannot
    /// express; then, for build (`specName`), render a spec that has no error.
    private static func compile(
        _ source: SourceFile, analyze: Bool, specName: String?
    ) -> (checked: CheckResult, plan: BuildPlan?) {
        let document = YAMLDocument(source)
        guard let root = document.root else {
            let checked = CheckResult(
                spec: nil, diagnostics: document.diagnostics.limitedInSourceOrder(), source: source)
            return (checked, nil)
        }
        let loaded = SpecLoader.load(root)
        var diagnostics = document.diagnostics + loaded.diagnostics
        let complete = loaded.spec != nil && !diagnostics.hasErrors
        diagnostics += SpecValidator.validate(loaded.outline, complete: complete)
        var plan: BuildPlan?
        // The analysis and the targets need a whole, consistent spec; errors of shape come first.
        if let loadedSpec = loaded.spec, !diagnostics.hasErrors {
            if analyze { diagnostics += ChainAnalyzer.analyze(loadedSpec) }
            diagnostics += TargetProblems.find(loadedSpec)
            if let specName, !diagnostics.hasErrors { plan = Emitter.emit(loadedSpec, specName: specName) }
        }
        let spec = diagnostics.hasErrors ? nil : loaded.spec
        let checked = CheckResult(spec: spec, diagnostics: diagnostics.limitedInSourceOrder(), source: source)
        return (checked, spec == nil ? nil : plan)
    }

    public struct BuildResult: Sendable {
        /// What the build makes, host by host; nil when anything is wrong: a failing build writes nothing.
        public var plan: BuildPlan?
        public var diagnostics: [Diagnostic]
        public var source: SourceFile?
        /// The spec as written (listed order), when it has no errors.
        public var spec: Spec?

        /// Every output file, or none at all when anything is wrong.
        public var files: [OutputFile] { plan?.files ?? [] }
    }

    /// Checks a spec and, when it has no errors, compiles it. `specName` goes into each file's
    /// header (a file name, so that output does not depend on where the spec was read from).
    public static func build(_ source: SourceFile, specName: String) -> BuildResult {
        let (checked, plan) = compile(source, analyze: true, specName: specName)
        return BuildResult(plan: plan, diagnostics: checked.diagnostics, source: source, spec: checked.spec)
    }

    public enum ExplainFailure: Error, CustomStringConvertible {
        case noSuchSMTPService(String, available: [String])
        case invalidClient(String)

        public var description: String {
            switch self {
            case .noSuchSMTPService(let name, let available):
                "no qmail-smtpd service named '\(name)' (the spec has: "
                    + "\(available.isEmpty ? "none" : available.joined(separator: ", ")))"
            case .invalidClient(let text): "'\(text)' is not an IPv4 or IPv6 address"
            }
        }
    }

    /// Runs the model of a service's emitted SMTP chain for one client.
    public static func explain(_ spec: Spec, service name: String, client: String, as clientClass: ClientClass)
        -> Result<ChainSimulation, ExplainFailure>
    {
        guard let address = ClientAddress(client) else { return .failure(.invalidClient(client)) }
        let smtpServices = spec.services.filter { if case .qmailSMTPD = $0.role { true } else { false } }
        guard let service = smtpServices.first(where: { $0.name.value == name }),
            case .qmailSMTPD(let smtpd) = service.role
        else {
            return .failure(.noSuchSMTPService(name, available: smtpServices.map(\.name.value)))
        }
        // In a cluster the service's host has its own view of the store (spiped, its copy of Redis).
        let host = spec.hosts.first { $0.name.value == service.host?.value }.map { Emitter.part(of: spec, on: $0).spec }
        return .success(
            ChainSimulator(spec: spec, host: host).simulate(service, smtpd, client: address.canonical, as: clientClass))
    }

    /// Builds from raw bytes, reporting text that is not UTF-8 at its first bad byte.
    public static func build(path: String, bytes: [UInt8], specName: String) -> BuildResult {
        switch SourceFile.decoding(path: path, bytes: bytes) {
        case .success(let source): build(source, specName: specName)
        case .failure(let failure): BuildResult(plan: nil, diagnostics: [failure.diagnostic], source: nil)
        }
    }

    /// Checks raw bytes, reporting text that is not UTF-8 at its first bad byte.
    public static func check(path: String, bytes: [UInt8], analyze: Bool = true) -> CheckResult {
        switch SourceFile.decoding(path: path, bytes: bytes) {
        case .success(let source): check(source, analyze: analyze)
        case .failure(let failure): CheckResult(spec: nil, diagnostics: [failure.diagnostic], source: nil)
        }
    }
}

extension SourceFile {
    static func decoding(path: String, bytes: [UInt8]) -> Result<SourceFile, DecodingFailure> {
        if let text = String(validating: bytes, as: UTF8.self) {
            return .success(SourceFile(path: path, text: text))
        }
        // Not UTF-8: the first bad byte ends the longest valid prefix, which places it.
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var prefix = 0
        while case .scalarValue(let scalar) = decoder.decode(&iterator) { prefix += UTF8.width(scalar) }
        let valid = SourceFile(path: path, text: String(decoding: bytes[..<prefix], as: UTF8.self))
        return .failure(
            DecodingFailure(
                diagnostic: .error(
                    .notUTF8, "the spec is not UTF-8 text", at: valid.location(ofByte: prefix),
                    fix: "convert it, e.g. with iconv -t UTF-8")))
    }
}

struct DecodingFailure: Error {
    var diagnostic: Diagnostic
}
