/// The session-wide settings btx switches while a session runs, by what they
/// are for: libtorrent's setting names stay in this module. Each profile
/// sets every name it touches, so leaving one is applying another.
public enum SettingsProfile: Equatable, Sendable {
    /// How soon btx dials and redials: what every session starts with, and
    /// what it goes back to when the last stream ends.
    case pacing
    /// The same, but a peer that refused or dropped a dial is tried again
    /// after `seconds` (times its failures): while a torrent waits for a
    /// peer the user named, which refuses until it has added the torrent.
    case redialing(seconds: Int)
    /// btx's pacing on libtorrent's own tick (500 ms), while nothing
    /// transfers: a daemon of paused torrents spent 0.08% of a core on ten
    /// ticks a second with nothing to do, 0.02% on two. A torrent started
    /// then puts btx's pacing back at once (SessionHost.stopResting); its
    /// first dial waits for the next tick, within half a second.
    case resting
    /// While a reader waits for the bytes it asked for (btx cat, serve).
    case streaming
    /// libtorrent's queue runs at most so many downloads and seeds.
    case queue(QueueLimits)
    /// The session's caps, bytes/s (0: none), as the config's max-down and
    /// max-up set them at start and an RPC client changes them later.
    case rates(download: Int64, upload: Int64)
    /// While a daemon takes up its saved torrents: one disk thread. Each
    /// torrent's first disk job is a few dozen system calls (libtorrent
    /// reads /sys/block to learn the drive's kind), and four threads doing
    /// them took the cores from the network thread the torrents are added
    /// on: 100,000 loaded in 21-24 s with four, 15-16 s with one.
    case loadingSaved(Bool)

    var settings: [(String, String)] {
        switch self {
        case .redialing(let seconds):
            Self.pacing.settings.map { $0.0 == "min_reconnect_time" ? ($0.0, String(seconds)) : $0 }
        case .resting:
            Self.pacing.settings.map { $0.0 == "tick_interval" ? ($0.0, "500") : $0 }
        case .pacing:
            [
                // libtorrent dials known peers only on its once-a-second
                // tick, and the first one comes tick_interval (500 ms) after
                // start: every download began half a second late. At 100 ms
                // the first dial comes at once and rate limits are dealt out
                // more evenly.
                ("tick_interval", "100"),
                // 30 dials a second made 100 torrents added at once wait 3 s
                // for their peers; 100 a second started them all within one
                // second, and their writes then queued up faster than the
                // disk took them: 100 torrents of 4 MiB took as long at 50 a
                // second (2.1 s) for 14% less CPU (bench/download.sh).
                ("connection_speed", "50"),
                // A peer that refused a dial is tried again after this many
                // seconds times its failures (3 at most). At libtorrent's 60,
                // a --peer dialled while it was still checking its files (as
                // transmission-cli does at start) was left alone for a minute.
                ("min_reconnect_time", "10"),
                // libtorrent's default: 3 s of requests queued at each peer.
                ("request_queue_time", "3"),
            ]
        case .streaming:
            // libtorrent asks for pieces with deadlines once a tick, and
            // queues 3 s of requests at each peer, so a piece asked for now
            // comes after 3 s of others (at most 500 blocks). One second of
            // queue still keeps a loopback peer busy. And libtorrent drops
            // the seeds of a torrent that --range made "finished", then
            // waits min_reconnect_time before dialling them again: at 60 s
            // the next reader waited 59 s for its first byte; at 2 s, 1.9 s.
            [("tick_interval", "100"), ("connection_speed", "50"), ("min_reconnect_time", "2"),
             ("request_queue_time", "1")]
        case .queue(let limits):
            limits.settings
        case .loadingSaved(let loading):
            [("aio_threads", String(loading ? 1 : SessionConfiguration.diskThreads))]
        case .rates(let download, let upload):
            [("download_rate_limit", String(min(max(0, download), Int64(Int32.max)))),
             ("upload_rate_limit", String(min(max(0, upload), Int64(Int32.max))))]
        }
    }
}

/// `--max-active-downloads` / `--max-active-seeds`: libtorrent's queue runs
/// at most this many of each (nil: no limit) and the rest wait, queued.
public struct QueueLimits: Equatable, Sendable {
    public var downloads: Int?
    public var seeds: Int?

    public init(downloads: Int?, seeds: Int?) {
        self.downloads = downloads
        self.seeds = seeds
    }

    /// Slow torrents count like any other (libtorrent's default lets a
    /// stalled one make room for another, which would run more than the user
    /// asked for), and the queue is looked at every second rather than every 30.
    var settings: [(String, String)] {
        [("active_downloads", String(downloads ?? -1)), ("active_seeds", String(seeds ?? -1)),
         ("active_limit", "100000"), ("dont_count_slow_torrents", "false"),
         ("auto_manage_interval", "1"), ("auto_manage_startup", "0")]
    }
}
