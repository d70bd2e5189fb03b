import FuzzDriver
import RelaychainCore

/// One input through everything the compiler does with a spec: load, validate, analyse, emit;
/// then explain each SMTP service for three kinds of client, and render every diagnostic in each
/// format. Besides crashes, it checks what must hold for any input: a spec with errors produces
/// no files, a spec without errors produces at least one, every diagnostic lies inside the text.
@_cdecl("FuzzSpec_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzSpec(data, size) }
}

func fuzzSpec(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let data = data ?? UnsafePointer(bitPattern: 1)!
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = Relaychain.build(path: "fuzz.yaml", bytes: bytes, specName: "fuzz.yaml")
    let errors = result.diagnostics.contains { $0.severity == .error }
    if errors != result.files.isEmpty { fatalError("errors: \(errors), files: \(result.files.count)") }
    if result.diagnostics.count > SpecLimits.maxDiagnostics + 1 {
        fatalError("\(result.diagnostics.count) diagnostics")
    }
    let lines = result.source?.lineCount ?? Int.max
    let renderer = DiagnosticRenderer(colored: true)
    for diagnostic in result.diagnostics {
        if diagnostic.location.line < 1 || diagnostic.location.line > lines || diagnostic.location.column < 1 {
            fatalError("\(diagnostic.code.rawValue) at \(diagnostic.location.line):\(diagnostic.location.column)")
        }
        _ = renderer.text(diagnostic, in: result.source, path: "fuzz.yaml")
        _ = DiagnosticRenderer.json(diagnostic, path: "fuzz.yaml")
        _ = DiagnosticRenderer.github(diagnostic, path: "fuzz.yaml")
    }
    if let source = result.source, let spec = Relaychain.check(source).spec {
        for service in spec.services.map(\.name.value) {
            for client in ["192.0.2.7", "2001:db8::7"] {
                for clientClass in [ClientClass.stranger, .loggedIn(secondsAgo: 1), .loggedIn(secondsAgo: 86_400)] {
                    _ = Relaychain.explain(spec, service: service, client: client, as: clientClass)
                }
            }
        }
    }
    return 0
}
