import CBTX

/// A BEP 44 item as found on (or stored to) the DHT.
public struct DHTItem: Sendable, Equatable {
    /// The item's DHT id (40 hex): SHA-1 of the value, or of key + salt.
    public let target: String
    public let isMutable: Bool
    public let publicKey: String?
    public let signature: String?
    public let salt: [UInt8]
    public let seq: Int64
    /// The bencoded value; nil when nothing was found.
    public let value: [UInt8]?
    public let isAuthoritative: Bool
    /// A get: nodes that returned the item. A put: nodes that stored it.
    public let nodes: Int

    /// BEP 44's limit on a value's bencoded size.
    public static let maxValueSize = Int(BTX_DHT_MAX_VALUE)

    public init(target: String, isMutable: Bool, publicKey: String?, signature: String?, salt: [UInt8], seq: Int64,
                value: [UInt8]?, isAuthoritative: Bool, nodes: Int) {
        self.target = target
        self.isMutable = isMutable
        self.publicKey = publicKey
        self.signature = signature
        self.salt = salt
        self.seq = seq
        self.value = value
        self.isAuthoritative = isAuthoritative
        self.nodes = nodes
    }

    init(_ d: btx_dht_item) {
        target = string(fromTuple: d.target)
        isMutable = d.is_mutable != 0
        publicKey = nonEmpty(string(fromTuple: d.public_key))
        signature = nonEmpty(string(fromTuple: d.signature))
        salt = d.salt.map { Array(UnsafeBufferPointer(start: $0, count: d.salt_len)) } ?? []
        seq = d.seq
        value = d.value.map { Array(UnsafeBufferPointer(start: $0, count: d.value_len)) }
        isAuthoritative = d.authoritative != 0
        nodes = Int(d.nodes)
    }
}

/// An ed25519 key for mutable items, held as its 32-byte seed.
public struct DHTKey: Sendable {
    public let seed: [UInt8]

    public init(seed: [UInt8]) throws {
        guard seed.count == 32 else { throw TorrentKitError(.invalidArgument, "a DHT key seed is 32 bytes, not \(seed.count)") }
        self.seed = seed
    }

    public var publicKey: String {
        var out = [CChar](repeating: 0, count: 65)
        _ = seed.withUnsafeBufferPointer { btx_dht_public_key($0.baseAddress, &out) }
        return String(cString: out)
    }
}

extension Session {
    /// A node to ping and keep in the routing table: for private DHTs,
    /// where bootstrap nodes are peers, not routers.
    public func addDHTNode(_ endpoint: String) throws {
        try check(btx_session_add_dht_node(raw, endpoint))
    }

    public func dhtNodeCount() throws -> Int {
        var count: Int32 = 0
        try check(btx_session_dht_node_count(raw, &count))
        return Int(count)
    }

    /// Starts a lookup; the result arrives as `.dhtItem` from `events(timeout:)`.
    /// `target` is 40 hex (immutable) or a 64-hex public key (mutable).
    public func dhtGet(_ target: String, salt: [UInt8] = []) throws {
        try salt.withUnsafeBufferPointer { try check(btx_dht_get(raw, target, $0.baseAddress, $0.count)) }
    }

    /// Starts storing a bencoded value; returns its target. Completion is `.dhtPut`.
    public func dhtPut(immutable value: [UInt8]) throws -> String {
        var target = [CChar](repeating: 0, count: 41)
        try value.withUnsafeBufferPointer { try check(btx_dht_put_immutable(raw, $0.baseAddress, $0.count, &target)) }
        return String(cString: target)
    }

    /// Starts storing a signed, bencoded value; returns the public key.
    /// nil `seq` = one more than the DHT's; `cas` only replaces that seq.
    public func dhtPut(mutable value: [UInt8], key: DHTKey, salt: [UInt8] = [], seq: Int64? = nil,
                       cas: Int64? = nil) throws -> String {
        var publicKey = [CChar](repeating: 0, count: 65)
        try key.seed.withUnsafeBufferPointer { seed in
            try value.withUnsafeBufferPointer { value in
                try salt.withUnsafeBufferPointer { salt in
                    try check(btx_dht_put_mutable(raw, seed.baseAddress, value.baseAddress, value.count,
                                                  salt.baseAddress, salt.count, seq ?? -1, cas ?? -1, &publicKey))
                }
            }
        }
        return String(cString: publicKey)
    }
}
