import CBTX

/// Where a torrent's pieces stand, one entry per piece.
public struct PieceMap: Sendable, Equatable {
    /// Verified pieces.
    public let have: [Bool]
    /// Pieces with blocks requested, arriving or being written.
    public let downloading: [Bool]
    /// Verified pieces whose last blocks are still being written: not yet
    /// readable from the file by another process.
    public let writing: [Bool]
    /// Connected peers that have each piece.
    public let availability: [Int]
    /// Bytes per piece (the last one may be shorter): where a byte of the torrent lies.
    public let pieceLength: Int

    public init(have: [Bool], downloading: [Bool], availability: [Int], pieceLength: Int = 0, writing: [Bool] = []) {
        self.pieceLength = pieceLength
        self.have = have
        self.downloading = downloading
        self.availability = availability
        self.writing = writing
    }

    /// Verified and written: what a reader of the file sees is the piece.
    public func isOnDisk(_ piece: Int) -> Bool {
        have[piece] && !(piece < writing.count && writing[piece])
    }

    /// `have` packed as the BitTorrent bitfield message packs it: piece 0 is
    /// the high bit of the first byte, the last byte padded with zeros.
    public var bitfieldHex: String {
        var bytes = [UInt8](repeating: 0, count: (have.count + 7) / 8)
        for (piece, has) in have.enumerated() where has { bytes[piece / 8] |= 0x80 >> UInt8(piece % 8) }
        return lowercaseHex(bytes)
    }
}

extension Session {
    /// Throws `.noMetadata` until the torrent's metadata is known.
    public func pieceMap(_ torrent: Torrent) throws -> PieceMap {
        var raw: UnsafeMutablePointer<btx_piece_map>?
        try check(btx_torrent_piece_map(self.raw, torrent.rawValue, &raw))
        defer { btx_piece_map_free(raw) }
        guard let map = raw?.pointee else { throw TorrentKitError(.internal, "no piece map returned") }
        let states = UnsafeBufferPointer(start: map.states, count: map.num_pieces)
        let counts = UnsafeBufferPointer(start: map.availability, count: map.num_pieces)
        return PieceMap(have: states.map { $0 & UInt8(BTX_PIECE_HAVE) != 0 },
                        downloading: states.map { $0 & UInt8(BTX_PIECE_DOWNLOADING) != 0 },
                        availability: counts.map { Int($0) }, pieceLength: Int(map.piece_length),
                        writing: states.map { $0 & UInt8(BTX_PIECE_WRITING) != 0 })
    }

    /// One priority (0 = skip ... 7 = top) per piece. File priorities set
    /// later replace these.
    public func setPiecePriorities(_ torrent: Torrent, _ priorities: [UInt8]) throws {
        try priorities.withUnsafeBufferPointer {
            _ = try check(btx_torrent_set_piece_priorities(raw, torrent.rawValue, $0.baseAddress, $0.count))
        }
    }

    /// Asks for `piece` within `milliseconds`: such pieces are requested
    /// first, soonest deadline first (for streaming).
    public func setPieceDeadline(_ torrent: Torrent, piece: Int, milliseconds: Int) throws {
        try check(btx_torrent_set_piece_deadline(raw, torrent.rawValue, Int32(clamping: piece), Int32(clamping: milliseconds)))
    }

    public func clearPieceDeadlines(_ torrent: Torrent) throws {
        try check(btx_torrent_clear_piece_deadlines(raw, torrent.rawValue))
    }
}
