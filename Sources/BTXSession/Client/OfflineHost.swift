import TorrentKit

/// A request for saved torrents when no session runs, answered by the same
/// host code a running session uses: the torrents it names are loaded from
/// their resume data into a session that talks to no one, the request is
/// answered, and their resume data saved again. One code path for a live
/// torrent and a saved one, and libtorrent itself writes the result.
enum OfflineHost {
    /// `deadline`: how long a deferred answer (a move) may take.
    static func answer(_ request: JSON, directory: StateDirectory, warn: @escaping (String) -> Void,
                       deadline seconds: Double = 3600) throws -> JSON {
        // Held throughout: no session may start on these files meanwhile.
        let lock = try StateLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let host = try SessionHost(configuration: .offline, directory: directory, observer: QuietObserver(warn: warn),
                                   mode: .offline)
        host.resumeSavedTorrents(try savedHashes(named: request["params"] ?? .null, directory: directory, warn: warn))
        try host.waitForSavedPieces(until: monotonicSeconds() + 10)
        let client: UInt64 = 1
        var reply = host.answer(request, client: client)
        let deadline = monotonicSeconds() + seconds
        while reply == nil {
            if interruptRequested() || monotonicSeconds() > deadline { break }
            try host.step()
            reply = host.offlineReplies.removeValue(forKey: client)
        }
        try host.shutdown()
        guard let reply else {
            throw BTXError(exitCode: interruptRequested() ? interruptExitCode() : .failure,
                           message: "stopped before the request finished; the saved state is as libtorrent left it")
        }
        return try ControlClient.unwrap(reply)
    }

    /// The saved torrent `params.torrent` names; every saved one when the
    /// request names none (pause --all).
    private static func savedHashes(named params: JSON, directory: StateDirectory,
                                    warn: (String) -> Void) throws -> [String] {
        guard let query = params["torrent"]?.stringValue else { return try directory.savedHashes() }
        let saved = loadSavedTorrents(directory, warn: warn)
        return [try select(query, from: saved, key: \.key).status.infoHash]
    }
}

extension SessionConfiguration {
    /// A session that reaches no one: loopback only, no DHT, no local
    /// discovery, no port mapping.
    static var offline: SessionConfiguration {
        var configuration = SessionConfiguration()
        configuration.dht = false
        configuration.localPeerDiscovery = false
        configuration.upnp = false
        configuration.natpmp = false
        try? configuration.listen(on: "127.0.0.1:0")
        return configuration
    }
}

/// Offline, only warnings are worth saying; the command prints the answer.
private final class QuietObserver: SessionObserver {
    let warn: (String) -> Void
    init(warn: @escaping (String) -> Void) { self.warn = warn }

    func warning(name: String?, infoHash: String?, _ message: String, once: Bool) {
        warn(name.map { "\($0): \(message)" } ?? message)
    }
}
