/// `--max-active-downloads` / `--max-active-seeds`: libtorrent's queue runs
/// at most this many of each (nil: no limit) and the rest wait, queued.
public struct QueueLimits: Equatable {
    public var downloads: Int?
    public var seeds: Int?

    public init(downloads: Int?, seeds: Int?) {
        self.downloads = downloads
        self.seeds = seeds
    }

    /// libtorrent's settings for them. Slow torrents count like any other
    /// (libtorrent's default lets a stalled one make room for another,
    /// which would run more than the user asked for), and the queue is
    /// looked at every second rather than every 30.
    var settings: [(String, String)] {
        [("active_downloads", String(downloads ?? -1)), ("active_seeds", String(seeds ?? -1)),
         ("active_limit", "100000"), ("dont_count_slow_torrents", "false"),
         ("auto_manage_interval", "1"), ("auto_manage_startup", "0")]
    }
}
