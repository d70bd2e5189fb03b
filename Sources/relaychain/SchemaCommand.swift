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

            With --man it prints relaychain-spec(5) instead, every key with its type and meaning, \
            written from the same key lists.

            Examples:
              relaychain schema > schema/relaychain.schema.json
              relaychain schema --man > man/relaychain-spec.5
            """
    )

    @Flag(name: .long, help: "Print relaychain-spec(5), the spec language's manual page (mdoc), instead.")
    var man = false

    func run() throws {
        print(man ? SpecManual.page : SpecSchema.document.rendered, terminator: "")
    }
}
