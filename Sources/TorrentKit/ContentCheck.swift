import CBTX

/// Data on disk checked against a .torrent's piece hashes, with no session:
/// which pieces and files are good, bad or missing.
public struct ContentCheck: Sendable, Equatable {
    public enum State: String, Sendable {
        /// There, and every hash matches.
        case good
        /// A piece failed its hash; a file also when it is longer than the torrent says.
        case bad
        /// Not on disk: a file absent, or a piece with bytes past a file's end.
        case missing
        /// Files only: there, nothing bad, but some of its pieces are missing
        /// (it is short, or shares a piece with a missing file).
        case incomplete
    }

    public struct File: Sendable, Equatable {
        /// Counts real files, as `FileEntry.index` does.
        public let index: Int
        /// Relative to the save path.
        public let path: String
        public let size: Int64
        /// nil when there is no regular file.
        public let sizeOnDisk: Int64?
        public let state: State
        /// The pieces that hold some of it: `pieces` of them from
        /// `firstPiece` on (nil for an empty file), `piecesGood` of them good.
        public let firstPiece: Int?
        public let pieces: Int
        public let piecesGood: Int
    }

    public let pieces: [State]
    public let files: [File]
    /// 1: SHA-1 pieces (v1 and hybrid torrents); 2: SHA-256 piece layers (v2).
    public let hashVersion: Int

    public var isComplete: Bool { pieces.allSatisfy { $0 == .good } && files.allSatisfy { $0.state == .good } }

    public func count(_ state: State) -> Int { pieces.reduce(0) { $0 + ($1 == state ? 1 : 0) } }

    /// Reads the torrent's files under `savePath` on `threads` threads (0 =
    /// one per core). `progress` gets (pieces checked, pieces in all) on the
    /// calling thread; returning false cancels with `.cancelled`. Throws
    /// `.parse` for bytes that are not a torrent, `.io` for a file that is
    /// there but cannot be read.
    public static func run(metainfo: [UInt8], savePath: String, threads: Int = 0,
                           progress: ((Int64, Int64) -> Bool)? = nil) throws -> ContentCheck {
        let box = ProgressBox(progress)
        var raw: UnsafeMutablePointer<btx_content_check>?
        let count = metainfo.count
        let callback: btx_progress_fn? = progress == nil ? nil : { context, done, total in
            Unmanaged<ProgressBox>.fromOpaque(context!).takeUnretainedValue().report(done, total) ? 0 : 1
        }
        try withExtendedLifetime(box) {
            _ = try (metainfo.isEmpty ? [0] : metainfo).withUnsafeBufferPointer { bytes in
                try check(btx_check_content(bytes.baseAddress, count, savePath, Int32(clamping: threads), callback,
                                            Unmanaged.passUnretained(box).toOpaque(), &raw))
            }
        }
        defer { btx_content_check_free(raw) }
        guard let result = raw?.pointee else { throw TorrentKitError(.internal, "no check returned") }
        let pieces = UnsafeBufferPointer(start: result.pieces, count: result.num_pieces).map { State(code: Int32($0)) }
        let files = (0..<result.num_files).map { i -> File in
            let f = result.files[i]
            return File(index: i, path: string(f.path), size: f.size, sizeOnDisk: f.size_on_disk >= 0 ? f.size_on_disk : nil,
                        state: State(code: f.state), firstPiece: f.first_piece >= 0 ? Int(f.first_piece) : nil,
                        pieces: Int(f.pieces), piecesGood: Int(f.pieces_good))
        }
        return ContentCheck(pieces: pieces, files: files, hashVersion: Int(result.hash_version))
    }
}

extension ContentCheck.State {
    init(code: Int32) {
        switch btx_content_state(rawValue: UInt32(code)) {
        case BTX_CONTENT_GOOD: self = .good
        case BTX_CONTENT_BAD: self = .bad
        case BTX_CONTENT_INCOMPLETE: self = .incomplete
        default: self = .missing
        }
    }
}
