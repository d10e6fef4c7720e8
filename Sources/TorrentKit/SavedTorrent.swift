import CBTX

/// A torrent as its resume data left it: what `status` and `files` show
/// when no session is running.
public struct SavedTorrent: Sendable {
    /// Rates and peers are zero; progress comes from the saved piece bitfield.
    public let status: TorrentStatus
    /// nil for a magnet saved before its metadata arrived.
    public let info: TorrentInfo?

    /// With `includeFiles`, `info.files` carries each file's saved progress and priority.
    public init(resumeData bytes: [UInt8], includeFiles: Bool = false) throws {
        var metainfo: UnsafeMutablePointer<btx_metainfo>?
        do {
            status = try Self.parse(bytes, includeFiles: includeFiles, metainfo: &metainfo)
        } catch {
            btx_metainfo_free(metainfo)
            throw error
        }
        // TorrentInfo(taking:) frees the metainfo, also when it throws.
        info = self.status.hasMetadata ? try TorrentInfo(taking: metainfo) : nil
        if !self.status.hasMetadata { btx_metainfo_free(metainfo) }
    }

    /// Its status alone: a daemon taking up 100,000 saved torrents needs no
    /// metainfo built for each only to be dropped.
    /// `torrent`: the handle it is shown under (a placeholder for one kept
    /// out of the session).
    public static func status(resumeData bytes: [UInt8], as torrent: Torrent = Torrent(rawValue: 0)) throws -> TorrentStatus {
        try parse(bytes, includeFiles: false, metainfo: nil, as: torrent)
    }

    /// The status the resume data holds; its metainfo too, into `metainfo` when given.
    private static func parse(_ bytes: [UInt8], includeFiles: Bool,
                              metainfo: UnsafeMutablePointer<UnsafeMutablePointer<btx_metainfo>?>?,
                              as torrent: Torrent = Torrent(rawValue: 0)) throws -> TorrentStatus {
        var status: UnsafeMutablePointer<btx_status>?
        let count = bytes.count
        _ = try (bytes.isEmpty ? [0] : bytes).withUnsafeBufferPointer { buffer in
            try check(btx_resume_parse(buffer.baseAddress, count, includeFiles ? 1 : 0, &status, metainfo))
        }
        guard let status else { throw TorrentKitError(.internal, "no status returned") }
        defer { btx_status_free(status, 1) }
        status.pointee.handle = torrent.rawValue
        return TorrentStatus(status.pointee)
    }

    /// The same resume data, saved as paused or not.
    public static func resumeData(_ bytes: [UInt8], paused: Bool) throws -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        let count = bytes.count
        _ = try (bytes.isEmpty ? [0] : bytes).withUnsafeBufferPointer {
            try check(btx_resume_set_paused($0.baseAddress, count, paused ? 1 : 0, &buffer, &length))
        }
        defer { btx_free_buffer(buffer) }
        return buffer.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    }
}

extension SavedTorrent {
    /// The .torrent file resume data holds (its info dictionary byte for
    /// byte: the same info-hash); TorrentKitError(.noMetadata) for a magnet
    /// whose metadata has not arrived.
    public static func torrentFile(resumeData bytes: [UInt8]) throws -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        let count = bytes.count
        _ = try (bytes.isEmpty ? [0] : bytes).withUnsafeBufferPointer {
            try check(btx_resume_torrent_file($0.baseAddress, count, &buffer, &length))
        }
        defer { btx_free_buffer(buffer) }
        return buffer.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    }

    /// The verified pieces in libtorrent's resume data (its "pieces" string,
    /// one byte per piece, bit 0 set when the piece is there); nil when it
    /// has none (a magnet without metadata, or data saved before any check).
    public static func savedPieces(resumeData bytes: [UInt8]) -> [Bool]? {
        guard case .dictionary(let fields)? = BencodeValue(bencoded: bytes),
              case .bytes(let pieces)? = fields.first(where: { $0.0 == Array("pieces".utf8) })?.1 else { return nil }
        return pieces.map { $0 & 1 != 0 }
    }
}
