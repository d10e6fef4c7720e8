import BTXSession

/// The session's torrent documents as the listener last saw them, kept up
/// to date by asking only what changed since (`status` with `since`): a
/// request over 5,000 mostly idle torrents reads a few documents, not
/// 5,000. Both APIs read torrents from here.
final class TorrentMirror {
    /// Every torrent, in the order the session first showed them, handed
    /// out as they are: a listing of 100,000 copied them into a fresh 60 MB
    /// array each time, every page of it zeroed by the kernel first.
    private(set) var all: [TorrentDocument] = []
    /// Where each one is in `all`.
    private var places: [String: Int] = [:]
    /// The session's revision at which each torrent last changed.
    private(set) var changedAt: [String: Int64] = [:]
    /// When (monotonic seconds) each torrent last changed: "recently active".
    private(set) var changedTime: [String: Double] = [:]
    /// Torrents gone, with the revision and time they went at.
    private var removals: [(infoHash: String, revision: Int64, time: Double)] = []
    /// The session's revision this mirror is at.
    private(set) var revision: Int64 = 0
    /// When the mirror last had to be filled again from scratch: a client
    /// whose last answer is older needs everything too.
    private(set) var filledAt: Int64 = 0
    private static let keptRemovals = 10_000

    /// Brings the mirror up to the session's state; what changed comes back.
    @discardableResult
    func refresh(_ link: SessionLink) throws -> (changed: [TorrentDocument], removed: [String]) {
        // Read a document at a time: a first listing of 100,000 parsed whole
        // held some 300 MB of JSON values at once.
        var latest: Int64 = 0, full = false, changed: [TorrentDocument] = [], removed: [String] = []
        try link.stream(.status, [("since", .int(revision))]) { part in
            switch part {
            case .member(key: "revision", let value): latest = value.intValue ?? 0
            case .member(key: "full", let value): full = value.boolValue ?? false
            case .item(key: "torrents", let text): changed.append(try TorrentDocument(text: text))
            case .item(key: "removed", let text): try JSON(parsing: text).stringValue.map { removed.append($0) }
            default: break
            }
        }
        let now = monotonicSeconds()
        if full {
            let present = Set(changed.map(\.infoHash))
            removed = all.map(\.infoHash).filter { !present.contains($0) }
            for hash in removed { removals.append((hash, latest, now)) }
            all = []
            places = [:]
            changedAt = [:]
            changedTime = [:]
            filledAt = latest
        }
        let gone = Set(removed.filter { places[$0] != nil })
        if !gone.isEmpty {
            for hash in gone {
                changedAt[hash] = nil
                changedTime[hash] = nil
                removals.append((hash, latest, now))
            }
            all.removeAll { gone.contains($0.infoHash) }
            places = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.infoHash, $0) })
        }
        if removals.count > Self.keptRemovals { removals.removeFirst(removals.count - Self.keptRemovals) }
        if !removals.isEmpty && !changed.isEmpty {
            // Back (removed and added again): no longer gone.
            let back = Set(changed.map(\.infoHash))
            removals.removeAll { back.contains($0.infoHash) }
        }
        for document in changed {
            if let place = places[document.infoHash] {
                all[place] = document
            } else {
                places[document.infoHash] = all.count
                all.append(document)
            }
            changedAt[document.infoHash] = latest
            changedTime[document.infoHash] = now
        }
        revision = latest
        return (changed, removed)
    }

    func document(_ infoHash: String) -> TorrentDocument? { places[infoHash].map { all[$0] } }

    /// Torrents removed after `since`; nil when that is further back than is remembered.
    /// Torrents removed in the last `seconds`.
    func removed(within seconds: Double) -> [String] {
        let now = monotonicSeconds()
        return removals.filter { now - $0.time <= seconds }.map(\.infoHash)
    }

    func removed(since: Int64) -> [String]? {
        guard since >= filledAt, removals.count < Self.keptRemovals || (removals.first?.revision ?? 0) <= since else { return nil }
        return removals.filter { $0.revision > since }.map(\.infoHash)
    }
}
