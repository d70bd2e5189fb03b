/// The JSON Schema pieces the definitions are made of.
extension SpecSchema {
    static func ref(_ name: String) -> JSONValue {
        .object([("$ref", .string("#/$defs/\(name)"))])
    }

    static func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(members.map { ($0.key, $0.value) })
    }

    static func described(_ description: String, _ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object([("description", .string(description))] + members.map { ($0.key, $0.value) })
    }

    static func describedText(_ description: String) -> JSONValue {
        described(description, ["type": .string("string"), "minLength": .int(1)])
    }

    static func described(_ description: String, ref name: String) -> JSONValue {
        .object([("description", .string(description)), ("$ref", .string("#/$defs/\(name)"))])
    }

    static func namedMap(_ description: String, of value: JSONValue, minProperties: Int) -> JSONValue {
        .object([
            ("description", .string(description)), ("type", .string("object")), ("minProperties", .int(minProperties)),
            ("propertyNames", ref("name")), ("additionalProperties", value),
        ])
    }

    /// Exactly one of `keys` must be there (a window's grants live in a directory or in Redis).
    static func oneOfRequired(_ object: JSONValue, _ keys: [String]) -> JSONValue {
        guard case .object(let members) = object else { return object }
        let forms = keys.map { JSONValue.object([("required", .array([.string($0)]))]) }
        return .object(members + [("oneOf", .array(forms))])
    }

    static func closedObject(
        _ description: String?, _ properties: [(String, JSONValue)], required: [String] = []
    ) -> JSONValue {
        var members: [(String, JSONValue)] = description.map { [("description", .string($0))] } ?? []
        members += [("type", .string("object"))]
        if !required.isEmpty { members.append(("required", .array(required.map(JSONValue.string)))) }
        members += [("additionalProperties", .bool(false)), ("properties", .object(properties))]
        return .object(members)
    }
}
