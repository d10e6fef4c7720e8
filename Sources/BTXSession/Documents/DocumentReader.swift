/// Reads a document's fields by key, in the order they are usually written:
/// a key that is missing or of another type is an error naming it and the
/// document, never a zero that renders as if it were so.
struct DocumentReader {
    private let fields: [(String, JSON)]
    private let kind: String
    /// Where the next key is looked for first: documents are read in the
    /// order they are written, so a status of 5,000 torrents reads each key
    /// in one comparison, not a scan of 33.
    private var next = 0

    init(_ json: JSON, _ kind: String) throws {
        guard case .object(let fields) = json else { throw BTXError.failure("a \(kind) that is not a JSON object") }
        self.fields = fields
        self.kind = kind
    }

    /// The value under `key`, null included; nil when the key is absent.
    mutating func value(_ key: String) -> JSON? {
        if next < fields.count, fields[next].0 == key {
            next += 1
            return fields[next - 1].1
        }
        guard let index = fields.firstIndex(where: { $0.0 == key }) else { return nil }
        next = index + 1
        return fields[index].1
    }

    func has(_ key: String) -> Bool { fields.contains { $0.0 == key } }

    private func bad(_ key: String, _ type: String) -> BTXError {
        .failure("a \(kind) whose \"\(key)\" is not \(type)")
    }

    private mutating func required<T>(_ key: String, _ type: String, _ take: (JSON) -> T?) throws -> T {
        guard let value = value(key), let taken = take(value) else { throw bad(key, type) }
        return taken
    }

    private mutating func nullable<T>(_ key: String, _ type: String, _ take: (JSON) -> T?) throws -> T? {
        guard let value = value(key) else { throw bad(key, type + " or null") }
        if case .null = value { return nil }
        guard let taken = take(value) else { throw bad(key, type + " or null") }
        return taken
    }

    mutating func string(_ key: String) throws -> String { try required(key, "a string", \.stringValue) }
    mutating func int(_ key: String) throws -> Int64 { try required(key, "an integer", \.intValue) }
    mutating func double(_ key: String) throws -> Double { try required(key, "a number", \.doubleValue) }
    mutating func bool(_ key: String) throws -> Bool { try required(key, "true or false", \.boolValue) }
    mutating func optionalString(_ key: String) throws -> String? { try nullable(key, "a string", \.stringValue) }
    mutating func optionalInt(_ key: String) throws -> Int64? { try nullable(key, "an integer", \.intValue) }
    mutating func optionalDouble(_ key: String) throws -> Double? { try nullable(key, "a number", \.doubleValue) }
    mutating func optionalBool(_ key: String) throws -> Bool? { try nullable(key, "true or false", \.boolValue) }

    mutating func object<T>(_ key: String, _ make: (JSON) throws -> T) throws -> T {
        guard let value = value(key) else { throw bad(key, "an object") }
        return try make(value)
    }

    /// null and, for fields only some documents carry, an absent key are nil.
    mutating func optionalObject<T>(_ key: String, absentIsNil: Bool = false, _ make: (JSON) throws -> T) throws -> T? {
        guard let value = value(key) else {
            if absentIsNil { return nil }
            throw bad(key, "an object or null")
        }
        if case .null = value { return nil }
        return try make(value)
    }

    mutating func stringArray(_ key: String) throws -> [String] {
        let failure = bad(key, "an array of strings")
        return try array(key) { item in
            guard let text = item.stringValue else { throw failure }
            return text
        }
    }

    mutating func array<T>(_ key: String, _ make: (JSON) throws -> T) throws -> [T] {
        guard let value = value(key), let items = value.arrayValue else { throw bad(key, "an array") }
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
