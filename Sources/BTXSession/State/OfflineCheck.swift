import TorrentKit

/// `verify` without a running session: the saved torrent is checked in a
/// session of its own that talks to no one (loopback only, no DHT, no
/// local discovery, no port mapping, the torrent paused), and the result is
/// saved as its new resume data, paused or not as it was.
public func checkSavedTorrent(_ saved: SavedTorrent, directory: StateDirectory,
                       progress: (TorrentStatus) -> Void) throws -> TorrentStatus {
    let hash = saved.status.infoHash
    guard saved.info != nil, let bytes = try directory.loadResumeData(hash) else {
        throw BTXError.failure("\(saved.status.name): the metadata has not arrived yet; nothing to verify")
    }
    var configuration = SessionConfiguration()
    configuration.dht = false
    try configuration.listen(on: "127.0.0.1:0")
    let session = try Session(configuration)
    var options = AddOptions()
    options.paused = true
    let torrent = try session.add(.resumeData(bytes), options: options)
    // Loading resume data ends with a "checked" event of its own; the
    // recheck starts after it, so its own is the one to wait for.
    while try session.status(torrent).state == .checkingResumeData { _ = try session.events(timeout: 0.01) }
    _ = try session.events(timeout: 0)
    try session.recheck(torrent)
    var checked = false
    var lastProgress = -1.0
    while !checked {
        if interruptRequested() {
            throw BTXError(exitCode: interruptExitCode(), message: "verify interrupted; the saved state is unchanged")
        }
        for event in try session.events(timeout: 0.1) {
            if case .checked(torrent) = event { checked = true }
            if case .torrentError(torrent, let message) = event { throw BTXError.failure("\(saved.status.name): \(message)") }
            if case .fileError(torrent, let message) = event { throw BTXError.failure("\(saved.status.name): \(message)") }
        }
        let status = try session.status(torrent)
        if status.progress != lastProgress {
            lastProgress = status.progress
            progress(status)
        }
    }
    let status = try session.status(torrent)
    try session.requestResumeData(torrent)
    while true {
        for event in try session.events(timeout: 1) {
            switch event {
            case .resumeData(torrent, _, let data, _):
                try directory.saveResumeData(try SavedTorrent.resumeData(data, paused: saved.status.isPaused), for: hash)
                return status
            case .resumeDataFailed(torrent, let message):
                throw BTXError.failure("\(saved.status.name): could not save the result: \(message)")
            default: break
            }
        }
    }
}
