import CBTX

/// Where a torrent comes from when it is added to a session.
public enum TorrentSource: Sendable {
    case metainfo([UInt8])
    case magnet(String)
    /// libtorrent resume data (which carries the metainfo when it was saved with it).
    case resumeData([UInt8])
}

public struct AddOptions: Sendable {
    public var savePath: String?
    public var paused = false
    public var sequential = false
    /// Trust the files on disk without hashing them (for a freshly created torrent).
    public var seedMode = false
    public var trackers: [String] = []
    /// "host:port" or "[v6]:port" peers to connect to directly.
    public var peers: [String] = []
    /// One priority (0 skip .. 7 top) per file; empty = all default.
    public var filePriorities: [UInt8] = []
    /// Bytes per second; 0 = unlimited (or, with keepSavedSettings, the saved limit).
    public var downloadLimit: Int64 = 0
    public var uploadLimit: Int64 = 0
    /// Resume data's rate limits, sequential order, upload mode and
    /// auto-management stay, replaced only by what these options ask for
    /// explicitly: a limit > 0, `sequential`, `autoManaged` (turn on) and
    /// `paused` (turns auto-management off). Without it those four are this
    /// add's alone (see btx_torrent_add).
    public var keepSavedSettings = false
    /// libtorrent's queue starts and stops it (ignored when `paused`).
    public var autoManaged = false

    public init(savePath: String? = nil) { self.savePath = savePath }
}

/// A libtorrent session. Not thread-safe for concurrent mutation of the
/// Swift object itself, but every call may be made from any one thread.
public final class Session {
    let raw: OpaquePointer

    public convenience init(_ configuration: SessionConfiguration, dhtState: [UInt8] = []) throws {
        try self.init(settings: configuration.settings, dhtState: dhtState)
        if configuration.dht && configuration.isPrivateDHT {
            for node in configuration.dhtBootstrap ?? [] { try addDHTNode(node) }
        }
        if configuration.dht, configuration.proxy?.carriesUDP == true {
            proxiedDHTStart = ProxiedDHTStart(bootstrap: configuration.dhtBootstrap ?? [], savedState: dhtState)
        }
    }

    private var proxiedDHTStart: ProxiedDHTStart?

    /// `settings` are libtorrent settings_pack names and values, applied over
    /// the shim's defaults. `dhtState` is a blob from a previous `dhtState()`.
    public init(settings: [(String, String)] = [], dhtState: [UInt8] = []) throws {
        try checkABI()
        var session: OpaquePointer?
        try withSettings(settings) { list, count in
            try dhtState.withUnsafeBufferPointer { state in
                try check(btx_session_new(list, count, state.baseAddress, state.count, &session))
            }
        }
        guard let session else { throw TorrentKitError(.internal, "no session returned") }
        raw = session
    }

    deinit { btx_session_free(raw) }

    /// Stops libtorrent now and waits for it, rather than whenever this
    /// object goes; every other call fails afterwards.
    public func close() throws { try check(btx_session_close(raw)) }

    public func apply(_ profile: SettingsProfile) throws { try apply(settings: profile.settings) }

    func apply(settings: [(String, String)]) throws {
        try withSettings(settings) { list, count in try check(btx_session_apply_settings(raw, list, count)) }
    }

    /// The TCP port the session listens on, 0 while not yet listening.
    public var listenPort: Int {
        var port: Int32 = 0
        return (try? check(btx_session_listen_port(raw, &port))).map { _ in Int(port) } ?? 0
    }

    /// Peers waiting for the disk: for a write to finish before they
    /// receive more, and for a read before they send more.
    public func diskQueue() throws -> (waitingWrite: Int, waitingRead: Int) {
        var write: Int32 = 0, read: Int32 = 0
        try check(btx_session_disk_queue(raw, &write, &read))
        return (Int(write), Int(read))
    }

