import CBTX

public struct TorrentStatus: Sendable, Hashable {
    public enum State: String, Sendable, Codable {
        case checkingFiles = "checking"
        case downloadingMetadata = "metadata"
        case downloading
        case finished
        case seeding
        case checkingResumeData = "checking_resume"
        case unknown

        init(code: Int32) {
            switch code {
            case Int32(BTX_STATE_CHECKING_FILES.rawValue): self = .checkingFiles
            case Int32(BTX_STATE_DOWNLOADING_METADATA.rawValue): self = .downloadingMetadata
            case Int32(BTX_STATE_DOWNLOADING.rawValue): self = .downloading
            case Int32(BTX_STATE_FINISHED.rawValue): self = .finished
            case Int32(BTX_STATE_SEEDING.rawValue): self = .seeding
            case Int32(BTX_STATE_CHECKING_RESUME_DATA.rawValue): self = .checkingResumeData
            default: self = .unknown
            }
        }
    }

    public let torrent: Torrent
    public let infoHashV1: String?
    public let infoHashV2: String?
    public let name: String
    public let savePath: String
    public let error: String?
    public let state: State
    public let isPaused: Bool
    public let hasMetadata: Bool
    /// totalDone over totalWanted.
    public let progress: Double
    /// Every file's bytes; 0 until the metadata is known.
    public let totalSize: Int64
    /// The bytes of the pieces that hold wanted files (all of them unless
    /// some files are skipped).
    public let totalWanted: Int64
    /// Wanted bytes verified on disk.
    public let totalDone: Int64
    public let totalDownloaded: Int64
    public let totalUploaded: Int64
    /// Payload moved since this process added the torrent.
    public let sessionDownloaded: Int64
    public let sessionUploaded: Int64
    public let downloadRate: Int64
    public let uploadRate: Int64
    public let peers: Int
    public let seeds: Int
    public let pieces: Int
    public let piecesDone: Int
    public let addedTime: Int64
    public let completedTime: Int64
    /// 0 = first in line; nil when not queued (complete, or not auto-managed).
    public let queuePosition: Int?
    /// libtorrent's queue starts and stops it.
    public let isAutoManaged: Bool

    /// Stopped by libtorrent's queue rather than by the user (its paused
    /// flag is set either way).
    public var isQueued: Bool { isPaused && isAutoManaged }

    /// The v1 hash when there is one, else the v2 hash: what btx names torrents by.
    public var infoHash: String { infoHashV1 ?? infoHashV2 ?? "" }

    /// Every wanted byte is verified (seeding, or finished with some files skipped).
    public var isComplete: Bool { hasMetadata && (state == .seeding || state == .finished) }

    /// Uploaded over wanted size, the way other clients count share ratio.
    public var ratio: Double { totalWanted > 0 ? Double(totalUploaded) / Double(totalWanted) : 0 }

    /// Seconds to completion at the current rate; nil when unknown or stalled.
    public var eta: Int64? {
        guard downloadRate > 0, totalWanted > totalDone else { return nil }
        return (totalWanted - totalDone + downloadRate - 1) / downloadRate
    }

    init(_ s: btx_status) {
        torrent = Torrent(rawValue: s.handle)
        infoHashV1 = nonEmpty(string(fromTuple: s.info_hash_v1))
        infoHashV2 = nonEmpty(string(fromTuple: s.info_hash_v2))
        name = string(s.name)
        savePath = string(s.save_path)
        error = nonEmpty(string(s.error))
        state = State(code: s.state)
        isPaused = s.paused != 0
        hasMetadata = s.has_metadata != 0
        progress = s.progress
        totalSize = s.total_size
        totalWanted = s.total_wanted
        totalDone = s.total_done
        totalDownloaded = s.total_downloaded
        totalUploaded = s.total_uploaded
        sessionDownloaded = s.session_downloaded
        sessionUploaded = s.session_uploaded
        downloadRate = s.download_rate
        uploadRate = s.upload_rate
        peers = Int(s.num_peers)
        seeds = Int(s.num_seeds)
        pieces = Int(s.num_pieces)
        piecesDone = Int(s.pieces_done)
        addedTime = s.added_time
        completedTime = s.completed_time
        queuePosition = s.queue_position >= 0 ? Int(s.queue_position) : nil
        isAutoManaged = s.auto_managed != 0
    }
}
