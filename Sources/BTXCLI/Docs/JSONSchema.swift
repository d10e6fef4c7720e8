import BTXSession

// MARK: JSON Schema

extension JSONDocument {
    var isEvent: Bool { id.hasPrefix("event-") }

    var title: String { isEvent ? "btx add --json (and daemon.log): the \(producedBy) event" : producedBy }

    /// A self-contained JSON Schema (draft 2020-12): every field required
    /// unless optional, no other fields allowed.
    var schema: JSON {
        var definitions: [(String, JSON)] = []
        let root = shape.schema(definitions: &definitions)
        var fields: [(String, JSON)] = [("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
                                        ("title", .string(title)), ("description", .string(summary))]
        fields += root.objectFields ?? []
        if !definitions.isEmpty { fields.append(("$defs", .object(definitions))) }
        return .object(fields)
    }
}

extension JSONShape {
    func schema(definitions: inout [(String, JSON)], description: String? = nil) -> JSON {
        var fields: [(String, JSON)] = []
        switch self {
        case .string: fields = [("type", .string("string"))]
        case .hash: fields = [("type", .string("string")), ("pattern", .string("^([0-9a-f]{40}|[0-9a-f]{64})$"))]
        case .hex(let digits): fields = [("type", .string("string")), ("pattern", .string("^[0-9a-f]{\(digits)}$"))]
        case .integer(let unit):
            fields = [("type", .string("integer"))] + (unit == .none ? [] : [("minimum", .int(0))])
        case .number(let unit):
            fields = [("type", .string("number")), ("minimum", .int(0))] + (unit == .fraction ? [("maximum", .int(1))] : [])
        case .boolean: fields = [("type", .string("boolean"))]
        case .oneWord(let words): fields = [("enum", .array(words.map(JSON.string)))]
        case .constant(let word): fields = [("const", .string(word))]
        case .anyValue: fields = []
        case .array(let item):
            fields = [("type", .string("array")), ("items", item.schema(definitions: &definitions))]
        case .nullable(let inner):
            let schema = inner.schema(definitions: &definitions)
            if let type = schema["type"]?.stringValue, schema["$ref"] == nil {
                fields = (schema.objectFields ?? []).map { $0.0 == "type" ? ("type", .array([.string(type), .string("null")])) : $0 }
            } else if let words = schema["enum"]?.arrayValue {
                fields = [("enum", .array(words + [.null]))]
            } else {
                fields = [("anyOf", .array([schema, .object([("type", .string("null"))])]))]
            }
        case .object(let object):
            let body = object.schemaBody(definitions: &definitions)
            guard let name = object.name else { fields = body; break }
            if !definitions.contains(where: { $0.0 == name }) { definitions.append((name, .object(body))) }
            fields = [("$ref", .string("#/$defs/\(name)"))]
        }
        if let description, !description.isEmpty { fields.insert(("description", .string(description)), at: 0) }
        return .object(fields)
    }
}

extension JSONObject {
    func schemaBody(definitions: inout [(String, JSON)]) -> [(String, JSON)] {
        let properties = fields.map { ($0.name, $0.shape.schema(definitions: &definitions, description: $0.documentation)) }
        return [("type", .string("object")), ("properties", .object(properties)),
                ("required", .array(fields.filter { !$0.optional }.map { .string($0.name) })),
                ("additionalProperties", .bool(false))]
    }
}

extension JSONField {
    /// The summary with the unit, as the schema's description says it.
    var documentation: String {
        let unit = shape.unit
        return unit == .none || unit == .count ? summary : "\(summary) (\(unit.rawValue))"
    }
}

extension JSONShape {
    var unit: JSONUnit {
        switch self {
        case .integer(let unit), .number(let unit): unit
        case .nullable(let inner): inner.unit
        default: .none
        }
    }

    /// How the man page names the type: "integer, bytes, or null".
    var manual: String {
        switch self {
        case .string: "string"
        case .hash: "info-hash"
        case .hex(let digits): "\(digits) hex digits"
        case .integer(let unit): unit == .none || unit == .count ? "integer" : "integer, \(unit.rawValue)"
        case .number(let unit): unit == .none || unit == .count ? "number" : "number, \(unit.rawValue)"
        case .boolean: "boolean"
        case .oneWord(let words): words.joined(separator: ", ")
        case .constant(let word): "\"\(word)\""
        case .object(let object): object.name ?? "object"
        case .array(.object(let object)) where object.name == nil: "array of objects"
        case .array(let item): "array of " + item.manual
        case .anyValue: "any JSON value"
        case .nullable(let inner): inner.manual + ", or null"
        }
    }

    /// Named objects this shape holds, outermost first.
    var namedObjects: [JSONObject] {
        switch self {
        case .object(let object):
            let inner = object.fields.flatMap(\.shape.namedObjects)
            return object.name == nil ? inner : [object] + inner
        case .array(let item), .nullable(let item): return item.namedObjects
        default: return []
        }
    }
}

// MARK: pretty printing

extension JSON {
    /// Two-space indented, one key a line: the committed schemas diff well.
    func pretty(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty && items.contains(where: \.isContainer):
            return "[\n" + items.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let fields) where !fields.isEmpty:
            return "{\n" + fields.map { inner + JSON.string($0.0).text + ": " + $0.1.pretty(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return text
        }
    }

    private var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }
}
