import CBTX

public enum TorrentFormat: String, Sendable, CaseIterable {
    /// BitTorrent v1 (BEP 3): read by every client.
    case v1
    /// BitTorrent v2 (BEP 52) only.
    case v2
    /// v1 and v2 metadata in one torrent, files padded to piece boundaries.
    case hybrid

    var code: Int32 {
        switch self {
        case .v1: Int32(BTX_FORMAT_V1.rawValue)
        case .v2: Int32(BTX_FORMAT_V2.rawValue)
        case .hybrid: Int32(BTX_FORMAT_HYBRID.rawValue)
        }
    }
}

public enum PieceLength {
    public static let minimum = 16 << 10
    public static let maximum = 16 << 20
    /// Piece counts above this make .torrent files and bitfields large for no gain.
    public static let targetPieces: Int64 = 2048

    /// The smallest power of two from 16 KiB to 16 MiB that keeps the piece
    /// count at or under 2048 (so 1024-2048 pieces once the content is over
    /// 32 MiB). v2 and hybrid torrents start every file on a fresh piece and
    /// hash the padding, so there each non-empty file is allowed one piece of
    /// its own on top of the 2048: many small files then get small pieces
    /// instead of hashing megabytes of zeros per file.
    public static func automatic(fileSizes: [Int64], format: TorrentFormat) -> Int {
        let sizes = fileSizes.filter { $0 > 0 }
        let total = sizes.reduce(0, +)
        let allowance = format == .v1 ? targetPieces : targetPieces + Int64(sizes.count)
        var length = minimum
        while length < maximum {
            let l = Int64(length)
            let count = format == .v1
                ? (total + l - 1) / l
                : sizes.reduce(0) { $0 + ($1 + l - 1) / l }
            if count <= allowance { break }
            length *= 2
        }
        return length
    }
}

/// Everything `btx create` can put in a torrent besides the files.
public struct TorrentOptions: Sendable {
    public var format: TorrentFormat = .v1
    /// nil = PieceLength.automatic
    public var pieceLength: Int?
    /// Announce URLs grouped in tiers, tried in order.
    public var trackerTiers: [[String]] = []
    public var webSeeds: [String] = []
    public var isPrivate = false
    public var comment: String?
    public var creator: String?
    public var source: String?
    /// Unix seconds; nil leaves the date out (reproducible torrents).
    public var creationDate: Int64?
    /// 0 = one hashing thread per core.
    public var threads = 0

    public init() {}
}

public enum TorrentCreator {
    /// Hashes `content` and returns the bencoded .torrent. `progress` gets
    /// (pieces hashed, pieces in all) on the calling thread; returning false
    /// cancels with TorrentKitError(.cancelled).
    public static func create(_ content: TorrentContent, options: TorrentOptions,
                              progress: ((Int64, Int64) -> Bool)? = nil) throws -> [UInt8] {
        try checkABI()
        let pieceLength = options.pieceLength
            ?? PieceLength.automatic(fileSizes: content.files.map(\.size), format: options.format)
        let trackers = options.trackerTiers.flatMap { $0 }
        let tiers = options.trackerTiers.enumerated().flatMap { tier, urls in urls.map { _ in Int32(tier) } }
        let sizes = content.files.map(\.size)
        let box = ProgressBox(progress)

        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        try withCStrings(content.files.map(\.path)) { paths in
            try withCStrings(trackers) { trackerURLs in
                try withCStrings(options.webSeeds) { seeds in
                    try withOptionalCString(options.comment) { comment in
                        try withOptionalCString(options.creator) { creator in
                            try withOptionalCString(options.source) { source in
                                try content.baseDirectory.withCString { base in
                                    var params = btx_create_params()
                                    params.base_dir = base
                                    params.file_paths = paths
                                    params.num_files = content.files.count
                                    params.format = options.format.code
                                    params.piece_length = Int32(clamping: pieceLength)
                                    params.trackers = trackerURLs
                                    params.num_trackers = trackers.count
                                    params.web_seeds = seeds
                                    params.num_web_seeds = options.webSeeds.count
                                    params.is_private = options.isPrivate ? 1 : 0
                                    params.comment = comment
                                    params.creator = creator
                                    params.source = source
                                    params.creation_date = options.creationDate ?? 0
                                    params.num_threads = Int32(clamping: options.threads)
                                    if progress != nil {
                                        params.progress = { context, done, total in
                                            let box = Unmanaged<ProgressBox>.fromOpaque(context!).takeUnretainedValue()
                                            return box.report(done, total) ? 0 : 1
                                        }
                                        params.progress_context = Unmanaged.passUnretained(box).toOpaque()
                                    }
                                    try sizes.withUnsafeBufferPointer { sizeBuffer in
                                        try tiers.withUnsafeBufferPointer { tierBuffer in
                                            params.file_sizes = sizeBuffer.baseAddress
                                            params.tracker_tiers = tierBuffer.baseAddress
                                            try check(btx_create_torrent(&params, &output, &length))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        defer { btx_free_buffer(output) }
        guard let output else { throw TorrentKitError(.internal, "no torrent returned") }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }
}

/// A Swift progress closure handed to the shim as a C callback's context.
final class ProgressBox {
    let callback: ((Int64, Int64) -> Bool)?
    init(_ callback: ((Int64, Int64) -> Bool)?) { self.callback = callback }
    func report(_ done: Int64, _ total: Int64) -> Bool { callback?(done, total) ?? true }
}
