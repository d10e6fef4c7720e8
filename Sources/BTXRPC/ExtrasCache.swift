import BTXSession

/// torrent-get's heavier fields kept between requests: a torrent's files
/// and piece bitfield while its document is unchanged (they move with its
/// verified bytes) and for at most `lifetime` seconds, its trackers for at
/// most that long. A front-end that asks every field of thousands of idle
/// torrents every few seconds then costs the session a few requests, not
/// thousands of libtorrent calls (a cold request for all fields of 5,000
/// torrents takes seconds).
/// Kept as typed documents: decoding them again for every request cost more
/// than the request's encoding.
final class ExtrasCache<Value> {
    private struct Kept {
        let value: Value
        let revision: Int64?
        let time: Double
    }

    private var store: [String: Kept] = [:]
    private let lifetime: Double

    /// `lifetime`: seconds a value is kept at most.
    init(lifetime: Double) {
        self.lifetime = lifetime
    }

    /// What was kept of a torrent: a change made through the listener shows at once.
    func forget(_ hash: String) {
        store[hash] = nil
    }

    /// The value for each of `hashes`: kept ones while fresh, the rest loaded
    /// in one go. `revision`: the document revision it depends on, or nil.
    func values(for hashes: [String], revision: (String) -> Int64?,
                load: ([String]) throws -> [String: Value]) rethrows -> [String: Value] {
        let now = monotonicSeconds()
        var values: [String: Value] = [:]
        var missing: [String] = []
        for hash in hashes {
            if let entry = store[hash], now - entry.time < lifetime, entry.revision == revision(hash) {
                values[hash] = entry.value
            } else {
                missing.append(hash)
            }
        }
        if !missing.isEmpty {
            for (hash, value) in try load(missing) {
                values[hash] = value
                store[hash] = Kept(value: value, revision: revision(hash), time: now)
            }
        }
        // Torrents gone, and entries long stale, are let go.
        if store.count > 2 * max(hashes.count, 1000) { store = store.filter { now - $0.value.time < lifetime } }
        return values
    }
}
