import BTXSession

/// torrent-get's heavier fields kept between requests: a torrent's files
/// and piece bitfield while its document is unchanged (they move with its
/// verified bytes) and for at most `lifetime` seconds, its trackers for at
/// most that long. A front-end that asks every field of thousands of idle
/// torrents every few seconds then costs the session a few requests, not
/// thousands of libtorrent calls (a cold request for all fields of 5,000
/// torrents takes seconds).
final class ExtrasCache {
    private struct Kept {
        let value: JSON
        let revision: Int64?
        let time: Double
    }

    private var kept: [String: [String: Kept]] = [:]

    /// What was kept of a torrent: a change made through the listener shows at once.
    func forget(_ hash: String) {
        for kind in Array(kept.keys) { kept[kind]?[hash] = nil }
    }

    /// `kind`'s value for each of `hashes`: kept ones while fresh, the rest
    /// loaded in one go. `revision`: the document revision it depends on, or nil.
    func values(_ kind: String, for hashes: [String], lifetime: Double, revision: (String) -> Int64?,
                load: ([String]) throws -> [String: JSON]) rethrows -> [String: JSON] {
        let now = monotonicSeconds()
        var store = kept[kind] ?? [:]
        var values: [String: JSON] = [:]
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
        kept[kind] = store
        return values
    }
}
