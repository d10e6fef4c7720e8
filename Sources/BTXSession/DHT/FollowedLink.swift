/// What a torrent added from a btpk link follows (BEP 46): the link as it
/// was given, and the sequence number of the version this torrent is. A
/// daemon looks the link up now and then (SessionHost+Following) and, when
/// the publisher has moved on, adds the new version beside this one.
public struct FollowedLink: Hashable {
    /// The btpk magnet: its key and salt, and the parameters (trackers, a
    /// name) every version's magnet carries.
    public let link: String
    public var seq: Int64
    /// The version this one took over from: removed, its data kept, once
    /// this one is complete.
    public var replaces: String?

    public init(link: String, seq: Int64, replaces: String? = nil) {
        self.link = link
        self.seq = seq
        self.replaces = replaces
    }

    public init?(json: JSON) {
        guard let link = json["link"]?.stringValue, let seq = json["seq"]?.intValue else { return nil }
        self.init(link: link, seq: seq, replaces: json["replaces"]?.stringValue)
    }

    /// As the settings file and an add request hold it.
    public var json: JSON {
        .object([("link", .string(link)), ("seq", .int(seq)), ("replaces", .optional(replaces))])
    }

    public var parsed: MutableTorrentLink? { (try? MutableTorrentLink(magnet: link)) ?? nil }
}

/// What a torrent document shows of the link its torrent follows.
public struct FollowDocument: Equatable {
    public var link: String
    public var publicKey: String
    public var seq: Int64

    public init(link: String, publicKey: String, seq: Int64) {
        self.link = link
        self.publicKey = publicKey
        self.seq = seq
    }

    public init?(_ followed: FollowedLink?) {
        guard let followed, let parsed = followed.parsed else { return nil }
        self.init(link: parsed.magnet, publicKey: parsed.publicKey, seq: followed.seq)
    }

    public init(json: JSON) throws {
        var r = try DocumentReader(json, "follows")
        link = try r.string("link")
        publicKey = try r.string("public_key")
        seq = try r.int("seq")
    }

    public var json: JSON { .object([("link", .string(link)), ("public_key", .string(publicKey)), ("seq", .int(seq))]) }

    static let contract = JSONObject(name: "FOLLOWS", fields: [
        JSONField("link", .string, "the btpk magnet link it follows (its key and salt)"),
        JSONField("public_key", .hex(64), "the publisher's ed25519 public key"),
        JSONField("seq", .integer(.count), "the sequence number of the version this torrent is"),
    ])
}
