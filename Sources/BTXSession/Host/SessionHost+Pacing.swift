import TorrentKit

/// The session-wide pacing in force, chosen from what the session is doing:
/// a reader waiting for bytes (streaming), a torrent waiting for a peer the
/// user named (redialing), a daemon with no torrent running (resting), or
/// none of those (btx's own pacing).
extension SessionHost {
    /// A peer named with --peer that refused the first dial (it had not added
    /// the torrent yet) was dialled again after btx's 10 s, and qBittorrent's
    /// after 11.9 s instead of 0.9 s. While a torrent that is not done has
    /// named peers and no peer at all, refused peers are redialled after 1 s,
    /// then 2 s and on, back to btx's 10 s after about 20 s of waiting.
    static func redialDelay(waitedFor seconds: Double) -> Int { min(10, 1 + Int(max(0, seconds)) / 2) }

    /// Puts the pacing the session's state asks for in force, when it changed.
    func updatePacing(now: Double = monotonicSeconds()) {
        let wanted: SettingsProfile
        if !streams.isEmpty {
            wanted = .streaming
        } else if registry.dialingNamedPeers.values.contains(where: awaitsNamedPeer) {
            if namedPeerWaitStarted == nil { namedPeerWaitStarted = now }
            let delay = Self.redialDelay(waitedFor: now - (namedPeerWaitStarted ?? now))
            wanted = delay < 10 ? .redialing(seconds: delay) : .pacing
            // Each step names them again: a peer whose client was not up yet
            // (a refused connect counts as a failure, and three drop it) stays
            // one libtorrent dials.
            if wanted != pacing {
                for entry in registry.dialingNamedPeers.values where awaitsNamedPeer(entry) {
                    for peer in entry.peers { try? session.connect(entry.torrent, to: peer) }
                }
            }
        } else {
            namedPeerWaitStarted = nil
            wanted = mode == .daemon && registry.running.isEmpty ? .resting : .pacing
        }
        guard wanted != pacing else { return }
        if (try? session.apply(wanted)) != nil { pacing = wanted }
    }

    /// A torrent about to run is dialled at btx's pace from the start, not
    /// from the status that shows it running.
    func stopResting() {
        guard pacing == .resting, (try? session.apply(.pacing)) != nil else { return }
        pacing = .pacing
    }

    /// Resting, with nothing that settles on a clock rather than an event
    /// (a DHT lookup's quiet second, a tracker's answer, a hook, a copy):
    /// the loop wakes once a second, not four times, when nothing happens.
    var waitsLong: Bool {
        pacing == .resting && dht.isEmpty && followLookups.requests.isEmpty && trackerWaits.isEmpty && hooks.isEmpty
            && placements.isEmpty
    }

    /// Running, not done, told of peers by the user, and connected to none.
    private func awaitsNamedPeer(_ entry: Tracked) -> Bool {
        guard entry.dialsNamedPeers, let status = entry.lastStatus else { return false }
        return status.peers == 0 && !status.isPaused
    }
}
