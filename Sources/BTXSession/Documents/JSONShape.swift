/// The shape of btx's JSON output, as data: the JSON Schemas in docs/json
/// and the man page's JSON OUTPUT section are both generated from it, and
/// the end-to-end tests validate what btx prints against those schemas, so
/// the documentation cannot drift from the code unnoticed.
public indirect enum JSONShape {
    case string
    /// An info-hash: 40 (v1) or 64 (v2) lower-case hex digits.
    case hash
    /// Lower-case hex of this many digits (a DHT target, a public key, a signature).
    case hex(Int)
    case integer(JSONUnit)
    case number(JSONUnit)
    case boolean
    case oneWord([String])
    case constant(String)
    case object(JSONObject)
    case array(JSONShape)
    /// Any JSON value (what another client stored on the DHT).
    case anyValue
    case nullable(JSONShape)
}

/// What a number counts; the man page says each unit once.
public enum JSONUnit: String {
    case none = ""
    case bytes
    case bytesPerSecond = "bytes/s"
    case seconds
    case unixSeconds = "Unix seconds"
    case fraction = "0..1"
    case count
    case index = "from 0"
}

public struct JSONField {
    public let name: String
    public let shape: JSONShape
    public let summary: String
    /// Left out of some documents (said in the summary) rather than null.
    public var optional = false

    public init(_ name: String, _ shape: JSONShape, _ summary: String, optional: Bool = false) {
        self.name = name
        self.shape = shape
        self.summary = summary
        self.optional = optional
    }
}

/// An object; a `name` makes it a shared type (TORRENT, PEER) that the man
/// page describes once and the schemas keep under $defs.
public struct JSONObject {
    public var name: String?
    public let fields: [JSONField]

    public init(name: String? = nil, fields: [JSONField]) {
        self.name = name
        self.fields = fields
    }
}

/// One `--json` output or one event type: a schema file of its own.
public struct JSONDocument {
    /// The schema's file name without .schema.json.
    public let id: String
    /// How it is produced, for the man page ("btx status --json").
    public let producedBy: String
    public let summary: String
    public let shape: JSONShape
}
