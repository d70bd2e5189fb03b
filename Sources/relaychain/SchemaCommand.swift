import ArgumentParser
import RelaychainCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the spec language.",
        discussion: """
            schema/relaychain.schema.json in the repository is this output. Point an editor at it \
            with a first line such as:
              # yaml-language-server: $schema=../schema/relaychain.schema.json

            Example:
              relaychain schema > schema/relaychain.schema.json
            """
    )

    func run() throws {
        print(SpecSchema.document.rendered, terminator: "")
    }
}
