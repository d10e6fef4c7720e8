/// Reads a document's fields by key, in the order they are usually written:
/// a key that is missing or of another type is an error naming it and the
/// document, never a zero that renders as if it were so.
struct DocumentReader {
    private var fields: [(String, JSON)]
    private let kind: String
    /// Where the next key is looked for first: documents are read in the
    /// order they are written, so a status of 5,000 torrents reads each key
    /// in one comparison, not a scan of 33.
    private var next = 0
    /// The object's text, read in place while its keys come in the order
    /// they are asked for (always, from btx's own writers); once one does
    /// not, the object is parsed whole into `fields` and `inText` is false.
    private var scanner = JSONScanner(UnsafeRawBufferPointer(start: nil, count: 0))
    private var inText = false
    /// Where the object's text began, to parse it whole from.
    private var objectStart = 0
    /// In text, past the object once `finish` found its end.
    private(set) var end = 0

    init(_ json: JSON, _ kind: String) throws {
        guard case .object(let fields) = json else { throw BTXError.failure("a \(kind) that is not a JSON object") }
        self.fields = fields
        self.kind = kind
    }

    /// The object whose text starts at `position` (space before it allowed).
    private init(text: UnsafeRawBufferPointer, at position: Int, _ kind: String) throws {
        fields = []
        self.kind = kind
        scanner = JSONScanner(text, at: position)
        guard scanner.peek() == UInt8(ascii: "{") else { throw BTXError.failure("a \(kind) that is not a JSON object") }
        objectStart = scanner.position
        try scanner.expect(UInt8(ascii: "{"))
        inText = true
    }

    /// Reads `text`, which must be one object and nothing else.
    static func reading<T>(text: UnsafeRawBufferPointer, _ kind: String, _ read: (inout DocumentReader) throws -> T) throws -> T {
        do {
            var reader = try DocumentReader(text: text, at: 0, kind)
            let value = try read(&reader)
            try reader.finish()
            var rest = JSONScanner(text, at: reader.end)
            guard rest.peek() == nil else { throw BTXError.failure("a \(kind) with more after it") }
            return value
        } catch let error as JSON.ParseError {
            throw BTXError.failure("a \(kind) that is not valid JSON (\(error.message))")
        }
    }

    private enum Place { case atValue, absent, inFields }

    /// In text: past `key` and its colon when it comes next; absent when
    /// the object ends first (every key before was one asked for);
    /// otherwise the object is parsed whole and read from `fields` on.
    private mutating func place(_ key: StaticString) throws -> Place {
        guard inText else { return .inFields }
        switch try scanner.key(is: key, first: scanner.position == objectStart + 1) {
        case .matched: return .atValue
        case .end: return .absent
        case .other:
            var whole = JSONScanner(scanner.text, at: objectStart)
            fields = try JSON(parsing: whole.skipValue()).objectFields ?? []
            end = whole.position
            inText = false
            return .inFields
        }
    }

    /// The value under `key` among `fields`, null included; nil when the key is absent.
    private mutating func field(_ key: StaticString) -> JSON? {
        let name = key.description
        if next < fields.count, fields[next].0 == name {
            next += 1
            return fields[next - 1].1
        }
        guard let index = fields.firstIndex(where: { $0.0 == name }) else { return nil }
        next = index + 1
        return fields[index].1
    }

    /// The value under `key`, null included; nil when the key is absent.
    private mutating func value(_ key: StaticString) throws -> JSON? {
        switch try place(key) {
        case .absent: return nil
        case .atValue: return try JSON(parsing: scanner.skipValue())
        case .inFields: return field(key)
        }
    }

    mutating func has(_ key: StaticString) throws -> Bool {
        if inText {
            let before = scanner
            switch try place(key) {
            case .absent: return false
            case .atValue:
                scanner = before
                return true
            case .inFields: break
            }
        }
        return fields.contains { $0.0 == key.description }
    }

    /// In text: past the rest of the object, to its end.
    private mutating func finish() throws {
        guard inText else { return }
        while scanner.peek() != UInt8(ascii: "}") {
            try scanner.expect(UInt8(ascii: ","))
            guard scanner.peek() == UInt8(ascii: "\"") else { throw JSON.ParseError(message: "object keys must be strings") }
            _ = try scanner.skipValue()
            try scanner.expect(UInt8(ascii: ":"))
            _ = try scanner.skipValue()
        }
        try scanner.expect(UInt8(ascii: "}"))
        end = scanner.position
    }

    private func bad(_ key: StaticString, _ type: String) -> BTXError { Self.bad(kind, key, type) }

    private static func bad(_ kind: String, _ key: StaticString, _ type: String) -> BTXError {
        .failure("a \(kind) whose \"\(key)\" is not \(type)")
    }

