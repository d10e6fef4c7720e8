import Glibc

/// Gets the DHT going through a SOCKS5 proxy. libtorrent 2.0.8 sends the
/// DHT's first queries before its UDP relay (UDP ASSOCIATE) is up; they are
/// refused, and it asks no one again for ten minutes, so the DHT stayed
/// empty. Until the routing table holds a node, this pings the known nodes
/// again at growing intervals, or, knowing none, restarts the DHT so that it
/// bootstraps from its routers again.
final class ProxiedDHTStart {
    /// "ADDR:PORT" nodes: the bootstrap nodes given as addresses and those
    /// of the saved routing table.
    private let nodes: [String]
    private var due: Double
    private var interval = 0.5
    private var started = false

    init(bootstrap: [String], savedState: [UInt8]) {
        nodes = bootstrap.filter { Endpoint($0) != nil } + ProxiedDHTStart.savedNodes(savedState)
        due = ProxiedDHTStart.now() + interval
    }

    /// Called on every look at the session's events; cheap until due.
    func tend(_ session: Session) {
        guard !started, ProxiedDHTStart.now() >= due else { return }
        guard (try? session.dhtNodeCount()) == 0 else {
            started = true
            return
        }
        if nodes.isEmpty {
            try? session.apply(settings: [("enable_dht", "0")])
            try? session.apply(settings: [("enable_dht", "1")])
        } else {
            for node in nodes { try? session.addDHTNode(node) }
        }
        interval = min(interval * 2, 30)
        due = ProxiedDHTStart.now() + interval
    }

    /// The compact node entries ("nodes", "nodes6") of a saved DHT state.
    private static func savedNodes(_ state: [UInt8]) -> [String] {
        guard !state.isEmpty, case .dictionary(let top)? = BencodeValue(bencoded: state),
              case .dictionary(let dht)? = top.first(where: { $0.0 == Array("dht state".utf8) })?.1 else { return [] }
        var found: [String] = []
        for (key, value) in dht {
            guard key == Array("nodes".utf8) || key == Array("nodes6".utf8), case .list(let entries) = value else { continue }
            for case .bytes(let compact) in entries {
                if compact.count == 6 {
                    found.append(compact[0..<4].map(String.init).joined(separator: ".") + ":\(Int(compact[4]) << 8 | Int(compact[5]))")
                } else if compact.count == 18 {
                    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    guard inet_ntop(AF_INET6, Array(compact[0..<16]), &text, socklen_t(text.count)) != nil else { continue }
                    found.append("[\(String(cString: text))]:\(Int(compact[16]) << 8 | Int(compact[17]))")
                }
            }
        }
        return found
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
