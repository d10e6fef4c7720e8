import CBTX

/// The metadata of a .torrent file, read without a session.
public struct TorrentInfo: Sendable, Equatable {
    public struct Tracker: Sendable, Equatable {
        public let url: String
        public let tier: Int
    }

    public let name: String
    public let infoHashV1: String?
    public let infoHashV2: String?
    public let pieceLength: Int
    public let pieceCount: Int
    public let totalSize: Int64
    public let fileCount: Int
    public let isPrivate: Bool
    public let comment: String?
    public let creator: String?
    public let source: String?
    /// Unix seconds; nil when the torrent carries no date.
    public let creationDate: Int64?
    public let magnetURI: String
    public let trackers: [Tracker]
    public let webSeeds: [String]
    /// Empty unless parsed with `includeFiles: true`.
    public let files: [FileEntry]

    public var infoHash: String { infoHashV1 ?? infoHashV2 ?? "" }

    /// Parses .torrent bytes; throws TorrentKitError(.parse) for anything
    /// that is not a valid torrent. Skipping the file list keeps `btx info`
    /// fast on torrents with many files.
    public init(bytes: [UInt8], includeFiles: Bool = false) throws {
        var raw: UnsafeMutablePointer<btx_metainfo>?
        // A one-byte buffer stands in for empty input so the shim, not a NULL
        // check, reports it.
        let count = bytes.count
        _ = try (bytes.isEmpty ? [0] : bytes).withUnsafeBufferPointer { buffer in
            try check(btx_metainfo_parse(buffer.baseAddress, count, includeFiles ? 1 : 0, &raw))
        }
        try self.init(taking: raw)
    }

    /// What a magnet link names: hashes, name and trackers, but no files or pieces.
    public init(magnet: String) throws {
        var raw: UnsafeMutablePointer<btx_metainfo>?
        try check(btx_magnet_parse(magnet, &raw))
        try self.init(taking: raw)
    }

    init(taking raw: UnsafeMutablePointer<btx_metainfo>?) throws {
        guard let raw else { throw TorrentKitError(.internal, "no metainfo returned") }
        defer { btx_metainfo_free(raw) }
        let m = raw.pointee
        name = string(m.name)
        infoHashV1 = nonEmpty(string(fromTuple: m.info_hash_v1))
        infoHashV2 = nonEmpty(string(fromTuple: m.info_hash_v2))
        pieceLength = Int(m.piece_length)
        pieceCount = Int(m.num_pieces)
        totalSize = m.total_size
        fileCount = m.num_files
        isPrivate = m.is_private != 0
        comment = nonEmpty(string(m.comment))
        creator = nonEmpty(string(m.creator))
        source = nonEmpty(string(m.source))
        creationDate = m.creation_date > 0 ? m.creation_date : nil
        magnetURI = string(m.magnet_uri)
        trackers = (0..<m.num_trackers).map { Tracker(url: string(m.trackers[$0].url), tier: Int(m.trackers[$0].tier)) }
        webSeeds = (0..<m.num_web_seeds).map { string(m.web_seeds[$0]) }
        if let files = m.files {
            self.files = (0..<m.num_files).map { FileEntry(index: $0, files[$0]) }
        } else {
            self.files = []
        }
    }
}
