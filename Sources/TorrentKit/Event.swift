import CBTX

/// What happened in a session, copied out of libtorrent's alerts.
public enum Event: Sendable, Equatable {
    case added(Torrent)
    case metadataReceived(Torrent)
    case stateChanged(Torrent, TorrentStatus.State)
    case finished(Torrent)
    case paused(Torrent)
    case resumed(Torrent)
    case checked(Torrent)
    case removed(infoHash: String)
    case filesDeleted(Torrent)
    /// `pieces`: how many pieces the data holds, which can be fewer than
    /// status showed when the save was asked (a piece hashed, not yet written).
    case resumeData(Torrent, infoHash: String, data: [UInt8], pieces: Int)
    case resumeDataFailed(Torrent, message: String)
    /// Answer to `requestResumeData(onlyIfModified: true)` when nothing changed.
    case resumeDataUnchanged(Torrent)
    case torrentError(Torrent, message: String)
    case fileError(Torrent, message: String)
    case hashFailed(Torrent, piece: Int)
    case trackerReply(Torrent, url: String, peers: Int)
    case trackerError(Torrent, url: String, message: String)
    case listening(port: Int)
    case listenFailed(message: String)
    case dhtBootstrapped
    case dhtItem(DHTItem)
    /// A put finished; `message` says "cas mismatch ..." when a CAS failed.
    case dhtPut(DHTItem, message: String)
    /// The IP filter refused or dropped a peer at `address` (no port); nil
    /// torrent for an incoming connection refused before it named one.
    case peerBlocked(Torrent?, address: String)
    /// `moveStorage` is done: the data is in `path`, the torrent's new save path.
    case storageMoved(Torrent, path: String)
    /// `moveStorage` failed ("PATH: REASON (OPERATION)"); the data stays where it was.
    case storageMoveFailed(Torrent, message: String)
    /// A scrape answered; the counts are in `trackers(_:)`.
    case scrapeReply(Torrent, url: String)
    case scrapeFailed(Torrent, url: String, message: String)
    /// A web seed failed; `url` is "" when it cannot be told apart from the torrent's others.
    case webSeedError(Torrent, url: String, message: String)
    /// Every piece of the file at `path` (in the torrent) is verified.
    case fileCompleted(Torrent, path: String)
    case other(code: Int, message: String)

    init(_ e: btx_event) {
        let torrent = Torrent(rawValue: e.torrent)
        let message = string(e.message)
        switch btx_event_type(rawValue: UInt32(e.type)) {
        case BTX_EVENT_ADDED: self = .added(torrent)
        case BTX_EVENT_METADATA_RECEIVED: self = .metadataReceived(torrent)
        case BTX_EVENT_STATE_CHANGED: self = .stateChanged(torrent, TorrentStatus.State(code: Int32(e.value)))
        case BTX_EVENT_FINISHED: self = .finished(torrent)
        case BTX_EVENT_PAUSED: self = .paused(torrent)
        case BTX_EVENT_RESUMED: self = .resumed(torrent)
        case BTX_EVENT_CHECKED: self = .checked(torrent)
        case BTX_EVENT_REMOVED: self = .removed(infoHash: string(fromTuple: e.info_hash))
        case BTX_EVENT_FILES_DELETED: self = .filesDeleted(torrent)
        case BTX_EVENT_RESUME_DATA:
            let bytes = e.data.map { Array(UnsafeBufferPointer(start: $0, count: e.data_len)) } ?? []
            self = .resumeData(torrent, infoHash: string(fromTuple: e.info_hash), data: bytes, pieces: Int(e.value))
        case BTX_EVENT_RESUME_DATA_FAILED: self = .resumeDataFailed(torrent, message: message)
        case BTX_EVENT_RESUME_DATA_UNCHANGED: self = .resumeDataUnchanged(torrent)
        case BTX_EVENT_TORRENT_ERROR: self = .torrentError(torrent, message: message)
        case BTX_EVENT_FILE_ERROR: self = .fileError(torrent, message: message)
        case BTX_EVENT_HASH_FAILED: self = .hashFailed(torrent, piece: Int(e.value))
        case BTX_EVENT_TRACKER_REPLY: self = .trackerReply(torrent, url: string(e.url), peers: Int(e.value))
        case BTX_EVENT_TRACKER_ERROR: self = .trackerError(torrent, url: string(e.url), message: message)
        case BTX_EVENT_LISTEN_SUCCEEDED: self = .listening(port: Int(e.value))
        case BTX_EVENT_LISTEN_FAILED: self = .listenFailed(message: message)
        case BTX_EVENT_DHT_BOOTSTRAPPED: self = .dhtBootstrapped
        case BTX_EVENT_DHT_ITEM where e.dht != nil: self = .dhtItem(DHTItem(e.dht.pointee))
        case BTX_EVENT_DHT_PUT where e.dht != nil: self = .dhtPut(DHTItem(e.dht.pointee), message: message)
        case BTX_EVENT_PEER_BLOCKED: self = .peerBlocked(e.torrent == 0 ? nil : torrent, address: message)
        case BTX_EVENT_STORAGE_MOVED: self = .storageMoved(torrent, path: message)
        case BTX_EVENT_STORAGE_MOVE_FAILED: self = .storageMoveFailed(torrent, message: message)
        case BTX_EVENT_SCRAPE_REPLY: self = .scrapeReply(torrent, url: string(e.url))
        case BTX_EVENT_SCRAPE_FAILED: self = .scrapeFailed(torrent, url: string(e.url), message: message)
        case BTX_EVENT_WEB_SEED_ERROR: self = .webSeedError(torrent, url: string(e.url), message: message)
        case BTX_EVENT_FILE_COMPLETED: self = .fileCompleted(torrent, path: message)
        default: self = .other(code: Int(e.type), message: message)
        }
    }
}
