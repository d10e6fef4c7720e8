import TorrentKit

/// A tracker of a torrent, as `btx trackers` shows it.
public struct TrackerDocument: Equatable {
    public var url: String
    public var tier: Int
    /// One of TrackerEntry.State's words.
    public var state: String
    /// Its last error or warning.
    public var message: String?
    public var lastAnnounce: Int64?
    public var nextAnnounce: Int64?
    /// The swarm as its last announce or scrape counted it; nil when unknown.
    public var seeds: Int?
    public var peers: Int?
    public var downloaded: Int?

    public init(_ tracker: TrackerEntry) {
        url = tracker.url
        tier = tracker.tier
        state = tracker.state.rawValue
        message = tracker.message
        lastAnnounce = tracker.lastAnnounce
        nextAnnounce = tracker.nextAnnounce
        seeds = tracker.seeds
        peers = tracker.peers
        downloaded = tracker.downloaded
    }

    public var json: JSON {
        .object([("url", .string(url)), ("tier", .int(tier)), ("state", .string(state)),
                 ("message", .optional(message)), ("last_announce", lastAnnounce.map(JSON.int) ?? .null),
                 ("next_announce", nextAnnounce.map(JSON.int) ?? .null), ("seeds", seeds.map(JSON.int) ?? .null),
                 ("peers", peers.map(JSON.int) ?? .null), ("downloaded", downloaded.map(JSON.int) ?? .null)])
    }

    public init(json: JSON) throws {
        var r = try DocumentReader(json, "tracker document")
        url = try r.string("url")
        tier = Int(try r.int("tier"))
        state = try r.string("state")
        message = try r.optionalString("message")
        lastAnnounce = try r.optionalInt("last_announce")
        nextAnnounce = try r.optionalInt("next_announce")
        seeds = try r.optionalInt("seeds").map(Int.init)
        peers = try r.optionalInt("peers").map(Int.init)
        downloaded = try r.optionalInt("downloaded").map(Int.init)
    }

    static let contract = JSONObject(name: "TRACKER", fields: [
        JSONField("url", .string, "announce URL"),
        JSONField("tier", .integer(.index), "its tier, tried in order"),
        JSONField("state", .oneWord(["not_contacted", "updating", "working", "error", "disabled"]), "how it answers"),
        JSONField("message", .nullable(.string), "its last error or warning; null without one"),
        JSONField("last_announce", .nullable(.integer(.unixSeconds)), "null before the first"),
        JSONField("next_announce", .nullable(.integer(.unixSeconds)), "null when none is due"),
        JSONField("seeds", .nullable(.integer(.count)), "seeds in the swarm, from the last announce or scrape; null when unknown"),
        JSONField("peers", .nullable(.integer(.count)), "peers in the swarm, the same way"),
        JSONField("downloaded", .nullable(.integer(.count)), "completed downloads it counted, the same way"),
    ])
}
