import TorrentKit

/// A short-lived DHT node for one get or put, when no session runs: it
/// loads the saved routing table, waits until the DHT knows a node, runs the
/// request as a daemon would (DHTRequests), and saves the table on the way
/// out (unless another btx session owns the state directory).
public final class DHTNode {
    private let session: Session
    private let requests: DHTRequests
    private let directory: StateDirectory
    private let lock: StateLock?
    private let deadline: Double
    private let timeout: Double
    private static let client: UInt64 = 1

    /// `lookupOnly`: a lookup that starts cold (no saved routing table, so
    /// a new node id on the same address) runs as a BEP 43 read-only node,
    /// which leaves no entry behind in the others' routing tables. As full
    /// nodes, cold runs left one each, and on a small private DHT those
    /// entries of our own address ended up the closest to a target: a get
    /// asked only itself and came back empty (3 cold gets in 200). A warm
    /// node keeps its id and stays a full node: it answers the entries of
    /// itself that the others hold at once, where a read-only one would
    /// leave its own lookup waiting on them. A put stays a full node:
    /// libtorrent 2.0.8 adds a node that stores an item to the tables it
    /// visits anyway, and a read-only writer made the next put wait.
    public init(configuration: SessionConfiguration, directory: StateDirectory, timeout: Double, lookupOnly: Bool,
                warn: (String) -> Void) throws {
        var configuration = configuration
        configuration.dht = true
        // A DHT lookup needs no help from the LAN.
        configuration.localPeerDiscovery = false
        self.directory = directory
        self.timeout = timeout
        deadline = monotonicSeconds() + timeout
        lock = try? StateLock(directory: directory, patience: 0)
        let state = directory.loadDHTState(warn: warn)
        configuration.dhtReadOnly = lookupOnly && state.isEmpty
        session = try Session(configuration, dhtState: state)
        requests = DHTRequests(session: session)
    }

    /// The item found: the newest (see LookupAnswer).
    public func get(_ target: String, salt: [UInt8]) throws -> DHTItem {
        try bootstrap()
        try requests.get(target, salt: salt, timeout: remaining, for: Self.client)
        return try outcome()
    }

    /// The item as stored, and on how many nodes.
    public func put(_ value: [UInt8], key: DHTKey?, salt: [UInt8], seq: Int64?, cas: Int64?) throws -> DHTItem {
        try bootstrap()
        try requests.put(value, key: key, salt: salt, seq: seq, cas: cas, timeout: remaining, for: Self.client)
        return try outcome()
    }

    private var remaining: Double { deadline - monotonicSeconds() }

    /// Waits until the routing table holds a node, or the deadline.
    private func bootstrap() throws {
        while try session.dhtNodeCount() == 0 {
            guard monotonicSeconds() < deadline else {
                throw BTXError.failure("no DHT node answered before the timeout (check --bootstrap and the network)")
            }
            for event in try session.events(timeout: 0.05) {
                if case .listenFailed(let message) = event { throw BTXError.failure(message) }
            }
        }
    }

    private func outcome() throws -> DHTItem {
        while true {
            if let (_, outcome) = requests.finished().first { return try outcome.get() }
            for event in try session.events(timeout: min(0.05, max(0.01, remaining))) { requests.take(event) }
        }
    }

    /// Saves the routing table so the next command starts warm; a failure
    /// is thrown for the caller to say (the next start is only slower).
    public func close() throws {
        guard lock != nil, let state = try? session.dhtState(), !state.isEmpty else { return }
        try FileIO.writeAtomically(state, to: directory.dhtStatePath, replace: true, mode: 0o600)
    }
}
