import RelaychainCore

/// `relaychain import`: an installation's files in, a spec out. The platform (profile, prefix,
/// path overrides) is not written anywhere, so each choice is tried: the one whose build gives
/// back the imported files themselves wins, else the one that needs the fewest overrides.
public enum Importer {
    public struct Result: Sendable {
        /// The spec, with a comment for everything it could not say.
        public var spec: String
        /// What the spec does not say, with file and line.
        public var leftOut: [String]
        /// What the build does that the files did not say, with file and line (the spec holds them
        /// as comments).
        public var assumptions: [String] = []
    }

    public static func importInstallation(_ files: [InstallationFile], specName: String) -> Result {
        var reader = InstallationReader()
        reader.read(files)
        let facts = reader.facts
        let relayTool = ["relay-ctrl-check", "relay-ctrl-allow", "relay-ctrl-chdir", "relay-ctrl-age", "ifrelayclient"]
            .compactMap { facts.programs[$0] }.first
        let toolPrefix = relayTool.map { InstallationReader.dirname(InstallationReader.dirname($0)) }
        // Without relaychain's own tools in the files, any program's directory may be the prefix's.
        var prefixes = toolPrefix.map { [$0] } ?? []
        // A systemd unit's working directory says the prefix outright.
        if let configPrefix = facts.configPrefix, !prefixes.contains(configPrefix) { prefixes.append(configPrefix) }
        if toolPrefix == nil {
            for path in facts.programs.values.sorted() {
                let candidate = InstallationReader.dirname(InstallationReader.dirname(path))
                if !prefixes.contains(candidate) { prefixes.append(candidate) }
            }
        }
        var writers: [SpecWriter] = []
        for profile in [nil] + PlatformProfile.allCases.map(Optional.some) {
            for prefix in prefixes + [profile?.prefix ?? Platform.defaultPrefix]
            where toolPrefix == nil || prefix == toolPrefix || prefix == facts.configPrefix {
                writers.append(SpecWriter(facts: facts, bypasses: reader.bypasses, profile: profile, prefix: prefix))
            }
        }
        let ranked = writers.sorted { $0.overrides < $1.overrides }
        // Files relaychain generated name the spec they came from; build under that name to compare.
        let generatedFrom = files.lazy.compactMap { file in
            file.text.split(separator: "\n").prefix(2).lazy.compactMap(GeneratedHeader.specName).first
        }.first
        let specName = generatedFrom ?? specName
        let byPath = Dictionary(files.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
        var chosen: SpecWriter?
        var best: (score: Int, writer: SpecWriter)?
        for writer in ranked {
            let text = writer.text(header: "")
            let built = Relaychain.build(path: specName, bytes: Array(text.utf8), specName: specName)
            guard !built.diagnostics.hasErrors else { continue }
            let same = built.files.filter { byPath[$0.path] == $0.contents }.count
            let comparable = built.files.filter { byPath[$0.path] != nil }.count
            if comparable > 0, same == comparable, same == built.files.count {
                chosen = writer
                break
            }
            if same > best?.score ?? -1 { best = (same, writer) }
        }
        let writer = chosen ?? best?.writer ?? ranked[0]
        var verdict = Verification.verify(writer.text(header: ""), specName: specName, facts: facts)
        var assumed = facts.assumptions
        for window in facts.windows where window.expiry == nil {
            assumed.append(
                "window of \(window.store): no RELAY_CTRL_EXPIRY in the files; relay-ctrl's 900 seconds (15m) assumed")
        }
        verdict.assumptions = assumed + verdict.assumptions
        let leftOut = (facts.leftOut + verdict.leftOut).map(\.description)
        var header = "# yaml-language-server: $schema=../schema/relaychain.schema.json\n#\n"
        header += "# Imported by relaychain from \(files.count) file\(files.count == 1 ? "" : "s").\n"
        if !leftOut.isEmpty {
            header += "# Not said by this spec (kept here; relaychain import listed them):\n"
            for line in leftOut { header += "#   \(SpecWriter.commentText(line))\n" }
        }
        if !verdict.assumptions.isEmpty {
            header += "# Assumed (relaychain import listed them):\n"
            for line in verdict.assumptions { header += "#   \(SpecWriter.commentText(line))\n" }
        }
        return Result(spec: writer.text(header: header), leftOut: leftOut, assumptions: verdict.assumptions)
    }
}
