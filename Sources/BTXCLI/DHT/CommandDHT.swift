import BTXSession
import TorrentKit

/// The DHT node a command asks: a running session's, warm and already in
/// the DHT, else a one-shot node of its own (see oneShotDHTNode), whose
/// routing table `close` saves.
final class CommandDHT {
    private let client: ControlClient?
    private let node: DHTNode?
    private let timeout: Double
    private let output: Output

    init(_ invocation: Invocation, timeout: Double, lookupOnly: Bool = false) throws {
        let directory = StateDirectory(invocation: invocation)
        self.timeout = timeout
        output = invocation.output
        if let client = try ControlClient.connect(directory) {
            try refuseNetworkOptionsForRunningSession(invocation, directory: directory)
            client.waitForReplies(upTo: timeout + 5)
            self.client = client
            node = nil
        } else {
            client = nil
            node = try oneShotDHTNode(invocation, timeout: timeout, lookupOnly: lookupOnly)
        }
    }

    /// `target`: 40 hex digits (immutable) or a 64-hex public key (mutable).
    func get(_ target: String, salt: [UInt8]) throws -> DHTItem {
        guard let client else { return try node!.get(target, salt: salt) }
        return DHTItem(transport: try client.call(.dhtGet, [("target", .string(target)), ("salt", .string(base64(salt))),
                                                            ("timeout", .double(timeout))]))
    }

    /// Signed with the key at `key` (a mutable item), else immutable. A
    /// running session reads the key file itself: the key stays on disk.
    func put(_ value: [UInt8], key: (DHTKey, path: String)?, salt: [UInt8], seq: Int64?, cas: Int64?) throws -> DHTItem {
        guard let client else { return try node!.put(value, key: key?.0, salt: salt, seq: seq, cas: cas) }
        var params: [(String, JSON)] = [("value", .string(base64(value))), ("salt", .string(base64(salt))),
                                        ("timeout", .double(timeout))]
        if let key {
            params += [("key", .string(absolutePath(key.path))), ("seq", seq.map(JSON.int) ?? .null), ("cas", cas.map(JSON.int) ?? .null)]
        }
        return DHTItem(transport: try client.call(.dhtPut, params))
    }

    /// Saves a one-shot node's routing table; a failure is only said (the next start is only slower).
    func close() {
        do { try node?.close() } catch { output.warning("the DHT routing table was not saved: \(error)") }
    }
}
