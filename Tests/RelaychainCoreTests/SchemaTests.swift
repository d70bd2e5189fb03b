import Foundation
import RelaychainCore
import TestSupport
import Testing
import Yams

@Suite struct SchemaTests {
    static let schemaURL = Fixtures.repositoryRoot.appendingPathComponent("schema/relaychain.schema.json")
    let schema = SpecSchema.document

    @Test func checkedInSchemaIsFresh() throws {
        let checkedIn = try String(contentsOf: Self.schemaURL, encoding: .utf8)
        #expect(
            checkedIn == schema.rendered,
            Comment(
                rawValue: "schema/relaychain.schema.json is stale; refresh it with: swift run relaychain schema > "
                    + "schema/relaychain.schema.json")
        )
    }

    /// The kitchen-sink fixture loads cleanly and uses exactly the keys the schema declares, in
    /// every section: so the loader accepts every schema key and the schema lists every key in use.
    @Test func schemaKeysAreExactlyTheKeysTheLoaderAccepts() throws {
        #expect(try Fixtures.check("valid", "every-key.yaml").diagnostics.isEmpty)
        let text = try String(contentsOf: Fixtures.url("valid", "every-key.yaml"), encoding: .utf8)
        let root = try #require(try Yams.compose(yaml: text))
        func keys(_ node: Node?) -> Set<String> { Set(node?.mapping?.keys.compactMap(\.string) ?? []) }
        func keys(of nodes: [Node]) -> Set<String> { nodes.reduce(into: Set<String>()) { $0.formUnion(keys($1)) } }
        func values(_ node: Node?) -> [Node] { node?.mapping.map { Array($0.values) } ?? [] }

        #expect(keys(root) == properties("#"))
        #expect(keys(root["platform"]) == properties("platform"))
        #expect(keys(of: values(root["windows"])) == properties("window"))
        #expect(keys(of: values(root["wrappers"])) == properties("wrapper"))
        let services = values(root["services"])
        for (kind, definition) in [
            ("dovecot", "dovecotService"), ("qmail-pop3d", "qmailPop3dService"), ("qmail-smtpd", "qmailSmtpdService"),
        ] {
            let ofKind = services.filter { $0["server"]?.string == kind }
            #expect(keys(of: ofKind) == properties(definition), "\(kind)")
        }
        let chainMappings = values(root["services"]).flatMap { $0["chain"]?.sequence.map(Array.init) ?? [] }.filter {
            $0.mapping != nil
        }
        #expect(keys(of: chainMappings) == Set(ChainEntryKey.allCases.map(\.rawValue)))
    }

    @Test(arguments: ["#", "platform", "window", "wrapper", "dovecotService", "qmailPop3dService", "qmailSmtpdService"])
    func loaderRejectsKeysOutsideTheSchema(_ definition: String) throws {
        #expect(!properties(definition).contains("bogus-key"))
        let spec: String =
            switch definition {
            case "#":
                "relaychain: 1\nbogus-key: 1\nwindows: {w: {store: /s}}\nservices: {s: {server: qmail-smtpd, run-by: "
                    + "runit, checks: w}}\n"
            case "platform":
                "relaychain: 1\nplatform: {bogus-key: 1}\nwindows: {w: {store: /s}}\nservices: {s: {server: "
                    + "qmail-smtpd, run-by: runit, checks: w}}\n"
            case "window":
                "relaychain: 1\nwindows: {w: {store: /s, bogus-key: 1}}\nservices: {s: {server: qmail-smtpd, run-by: "
                    + "runit, checks: w}}\n"
            case "wrapper":
                "relaychain: 1\nwrappers: {x: {path: /x, bypass: none, bogus-key: 1}}\nwindows: {w: {store: "
                    + "/s}}\nservices: {s: {server: qmail-smtpd, run-by: runit, checks: w}}\n"
            case "dovecotService":
                "relaychain: 1\nwindows: {w: {store: /s}}\nservices: {s: {server: dovecot, version: \"2.3\", "
                    + "protocols: [imap], grants: w, bogus-key: 1}}\n"
            case "qmailPop3dService":
                "relaychain: 1\nwindows: {w: {store: /s}}\nservices: {s: {server: qmail-pop3d, run-by: runit, grants: "
                    + "w, bogus-key: 1}}\n"
            default:
                "relaychain: 1\nwindows: {w: {store: /s}}\nservices: {s: {server: qmail-smtpd, run-by: runit, checks: "
                    + "w, bogus-key: 1}}\n"
            }
        let codes = Relaychain.check(SourceFile(path: "t.yaml", text: spec)).diagnostics.map(\.code)
        #expect(codes == [.unknownKey])
    }

    /// Every value an enum of the schema allows is accepted by the loader, and nothing else.
    @Test func schemaEnumsMatchTheLoader() throws {
        let runBy = try #require(enumValues(schema["$defs"]?["qmailSmtpdService"]?["properties"]?["run-by"]))
        let protocols = try #require(
            enumValues(schema["$defs"]?["dovecotService"]?["properties"]?["protocols"]?["items"]))
        guard case .array(let bypassForms)? = schema["$defs"]?["wrapper"]?["properties"]?["bypass"]?["oneOf"] else {
            Issue.record("no bypass forms in the schema")
            return
        }
        let bypassKeywords = try #require(enumValues(bypassForms[0]))
        guard case .array(let serviceForms)? = schema["$defs"]?["service"]?["oneOf"] else {
            Issue.record("no service forms in the schema")
            return
        }
        #expect(serviceForms.count == ServerKind.allCases.count)

        func codes(runBy: String = "runit", protocol: String = "imap", bypass: String = "none") -> [DiagnosticCode] {
            let text = """
                relaychain: 1
                windows: {w: {store: /s}}
                wrappers: {x: {path: /x, bypass: \(bypass)}}
                services:
                  imap: {server: dovecot, version: "2.3", protocols: [\(`protocol`)], grants: w}
                  smtp: {server: qmail-smtpd, run-by: \(runBy), checks: w, chain: [x]}
                """
            // Only the loader's verdict matters here, not the analysis's findings about the chain.
            return Relaychain.check(SourceFile(path: "t.yaml", text: text)).diagnostics.map(\.code).filter {
                !$0.rawValue.hasPrefix("RC4")
            }
        }
        for value in runBy { #expect(codes(runBy: value) == [], "run-by \(value)") }
        for value in protocols { #expect(codes(protocol: value) == [], "protocol \(value)") }
        for value in bypassKeywords { #expect(codes(bypass: value) == [], "bypass \(value)") }
        #expect(Set(runBy) == Set(Supervisor.allCases.map(\.rawValue)))
        #expect(codes(runBy: "s6") == [.unknownValue])
        #expect(codes(protocol: "imaps") == [.unknownValue])
        #expect(codes(bypass: "sometimes") == [.unknownValue])
    }

    /// An independent validator (Python's jsonschema) accepts the schema as draft 2020-12, every
    /// example and valid fixture, and rejects the invalid fixtures whose problems are of shape.
    @Test func independentValidatorAgrees() throws {
        let script = """
            import json, sys, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for path in sys.argv[2:]:
                expect_valid = "/invalid/" not in path
                errors = list(validator.iter_errors(yaml.safe_load(open(path))))
                if bool(errors) == expect_valid:
                    print("%s: %s" % (path, [e.message for e in errors] or "accepted"))
            """
        let examples = try FileManager.default.contentsOfDirectory(
            atPath: Fixtures.repositoryRoot.appendingPathComponent("examples").path
        )
        .filter { $0.hasSuffix(".yaml") }.map { Fixtures.repositoryRoot.appendingPathComponent("examples/\($0)").path }
        let valid = Fixtures.specs(in: "valid").map { Fixtures.url("valid", $0).path }
        let shapeOnly = [
            "07-unknown-keys", "08-wrong-types", "12-relative-paths", "14-version-numbers", "16-spec-version",
            "17-unknown-values", "18-ports", "19-empty-collections", "22-key-not-for-server", "28-dovecot-versions",
        ]
        .map { Fixtures.url("invalid", "\($0).yaml").path }
        let result = try runProcess(
            "/usr/bin/env", ["python3", "-c", script, Self.schemaURL.path] + examples + valid + shapeOnly)
        #expect(
            result.status == 0,
            "python3 with jsonschema and PyYAML is needed (scripts/test installs them): \(result.errors)")
        #expect(result.output == "")
    }

    private func properties(_ definition: String) -> Set<String> {
        let object = definition == "#" ? schema : schema["$defs"]?[definition]
        guard case .object(let members)? = object?["properties"] else { return [] }
        return Set(members.map(\.0))
    }

    private func enumValues(_ node: JSONValue?) -> [String]? {
        guard case .array(let values)? = node?["enum"] else { return nil }
        return values.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }
}
