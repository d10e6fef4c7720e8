import BTXSession
/// The man page's JSON OUTPUT section, from the contract the schemas come from.
extension Docs {
    static var jsonSection: String {
        var t = ".SH JSON OUTPUT\n"
        t += paragraphs("""
            With --json, standard output carries JSON and nothing else: one document for most commands, one document \
            a line for btx status --watch, and one event a line for btx add (and a daemon's log). Human lines, \
            progress and warnings never mix in; warnings and errors still go to standard error.
            Units, said once here: sizes and byte counts are bytes, rates bytes/s, durations seconds, times Unix \
            seconds (integers), progress 0..1, indices count from 0, hashes are lower-case hex. A value not known is \
            null, never 0. Keys are snake_case and mean the same in every document; a field marked as absent is left \
            out where its text says, every other field is always there.
            A JSON Schema (draft 2020-12) of every document and event is in btx's source, docs/json/NAME.schema.json, \
            NAME given below in brackets; the tests validate what btx prints against them.
            """)
        t += ".SS Documents\n"
        for document in JSONContracts.documents {
            t += ".TP\n\\fB\(roff(document.producedBy))\\fR [\(roff(document.id))]\n\(roff(document.summary)).\n"
            t += describe(document.shape)
        }
        t += ".SS Events\n"
        t += paragraphs("""
            btx add --json prints one event a line, {"type": TYPE, "data": DATA}, in the same sequence whether it \
            runs the session or follows a running one: added, listening, metadata (magnets), progress, finished, \
            then exit; tracker_reply, blocklist, hook and warning come only from the process that runs the session, and \
            error (followed by exit) when something fails. A daemon writes the same events to daemon.log. \
            Each type's DATA [schema event-TYPE]:
            """)
        for event in JSONContracts.events {
            t += ".TP\n.B \(roff(event.producedBy))\n\(roff(event.summary)).\n"
            if let data = event.shape.field("data") { t += describe(data) }
        }
        t += ".SS Objects\nShared by several documents:\n"
        var seen = Set<String>()
        for object in JSONContracts.all.flatMap(\.shape.namedObjects) where seen.insert(object.name ?? "").inserted {
            t += ".TP\n.B \(object.name ?? "")\n"
            t += fieldList(object.fields)
        }
        return t
    }

    /// A document's shape: a named object by name, an inline one field by field.
    private static func describe(_ shape: JSONShape) -> String {
        if case .object(let object) = shape, object.name == nil { return fieldList(object.fields) }
        return "A \(roff(shape.manual)) object.\n"
    }

    /// One tagged paragraph a field, "integer, bytes, or null: every file's
    /// bytes."; an unnamed object's fields nested under it.
    private static func fieldList(_ fields: [JSONField]) -> String {
        var t = ".RS\n"
        for field in fields {
            t += ".TP\n.B \(roff(field.name))\n\(roff(field.shape.manual)): \(roff(field.summary)).\n"
            if let inline = field.shape.inlineObject { t += fieldList(inline.fields) }
        }
        return t + ".RE\n"
    }

    /// Paragraphs right after a heading (which starts the first one itself).
    static func paragraphs(_ text: String) -> String {
        text.split(separator: "\n").map { roff(String($0)) }.joined(separator: "\n.PP\n") + "\n"
    }
}

extension JSONShape {
    func field(_ name: String) -> JSONShape? {
        guard case .object(let object) = self else { return nil }
        return object.fields.first { $0.name == name }?.shape
    }

    /// The unnamed object inside (an array's items, a nullable's value).
    var inlineObject: JSONObject? {
        switch self {
        case .object(let object): object.name == nil ? object : nil
        case .array(let item), .nullable(let item): item.inlineObject
        default: nil
        }
    }
}
