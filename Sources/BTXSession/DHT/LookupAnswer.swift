import TorrentKit

/// The answer a DHT get is building. libtorrent finishes a lookup only
/// when every node on its path has answered or timed out, and a node that
/// is gone (one-shot nodes come and go) costs a 15 s timeout: on a small
/// DHT every lookup meets it. So a get settles with its best item once no
/// better one has come for `quietPeriod`, or when libtorrent says the lookup
/// is complete, whichever is first.
public struct LookupAnswer {
    /// Live nodes answer within milliseconds of each other on a LAN and
    /// within a few hundred on the internet.
    public static let quietPeriod = 1.0

    /// The highest seq with a value (the only one, for an immutable item).
    public private(set) var best: DHTItem?
    public private(set) var isComplete = false

    public init() {}
    private var lastImprovement = -Double.infinity

    /// The newest seq wins; the number of nodes that answered only breaks a
    /// tie: an older value held by more nodes is still older.
    public mutating func offer(_ item: DHTItem, now: Double) {
        guard item.value != nil else {
            if item.isAuthoritative { isComplete = true }
            return
        }
        let bestSeq = best?.seq ?? .min
        if item.seq > bestSeq || (item.seq == bestSeq && item.nodes > (best?.nodes ?? 0)) {
            if item.seq > bestSeq { lastImprovement = now }
            best = item
        }
        if item.isAuthoritative { isComplete = true }
    }

    public func isSettled(now: Double) -> Bool {
        isComplete || (best != nil && now - lastImprovement >= Self.quietPeriod)
    }
}
