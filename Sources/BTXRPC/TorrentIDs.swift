import BTXSession

/// Transmission names torrents by small integers that last a session run:
/// each info-hash gets the next one the first time the listener sees it.
/// It also remembers which torrents went away, for `ids: "recently-active"`.
final class TorrentIDs {
    private var byHash: [String: Int] = [:]
    private var hashes: [Int: String] = [:]
    private var next = 1
    /// Torrents gone since the listener last looked, with when they went.
    private var removed: [(id: Int, at: Double)] = []
    /// What each torrent looked like, and when that last changed.
    private var seen: [String: (look: [Int64], changed: Double)] = [:]

    func id(_ hash: String) -> Int {
        if let id = byHash[hash] { return id }
        let id = next
        next += 1
        byHash[hash] = id
        hashes[id] = hash
        return id
    }

    func hash(_ id: Int) -> String? { hashes[id] }

    /// Takes note of the torrents the session has now: those missing are
    /// removed, and those that look different from last time changed now.
    func sync(_ present: [TorrentDocument], now: Double) {
        let current = Set(present.map(\.infoHash))
        for (hash, id) in byHash where !current.contains(hash) {
            byHash[hash] = nil
            hashes[id] = nil
            seen[hash] = nil
            removed.append((id, now))
        }
        for torrent in present {
            _ = id(torrent.infoHash)
            let look = Self.look(torrent)
            if seen[torrent.infoHash]?.look != look { seen[torrent.infoHash] = (look, now) }
        }
        removed.removeAll { now - $0.at > TransmissionRPC.recentSeconds }
    }

    /// Changed within the last minute (or never seen before now).
    func isRecentlyActive(_ torrent: TorrentDocument, now: Double) -> Bool {
        guard let changed = seen[torrent.infoHash]?.changed else { return true }
        return now - changed <= TransmissionRPC.recentSeconds || torrent.downloadRate > 0 || torrent.uploadRate > 0
    }

    /// What a front-end shows of a torrent, short of its rates.
    private static func look(_ torrent: TorrentDocument) -> [Int64] {
        [Int64(torrent.state.hashValue), torrent.done, torrent.uploaded, Int64(torrent.peers), Int64(torrent.queuePosition ?? -1),
         Int64(torrent.paused ? 1 : 0), Int64((torrent.error ?? "").hashValue), Int64(torrent.savePath.hashValue),
         Int64(torrent.name.hashValue)]
    }

    func recentlyRemoved(now: Double) -> [Int] {
        removed.filter { now - $0.at <= TransmissionRPC.recentSeconds }.map(\.id)
    }
}