    public func dhtState() throws -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        try check(btx_session_dht_state(raw, &buffer, &length))
        defer { btx_free_buffer(buffer) }
        return buffer.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    }

    @discardableResult
    public func add(_ source: TorrentSource, options: AddOptions) throws -> Torrent {
        var handle: btx_torrent = 0
        var params = btx_add_params()
        params.flags = (options.paused ? UInt32(BTX_ADD_PAUSED) : 0)
            | (options.sequential ? UInt32(BTX_ADD_SEQUENTIAL) : 0)
            | (options.seedMode ? UInt32(BTX_ADD_SEED_MODE) : 0)
            | (options.keepSavedSettings ? UInt32(BTX_ADD_KEEP_SAVED_SETTINGS) : 0)
            | (options.autoManaged ? UInt32(BTX_ADD_AUTO_MANAGED) : 0)
        params.download_limit = options.downloadLimit
        params.upload_limit = options.uploadLimit
        let bytes: [UInt8]
        switch source {
        case .metainfo(let b), .resumeData(let b): bytes = b
        case .magnet: bytes = []
        }
        try withCStrings(options.trackers) { trackers in
            try withCStrings(options.peers) { peers in
                try withOptionalCString(options.savePath) { savePath in
                    try withOptionalCString({ if case .magnet(let uri) = source { uri } else { nil } }()) { magnet in
                        try (bytes.isEmpty ? [0] : bytes).withUnsafeBufferPointer { data in
                            try options.filePriorities.withUnsafeBufferPointer { priorities in
                                params.trackers = trackers
                                params.num_trackers = options.trackers.count
                                params.peers = peers
                                params.num_peers = options.peers.count
                                params.save_path = savePath
                                params.magnet_uri = magnet
                                params.file_priorities = priorities.baseAddress
                                params.num_file_priorities = priorities.count
                                switch source {
                                case .metainfo:
                                    params.metainfo = data.baseAddress
                                    params.metainfo_len = bytes.count
                                case .resumeData:
                                    params.resume_data = data.baseAddress
                                    params.resume_data_len = bytes.count
                                case .magnet: break
                                }
                                try check(btx_torrent_add(raw, &params, &handle))
                            }
                        }
                    }
                }
            }
        }
        return Torrent(rawValue: handle)
    }

    public func remove(_ torrent: Torrent, deleteFiles: Bool = false) throws {
        try check(btx_torrent_remove(raw, torrent.rawValue, deleteFiles ? 1 : 0))
    }

    public func pause(_ torrent: Torrent) throws { try check(btx_torrent_pause(raw, torrent.rawValue)) }
    public func resume(_ torrent: Torrent) throws { try check(btx_torrent_resume(raw, torrent.rawValue)) }
    public func recheck(_ torrent: Torrent) throws { try check(btx_torrent_force_recheck(raw, torrent.rawValue)) }

    public func connect(_ torrent: Torrent, to peer: String) throws {
        try check(btx_torrent_connect_peer(raw, torrent.rawValue, peer))
    }

    public func setFilePriorities(_ torrent: Torrent, _ priorities: [UInt8]) throws {
        try priorities.withUnsafeBufferPointer {
            _ = try check(btx_torrent_set_file_priorities(raw, torrent.rawValue, $0.baseAddress, $0.count))
        }
    }

    /// Asks for resume data; it arrives as `.resumeData` from `events(timeout:)`,
    /// or as `.resumeDataUnchanged` when `onlyIfModified` and nothing changed.
    public func requestResumeData(_ torrent: Torrent, onlyIfModified: Bool = false) throws {
        try check(btx_torrent_save_resume(raw, torrent.rawValue, onlyIfModified ? 1 : 0))
    }

    public func find(infoHash: String) throws -> Torrent {
        var handle: btx_torrent = 0
        try check(btx_torrent_find(raw, infoHash, &handle))
        return Torrent(rawValue: handle)
    }

    public func status(_ torrent: Torrent) throws -> TorrentStatus {
        // Handle 0 asks the shim for every torrent's. An event that came
        // after its torrent was removed names 0: it is no torrent's, not
        // the first one's (and with none in the session there is no first).
        guard torrent.rawValue != 0, let status = try statuses(of: torrent.rawValue).first else {
            throw TorrentKitError(.badHandle, "no such torrent handle")
        }
        return status
    }

    /// Every torrent's status, fetched in one round trip.
    public func statuses() throws -> [TorrentStatus] { try statuses(of: 0) }

    /// Asks for the statuses of the torrents that changed since the last
    /// ask; they come in with `events(timeout:)`, for `statusUpdates()`.
    /// libtorrent computes none for an idle torrent.
    public func requestStatusUpdates() throws { try check(btx_session_post_status_updates(raw)) }

    /// The statuses that came in since the last call, oldest first.
    public func statusUpdates() throws -> [TorrentStatus] {
        var items: UnsafeMutablePointer<btx_status>?
        var count = 0
        try check(btx_session_status_updates(raw, &items, &count))
        return takeArray(items, count, free: btx_status_free, TorrentStatus.init)
    }

    /// The statuses of the torrents that changed, as of now: libtorrent
    /// answers after every call made before (a pause just asked for shows).
    /// Waits up to `timeout` seconds; events that came in meanwhile wait
    /// for `events(timeout:)`, which the wake descriptor says are there.
    public func currentStatusUpdates(timeout: Double) throws -> [TorrentStatus] {
        var items: UnsafeMutablePointer<btx_status>?
        var count = 0
        try check(btx_session_status_updates_now(raw, Int32(clamping: Int((timeout * 1000).rounded())), &items, &count))
        return takeArray(items, count, free: btx_status_free, TorrentStatus.init)
    }

    private func statuses(of handle: btx_torrent) throws -> [TorrentStatus] {
        var items: UnsafeMutablePointer<btx_status>?
        var count = 0
        try check(btx_torrent_status(raw, handle, &items, &count))
        return takeArray(items, count, free: btx_status_free, TorrentStatus.init)
    }

    public func files(_ torrent: Torrent) throws -> [FileEntry] {
        var items: UnsafeMutablePointer<btx_file>?
        var count = 0
        try check(btx_torrent_files(raw, torrent.rawValue, &items, &count))
        return fileEntries(items, count)
    }

    /// Renames file `index` to `path` under the save path, in libtorrent's own time.
    public func renameFile(_ torrent: Torrent, index: Int, to path: String) throws {
        try check(btx_torrent_rename_file(raw, torrent.rawValue, Int32(clamping: index), path))
    }

    public func peers(_ torrent: Torrent) throws -> [PeerInfo] {
        var items: UnsafeMutablePointer<btx_peer>?
        var count = 0
        try check(btx_torrent_peers(raw, torrent.rawValue, &items, &count))
        return takeArray(items, count, free: btx_peers_free, PeerInfo.init)
    }

    /// Waits up to `timeout` seconds for events, then returns all pending ones.
    public func events(timeout: Double = 0) throws -> [Event] {
        proxiedDHTStart?.tend(self)
        var items: UnsafeMutablePointer<btx_event>?
        var count = 0
        try check(btx_session_events(raw, Int32(clamping: Int((timeout * 1000).rounded())), &items, &count))
        return takeArray(items, count, free: btx_events_free, Event.init)
    }
}

@discardableResult
private func withSettings<R>(_ settings: [(String, String)],
                             _ body: (UnsafePointer<btx_setting>?, Int) throws -> R) throws -> R {
    try withCStrings(settings.map(\.0)) { names in
        try withCStrings(settings.map(\.1)) { values in
            let list = (0..<settings.count).map { btx_setting(name: names![$0], value: values![$0]) }
            return try list.withUnsafeBufferPointer { try body($0.baseAddress, $0.count) }
        }
    }
}

extension Session {
    /// Turns readable when events are waiting: for poll() loops that also
    /// watch sockets. Read its bytes away, then call `events(timeout: 0)`.
    public func wakeDescriptor() throws -> Int32 {
        var fd: Int32 = -1
        try check(btx_session_wake_fd(raw, &fd))
        return fd
    }
}
