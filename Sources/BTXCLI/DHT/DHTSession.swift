import BTXSession
import TorrentKit

/// A short-lived session for one DHT operation: loads the saved routing
/// table, waits until the DHT knows a node, and saves the table on the way
/// out (unless another btx session owns the state directory).
final class DHTSession {
    let session: Session
    private let directory: StateDirectory
    private let lock: StateLock?
    let deadline: Double

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
    init(_ invocation: Invocation, timeout: Double, lookupOnly: Bool = false) throws {
        guard !invocation.flag("no-dht") else {
            throw BTXError.usage("'\(invocation.command.name)' needs the DHT; drop --no-dht", command: invocation.command.name)
        }
        deadline = monotonicSeconds() + timeout
        let environment = Environment.current()
        directory = StateDirectory(invocation: invocation, environment: environment)
        let config = try UserConfig.load(directory, output: invocation.output)
        var configuration = try sessionConfiguration(invocation, config: config, environment: environment)
        configuration.dht = true
        // A DHT lookup needs no help from the LAN.
        configuration.localPeerDiscovery = false
        try checkDHTThroughProxy(configuration, command: invocation.command.name)
        lock = try? StateLock(directory: directory)
        let state = directory.loadDHTState(warn: invocation.output.warning)
        configuration.dhtReadOnly = lookupOnly && state.isEmpty
        session = try Session(configuration, dhtState: state)
    }

    /// Waits until the routing table holds a node, or the deadline.
    func bootstrap() throws {
        while try session.dhtNodeCount() == 0 {
            guard monotonicSeconds() < deadline else {
                throw BTXError.failure("no DHT node answered before the timeout (check --bootstrap and the network)")
            }
            for event in try session.events(timeout: 0.05) {
                if case .listenFailed(let message) = event { throw BTXError.failure(message) }
            }
        }
    }

    /// The first event `pick` accepts, or nil at the deadline.
    func wait<T>(for pick: (Event) -> T?) throws -> T? {
        while monotonicSeconds() < deadline {
            for event in try session.events(timeout: min(0.25, max(0.01, deadline - monotonicSeconds()))) {
                if let result = pick(event) { return result }
            }
        }
        return nil
    }

    /// Saves the routing table so the next command starts warm.
    func close() {
        guard lock != nil, let state = try? session.dhtState(), !state.isEmpty else { return }
        try? FileIO.writeAtomically(state, to: directory.dhtStatePath, replace: true, mode: 0o600)
    }
}

/// Options of dht-get and dht-put besides the session's.
let dhtTimeoutOption = OptionSpec(long: "timeout", argument: "SECONDS", summary: "give up after SECONDS (default 30)")

func dhtTimeout(_ invocation: Invocation) throws -> Double {
    guard let text = invocation.value("timeout") else { return 30 }
    guard let seconds = Double(text), seconds > 0, seconds <= 300 else {
        throw BTXError.usage("--timeout: '\(text)' is not a number of seconds from 0 to 300", command: invocation.command.name)
    }
    return seconds
}