    /// `scan` reads the value in text, giving nil (nothing taken) for one of another type; `take` reads it among fields.
    private mutating func required<T>(_ key: StaticString, _ type: String, _ scan: (inout JSONScanner) throws -> T?,
                                      _ take: (JSON) -> T?) throws -> T {
        switch try place(key) {
        case .absent: throw bad(key, type)
        case .atValue:
            guard let value = try scan(&scanner) else { throw bad(key, type) }
            return value
        case .inFields:
            guard let value = field(key), let taken = take(value) else { throw bad(key, type) }
            return taken
        }
    }

    private mutating func nullable<T>(_ key: StaticString, _ type: String, _ scan: (inout JSONScanner) throws -> T?,
                                      _ take: (JSON) -> T?) throws -> T? {
        switch try place(key) {
        case .absent: throw bad(key, type + " or null")
        case .atValue:
            if try scanner.null() { return nil }
            guard let value = try scan(&scanner) else { throw bad(key, type + " or null") }
            return value
        case .inFields:
            guard let value = field(key) else { throw bad(key, type + " or null") }
            if case .null = value { return nil }
            guard let taken = take(value) else { throw bad(key, type + " or null") }
            return taken
        }
    }

    private static func string(_ scanner: inout JSONScanner) throws -> String? { try scanner.string() }
    private static func int(_ scanner: inout JSONScanner) throws -> Int64? { try scanner.number()?.intValue }
    private static func double(_ scanner: inout JSONScanner) throws -> Double? { try scanner.number()?.doubleValue }
    private static func bool(_ scanner: inout JSONScanner) throws -> Bool? { try scanner.bool() }

    mutating func string(_ key: StaticString) throws -> String { try required(key, "a string", Self.string, \.stringValue) }
    mutating func int(_ key: StaticString) throws -> Int64 { try required(key, "an integer", Self.int, \.intValue) }
    mutating func double(_ key: StaticString) throws -> Double { try required(key, "a number", Self.double, \.doubleValue) }
    mutating func bool(_ key: StaticString) throws -> Bool { try required(key, "true or false", Self.bool, \.boolValue) }
    mutating func optionalString(_ key: StaticString) throws -> String? {
        try nullable(key, "a string", Self.string, \.stringValue)
    }
    mutating func optionalInt(_ key: StaticString) throws -> Int64? { try nullable(key, "an integer", Self.int, \.intValue) }
    mutating func optionalDouble(_ key: StaticString) throws -> Double? {
        try nullable(key, "a number", Self.double, \.doubleValue)
    }
    mutating func optionalBool(_ key: StaticString) throws -> Bool? { try nullable(key, "true or false", Self.bool, \.boolValue) }

    /// A nested object read as its parent is, in text when it is: `kind` names it in errors.
    mutating func object<T>(_ key: StaticString, kind: String, reading read: (inout DocumentReader) throws -> T) throws -> T {
        switch try place(key) {
        case .absent: throw bad(key, "an object")
        case .atValue:
            var nested = try DocumentReader(text: scanner.text, at: scanner.position, kind)
            let value = try read(&nested)
            try nested.finish()
            scanner = JSONScanner(scanner.text, at: nested.end)
            return value
        case .inFields:
            guard let value = field(key) else { throw bad(key, "an object") }
            var nested = try DocumentReader(value, kind)
            return try read(&nested)
        }
    }

    /// null and, for fields only some documents carry, an absent key are nil.
    mutating func optionalObject<T>(_ key: StaticString, absentIsNil: Bool = false, _ make: (JSON) throws -> T) throws -> T? {
        guard let value = try value(key) else {
            if absentIsNil { return nil }
            throw bad(key, "an object or null")
        }
        if case .null = value { return nil }
        return try make(value)
    }

    mutating func stringArray(_ key: StaticString) throws -> [String] {
        let kind = self.kind
        let failure = { Self.bad(kind, key, "an array of strings") }
        guard case .atValue = try place(key) else {
            return try array(key) { item in
                guard let text = item.stringValue else { throw failure() }
                return text
            }
        }
        // Most are empty (labels): read in place.
        try scanner.expect(UInt8(ascii: "["))
        var items: [String] = []
        while scanner.peek() != UInt8(ascii: "]") {
            if !items.isEmpty { try scanner.expect(UInt8(ascii: ",")) }
            guard let item = try scanner.string() else { throw failure() }
            items.append(item)
        }
        try scanner.expect(UInt8(ascii: "]"))
        return items
    }

    mutating func array<T>(_ key: StaticString, _ make: (JSON) throws -> T) throws -> [T] {
        guard let value = try value(key), let items = value.arrayValue else { throw bad(key, "an array") }
        return try items.map(make)
    }
}

extension JSON {
    /// The array under `key`, each item read as a document: a reply whose
    /// items lack a field is an error, not a row of zeros.
    public func documents<T>(_ key: String, _ read: (JSON) throws -> T) throws -> [T] {
        guard let items = self[key]?.arrayValue else { throw BTXError.failure("a reply without \"\(key)\"") }
        return try items.map(read)
    }
}
