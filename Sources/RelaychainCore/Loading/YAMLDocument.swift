/// A spec's YAML composed into a node tree (`YAMLComposer`), every problem a diagnostic.
struct YAMLDocument {
    var root: YAMLNode?
    var diagnostics: [Diagnostic] = []

    init(_ source: SourceFile) {
        let composed = YAMLComposer.compose(source)
        diagnostics = composed.diagnostics
        guard !diagnostics.contains(where: { $0.code != .duplicateKey }) else { return }
        guard let composedRoot = composed.root else {
            diagnostics.append(
                .error(
                    .emptyDocument, "the spec is empty", at: SourceLocation(line: 1, column: 1),
                    fix: "start it with 'relaychain: 1'"))
            return
        }
        if case .scalar(let scalar) = composedRoot, scalar.string.isEmpty || composedRoot.tagName == .null {
            diagnostics.append(
                .error(
                    .emptyDocument, "the spec is empty", at: composedRoot.location, fix: "start it with 'relaychain: 1'"
                ))
            return
        }
        root = composedRoot
    }
}
