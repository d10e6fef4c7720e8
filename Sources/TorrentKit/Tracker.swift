import CBTX

/// A tracker of a running torrent and what libtorrent knows of it.
public struct TrackerEntry: Sendable, Equatable {
    public enum State: String, Sendable {
        case notContacted = "not_contacted", updating, working, error, disabled
    }

    public let url: String
    /// 0 = tried first.
    public let tier: Int
    public let state: State
    /// The tracker's last error or warning, on one line.
    public let message: String?
    /// Unix seconds the last announce ended (answered or failed); nil when
    /// none has this session. Counted from events: a session whose events
    /// are never drained never sees one end.
    public let lastAnnounce: Int64?
    /// Unix seconds; nil when none is scheduled (paused, never started).
    public let nextAnnounce: Int64?
    /// Seeds the tracker counted at its last scrape or announce; nil unknown.
    public let seeds: Int?
    /// Downloaders, likewise.
    public let peers: Int?
    /// Completed downloads the tracker has counted.
    public let downloaded: Int?

    public init(url: String, tier: Int, state: State, message: String? = nil, lastAnnounce: Int64? = nil,
                nextAnnounce: Int64? = nil, seeds: Int? = nil, peers: Int? = nil, downloaded: Int? = nil) {
        self.url = url
        self.tier = tier
        self.state = state
        self.message = message
        self.lastAnnounce = lastAnnounce
        self.nextAnnounce = nextAnnounce
        self.seeds = seeds
        self.peers = peers
        self.downloaded = downloaded
    }

    init(_ t: btx_tracker_status) {
        let state: State
        switch btx_tracker_state(rawValue: UInt32(t.state)) {
        case BTX_TRACKER_UPDATING: state = .updating
        case BTX_TRACKER_WORKING: state = .working
        case BTX_TRACKER_ERROR: state = .error
        case BTX_TRACKER_DISABLED: state = .disabled
        default: state = .notContacted
        }
        let known = { (count: Int32) -> Int? in count >= 0 ? Int(count) : nil }
        self.init(url: string(t.url), tier: Int(t.tier), state: state, message: nonEmpty(string(t.message)),
                  lastAnnounce: t.last_announce > 0 ? t.last_announce : nil,
                  nextAnnounce: t.next_announce > 0 ? t.next_announce : nil,
                  seeds: known(t.seeds), peers: known(t.peers), downloaded: known(t.downloaded))
    }
}

extension Session {
    /// In tier order.
    public func trackers(_ torrent: Torrent) throws -> [TrackerEntry] {
        var items: UnsafeMutablePointer<btx_tracker_status>?
        var count = 0
        try check(btx_torrent_trackers(raw, torrent.rawValue, &items, &count))
        return takeArray(items, count, free: btx_tracker_statuses_free, TrackerEntry.init)
    }

    /// http, https or udp; tier 0...255. A no-op when the torrent has the
    /// URL already (wherever it is). A running torrent announces to it at once.
    public func addTracker(_ torrent: Torrent, url: String, tier: Int) throws {
        try check(btx_torrent_add_tracker(raw, torrent.rawValue, url, Int32(clamping: tier)))
    }

    /// Throws `.notFound` when the torrent has no such tracker. libtorrent
    /// forgets the others' announce state, and moves a udp:// tracker ahead
    /// of an http:// one of the same host (prefer_udp_trackers).
    public func removeTracker(_ torrent: Torrent, url: String) throws {
        try check(btx_torrent_remove_tracker(raw, torrent.rawValue, url))
    }

    /// Announces to every tracker now, whatever interval they asked for, and to the DHT.
    public func reannounce(_ torrent: Torrent) throws { try check(btx_torrent_reannounce(raw, torrent.rawValue)) }

    /// Scrapes every tracker; answers arrive as `.scrapeReply`/`.scrapeFailed`
    /// and in `trackers(_:)`. Throws `.notFound` when there are no trackers.
    public func scrape(_ torrent: Torrent) throws { try check(btx_torrent_scrape(raw, torrent.rawValue)) }
}
