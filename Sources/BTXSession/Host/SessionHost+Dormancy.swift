import Glibc
import TorrentKit

/// Torrents kept out of libtorrent. A daemon takes up a torrent its user
/// paused as a Tracked entry alone, shown from its saved status: libtorrent
/// holds 4.6 KiB for each paused torrent and checks its resume data at
/// load, for a torrent that does nothing until it is asked to. The first
/// request that needs libtorrent for it (resume, files, peers, verify, a
/// setting, a move) wakes it through `Tracked.torrent`; from then on it is
/// an ordinary torrent until the daemon stops. Its resume file already
/// holds all it shows, so it is never saved while dormant.
extension SessionHost {
    /// Taken up from `saved` (its resume data's status) it may stay out of
    /// libtorrent: paused by its user, in a daemon, and with nothing under
    /// way that libtorrent must carry on (a move, a link to follow, a folder
    /// it goes to when complete).
    func mayStayDormant(_ saved: TorrentStatus, chosen: ChosenSettings?, moving: Bool) -> Bool {
        mode == .daemon && saved.isPaused && !moving && chosen?.follows == nil && chosen?.destination == nil
    }

    /// A placeholder no other torrent of this run holds (4 billion a run).
    func nextPlaceholder() -> Torrent {
        dormantCount += 1
        return Torrent.placeholder(dormantCount)
    }

    /// Adds a dormant torrent to libtorrent as its resume file left it,
    /// paused. A failure is said and leaves it dormant: the call that
    /// needed it then fails on the placeholder, as on a removed torrent.
    /// Not on libtorrent's thread (Session.batch): it waits for libtorrent
    /// there; a batch wakes its torrents first (wakeAll).
    func wake(_ entry: Tracked) {
        guard entry.isDormant else { return }
        let placeholder = entry.handle
        do {
            guard let bytes = try directory.loadResumeData(entry.stateKey) else {
                throw BTXError.failure("\(directory.resumePath(entry.stateKey)) is gone")
            }
            var options = AddOptions()
            options.paused = true
            options.autoManaged = false
            let torrent = try session.add(.resumeData(bytes), options: options)
            entry.woke(as: torrent)
            registry.woke(entry, from: placeholder)
            ledger.track(torrent, resumedFrom: entry.lastStatus.map(SaveSignature.init))
            documents.moved(from: placeholder, to: torrent)
            if let chosen = try? directory.loadChosenSettings(entry.stateKey), !chosen.isEmpty {
                try apply(entry.settings, to: entry)
            }
            entry.lastStatus = try settledStatus(torrent)
        } catch {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, "could not take it up: \(error)", once: false)
        }
    }

    /// A dormant torrent's files, peers (none) or trackers (not contacted
    /// this run) as its resume file has them: a listing of many (a web
    /// front-end's tracker column) must not wake them all.
    func savedListing(_ method: ControlMethod, of entry: Tracked) throws -> JSON {
        guard method != .peers else { return .array([]) }
        guard let bytes = try directory.loadResumeData(entry.stateKey) else {
            throw BTXError.notFound("\(directory.resumePath(entry.stateKey)) is gone")
        }
        let info = try SavedTorrent(resumeData: bytes, includeFiles: method == .files).info
        if method == .files { return .array((info?.files ?? []).map { FileDocument($0).json }) }
        return .array((info?.trackers ?? []).map {
            TrackerDocument(TrackerEntry(url: $0.url, tier: $0.tier, state: .notContacted)).json
        })
    }

    /// Wakes those of `entries` that are dormant, ahead of a batch that reads them.
    func wakeAll(_ entries: [Tracked]) {
        for entry in entries where entry.isDormant { wake(entry) }
    }

    /// Its status once libtorrent has read its resume data (a few
    /// milliseconds): until then its files show no progress.
    private func settledStatus(_ torrent: Torrent) throws -> TorrentStatus {
        let deadline = monotonicSeconds() + 2
        var status = try session.status(torrent)
        while status.state == .checkingResumeData && monotonicSeconds() < deadline {
            usleep(1000)
            status = try session.status(torrent)
        }
        return status
    }
}
