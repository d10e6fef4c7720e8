/// Changes to a .torrent file that keep every byte they do not change.
/// Trackers, web seeds and the comment live outside the info dictionary and
/// leave the info-hash as it was; the private flag and the source tag live
/// in it and change the hash (the torrent joins another swarm).
public struct MetainfoEdit: Sendable, Equatable {
    /// Replaces the announce list: a list of tiers, each a list of URLs.
    public var replaceTrackers: [[String]]?
    public var removeTrackers: [String] = []
    public var addTrackers: [String] = []
    /// Where added trackers go: all into this tier (from 0; past the last
    /// one, into one new tier at the end), or with nil each into a new tier
    /// of its own at the end. A URL the torrent has already stays where it is.
    public var addTier: Int?
    public var addWebSeeds: [String] = []
    public var removeWebSeeds: [String] = []
    /// "" removes the comment.
    public var comment: String?
    public var isPrivate: Bool?
    /// "" removes the source tag.
    public var source: String?

    public init() {}

    /// Whether it touches the info dictionary (and so the info-hash).
    public var editsInfo: Bool { isPrivate != nil || source != nil }

    public var isEmpty: Bool { self == MetainfoEdit() }

    /// The edited torrent. Throws `.parse` for bytes that are not a torrent,
    /// `.invalidArgument` for a URL that is not one (trackers: http, https,
    /// udp; web seeds: http, https) or a negative tier, and `.notFound` for
    /// a tracker or web seed to remove that the torrent does not have.
    /// Nothing outside what was asked changes: an edit that leaves the info
    /// dictionary alone leaves the info-hash alone, checked by reading the
    /// result back.
    public func apply(to bytes: [UInt8]) throws -> [UInt8] {
        let before = try TorrentInfo(bytes: bytes)
        guard var root = RawBencodeDictionary(bencoded: bytes) else {
            throw TorrentKitError(.parse, "not a bencoded dictionary")
        }
        try editTrackers(&root)
        try editWebSeeds(&root)
        if let comment {
            root.set("comment", comment.isEmpty ? nil : BencodeValue.string(comment).bencoded)
            // Some creators add a second copy; a stale one would contradict the new text.
            root.set("comment.utf-8", nil)
        }
        if editsInfo, let infoBytes = root["info"] {
            guard var info = RawBencodeDictionary(bencoded: infoBytes) else {
                throw TorrentKitError(.parse, "the info dictionary is not a bencoded dictionary")
            }
            if let isPrivate { info.set("private", isPrivate ? Array("i1e".utf8) : nil) }
            if let source { info.set("source", source.isEmpty ? nil : BencodeValue.string(source).bencoded) }
            root.set("info", info.bencoded)
        }
        let edited = root.bencoded
        let after = try TorrentInfo(bytes: edited)
        if !editsInfo && (after.infoHashV1 != before.infoHashV1 || after.infoHashV2 != before.infoHashV2) {
            throw TorrentKitError(.internal, "the edit changed the info-hash although it left the info dictionary alone")
        }
        return edited
    }

    private func editTrackers(_ root: inout RawBencodeDictionary) throws {
        guard replaceTrackers != nil || !removeTrackers.isEmpty || !addTrackers.isEmpty else { return }
        let hadList = root["announce-list"] != nil
        var tiers = replaceTrackers ?? Self.tiers(in: root)
        for url in (replaceTrackers ?? []).joined() + addTrackers where !Self.isTrackerURL(url) {
            throw TorrentKitError(.invalidArgument, "'\(url)' is not a tracker URL (http://, https:// or udp://)")
        }
        for url in removeTrackers {
            guard tiers.contains(where: { $0.contains(url) }) else {
                throw TorrentKitError(.notFound, "the torrent has no tracker \(url)")
            }
            tiers = tiers.map { $0.filter { $0 != url } }
        }
        tiers = tiers.filter { !$0.isEmpty }
        if let addTier, addTier < 0 { throw TorrentKitError(.invalidArgument, "tier \(addTier) is negative") }
        var newTier: [String] = []
        for url in addTrackers where !tiers.joined().contains(url) && !newTier.contains(url) {
            if let addTier, addTier < tiers.count {
                tiers[addTier].append(url)
            } else if addTier != nil {
                newTier.append(url)
            } else {
                tiers.append([url])
            }
        }
        if !newTier.isEmpty { tiers.append(newTier) }
        let urls = tiers.joined()
        root.set("announce", urls.first.map { BencodeValue.string($0).bencoded })
        let list = BencodeValue.list(tiers.map { .list($0.map(BencodeValue.string)) })
        root.set("announce-list", urls.count > 1 || (hadList && !urls.isEmpty) ? list.bencoded : nil)
    }

    private func editWebSeeds(_ root: inout RawBencodeDictionary) throws {
        guard !addWebSeeds.isEmpty || !removeWebSeeds.isEmpty else { return }
        var seeds: [String]
        switch root.value("url-list") {
        case .bytes?: seeds = root.value("url-list")?.text.map { [$0] } ?? []
        case .list(let items)?: seeds = items.compactMap(\.text)
        default: seeds = []
        }
        seeds = seeds.filter { !$0.isEmpty }
        for url in removeWebSeeds {
            guard seeds.contains(url) else { throw TorrentKitError(.notFound, "the torrent has no web seed \(url)") }
            seeds.removeAll { $0 == url }
        }
        for url in addWebSeeds where !seeds.contains(url) {
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), Self.isCleanURL(url) else {
                throw TorrentKitError(.invalidArgument, "'\(url)' is not a web seed URL (http:// or https://)")
            }
            seeds.append(url)
        }
        root.set("url-list", seeds.isEmpty ? nil : BencodeValue.list(seeds.map(BencodeValue.string)).bencoded)
    }

    /// The announce list as BEP 12 has it: announce-list when there is one,
    /// else the lone announce URL.
    static func tiers(in root: RawBencodeDictionary) -> [[String]] {
        if case .list(let tiers)? = root.value("announce-list") {
            let list = tiers.map { tier -> [String] in
                guard case .list(let urls) = tier else { return [] }
                return urls.compactMap(\.text).filter { !$0.isEmpty }
            }.filter { !$0.isEmpty }
            if !list.isEmpty { return list }
        }
        return root.value("announce")?.text.flatMap { $0.isEmpty ? nil : [[$0]] } ?? []
    }

    public static func isTrackerURL(_ url: String) -> Bool {
        ["http://", "https://", "udp://"].contains { url.hasPrefix($0) && url.count > $0.count } && isCleanURL(url)
    }

    /// No spaces or control characters, which a request would carry on.
    static func isCleanURL(_ url: String) -> Bool {
        !url.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7f }
    }
}
