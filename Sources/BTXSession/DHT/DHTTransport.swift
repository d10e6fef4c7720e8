import TorrentKit

/// A DHT item as it crosses the control socket (bytes in base64).
extension DHTItem {
    public var transport: JSON {
        .object([("target", .string(target)), ("mutable", .bool(isMutable)), ("public_key", .optional(publicKey)),
                 ("signature", .optional(signature)), ("salt", .string(base64(salt))), ("seq", .int(seq)),
                 ("value", value.map { .string(base64($0)) } ?? .null), ("authoritative", .bool(isAuthoritative)),
                 ("nodes", .int(nodes))])
    }

    public init(transport json: JSON) {
        self.init(target: json["target"]?.stringValue ?? "", isMutable: json["mutable"]?.boolValue ?? false,
                  publicKey: json["public_key"]?.stringValue, signature: json["signature"]?.stringValue,
                  salt: json["salt"]?.stringValue.flatMap(base64Decode) ?? [], seq: json["seq"]?.intValue ?? 0,
                  value: json["value"]?.stringValue.flatMap(base64Decode),
                  isAuthoritative: json["authoritative"]?.boolValue ?? false, nodes: Int(json["nodes"]?.intValue ?? 0))
    }
}
