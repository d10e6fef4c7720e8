import TorrentKit

/// A connected peer, as `btx peers` shows it.
public struct PeerDocument: Equatable {
    public var address: String
    public var client: String
    /// One letter per flag, as `btx help peers` documents: a fixed order, "-" for off.
    public var flags: String
    public var progress: Double
    public var downloadRate: Int64
    public var uploadRate: Int64
    /// This connection's payload.
    public var downloaded: Int64
    public var uploaded: Int64

    public init(_ peer: PeerInfo) {
        address = peer.address
        client = peer.client
        flags = peer.flagLetters
        progress = peer.progress
        downloadRate = peer.downloadRate
        uploadRate = peer.uploadRate
        downloaded = peer.totalDownloaded
        uploaded = peer.totalUploaded
    }

    public var json: JSON {
        .object([("address", .string(address)), ("client", .string(client)), ("flags", .string(flags)),
                 ("progress", .double(progress)), ("download_rate", .int(downloadRate)), ("upload_rate", .int(uploadRate)),
                 ("downloaded", .int(downloaded)), ("uploaded", .int(uploaded))])
    }

    public init(json: JSON) throws {
        var r = try DocumentReader(json, "peer document")
        address = try r.string("address")
        client = try r.string("client")
        flags = try r.string("flags")
        progress = try r.double("progress")
        downloadRate = try r.int("download_rate")
        uploadRate = try r.int("upload_rate")
        downloaded = try r.int("downloaded")
        uploaded = try r.int("uploaded")
    }

    static let contract = JSONObject(name: "PEER", fields: [
        JSONField("address", .string, "IP:PORT, [IPv6]:PORT"),
        JSONField("client", .string, "the client it names itself as"),
        JSONField("flags", .string, "eight letters, - when off: I we are interested, C they choke us, i they are interested, "
                      + "c we choke them, S seed, E encrypted, U uTP, R they connected to us"),
        JSONField("progress", .number(.fraction), "how much of the torrent it has"),
        JSONField("download_rate", .integer(.bytesPerSecond), "from it"),
        JSONField("upload_rate", .integer(.bytesPerSecond), "to it"),
        JSONField("downloaded", .integer(.bytes), "from it, this connection"),
        JSONField("uploaded", .integer(.bytes), "to it, this connection"),
    ])
}

extension PeerInfo {
    /// One letter per flag, as `btx help peers` documents: a fixed order, "-" for off.
    public var flagLetters: String {
        let letters: [(Flags, Character)] = [(.weAreInterested, "I"), (.theyChokeUs, "C"), (.theyAreInterested, "i"),
                                             (.weChokeThem, "c"), (.seed, "S"), (.encrypted, "E"), (.utp, "U"),
                                             (.incoming, "R")]
        return String(letters.map { flags.contains($0.0) ? $0.1 : "-" })
    }
}
