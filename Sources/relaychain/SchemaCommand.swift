import ArgumentParser
import RelaychainCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the spec language, or its manual page.",
        discussion: """
            schema/relaychain.schema.json in the repository is this output. Point an editor at it \
            with a first line such as:
              # yaml-language-server: $schema=../schema/relaychain.schema.json

            With --format man it prints relaychain-spec(5), every key with its type and meaning, \
            written from the same key lists.

            Examples:
              relaychain schema > schema/relaychain.schema.json
              relaychain schema --format man > man/relaychain-spec.5
            """
    )

    @Option(name: .long, help: "json (the JSON Schema) or man (relaychain-spec(5), mdoc).")
    var format: SchemaFormat = .json

    enum SchemaFormat: String, ExpressibleByArgument { case json, man }

    func run() throws {
        switch format {
        case .json: print(SpecSchema.document.rendered, terminator: "")
        case .man: print(SpecManual.page, terminator: "")
        }
    }
}
