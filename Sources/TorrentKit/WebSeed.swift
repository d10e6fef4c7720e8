import CBTX

extension Session {
    /// The torrent's web seeds (BEP 19), sorted.
    public func webSeeds(_ torrent: Torrent) throws -> [String] {
        var items: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count = 0
        try check(btx_torrent_web_seeds(raw, torrent.rawValue, &items, &count))
        return takeArray(items, count, free: btx_strings_free) { string($0) }
    }

    /// http or https; a no-op when present.
    public func addWebSeed(_ torrent: Torrent, url: String) throws {
        try check(btx_torrent_add_web_seed(raw, torrent.rawValue, url))
    }

    /// Throws `.notFound` when the torrent has no such web seed.
    public func removeWebSeed(_ torrent: Torrent, url: String) throws {
        try check(btx_torrent_remove_web_seed(raw, torrent.rawValue, url))
    }
}
