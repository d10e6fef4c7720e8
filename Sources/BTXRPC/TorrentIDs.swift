/// Transmission names torrents by small integers that last a session run:
/// each info-hash gets the next one the first time the listener sees it,
/// and keeps it after the torrent is removed (for `removed` answers).
final class TorrentIDs {
    private var byHash: [String: Int] = [:]
    private var hashes: [Int: String] = [:]
    private var next = 1

    func id(_ hash: String) -> Int {
        if let id = byHash[hash] { return id }
        let id = next
        next += 1
        byHash[hash] = id
        hashes[id] = hash
        return id
    }

    func hash(_ id: Int) -> String? { hashes[id] }
}
