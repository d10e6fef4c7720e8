import TorrentKit

/// A torrent's status document, rendered from its status and what the host
/// knows of it, and kept encoded while what it shows stays the same: a
/// status of 5,000 mostly idle torrents was 200,000 JSON values built and
/// written per request (50 of its 80 ms).
final class StatusDocuments {
    /// Boxed: a dictionary of the inputs themselves (a status is hundreds of
    /// bytes) kept a third of its slots empty, 0.3 KiB a torrent. And the
    /// inputs are kept as their hash: a stale document would need two of a
    /// torrent's states to hash alike in 64 bits, and each kept status cost
    /// about a kilobyte more.
    private final class Rendered {
        let shown: Int
        /// The torrent's status it was last found current with, and the
        /// hash of what btx adds to it: a status of 100,000 idle torrents
        /// checks these, not a hash of every status (a third of its time).
        var statusVersion: Int
        let facts: Int
        let infoHash: String
        let bytes: [UInt8]
        /// The revision at which it last changed.
        let revision: Int64
        init(_ shown: StatusDocumentInputs, statusVersion: Int, _ bytes: [UInt8], _ revision: Int64) {
            self.shown = shown.hashValue
            self.statusVersion = statusVersion
            facts = shown.facts.hashValue
            infoHash = shown.status.infoHash
            self.bytes = bytes
            self.revision = revision
        }
    }

    private var rendered: [Torrent: Rendered] = [:]
    /// Counts every change of a document and every removal: a client that
    /// remembers it asks for what changed since (`status` with `since`).
    private(set) var revision: Int64 = 0
    /// Torrents removed, with the revision of their removal; the oldest are
    /// let go, and a client from before them gets everything again.
    private var removals: [(infoHash: String, revision: Int64)] = []
    private(set) var removalsKnownFrom: Int64 = 0
    private static let keptRemovals = 10_000
    /// The torrents are a saved state run paused (`set` with no session):
    /// their documents say what is saved, as status does with no session.
    private let offline: Bool

    init(offline: Bool) {
        self.offline = offline
    }

    func document(of status: TorrentStatus, entry: SessionHost.Tracked?, stream: StreamDocument?) -> TorrentDocument {
        document(of: StatusDocumentInputs(status, EntryFacts(entry)), stream: stream)
    }

    /// The same, encoded, rendered again only when something it shows changed.
    func encoded(of status: TorrentStatus, entry: SessionHost.Tracked, stream: StreamDocument?) -> JSON {
        kept(of: status, entry: entry, stream: stream).document
    }

    /// The document, and the revision it last changed at (a stream's, whose
    /// offset moves on its own and is never kept, changes every time).
    /// `status` is the entry's last status (SessionHost.update).
    func kept(of status: TorrentStatus, entry: SessionHost.Tracked, stream: StreamDocument?) -> (document: JSON, revision: Int64) {
        assert(entry.lastStatus == status, "a document is kept for the status its torrent was last given")
        let facts = EntryFacts(entry)
        let kept = rendered[status.torrent]
        if let kept, stream == nil, kept.statusVersion == entry.statusVersion, kept.facts == facts.hashValue {
            return (.encoded(kept.bytes), kept.revision)
        }
        let shown = StatusDocumentInputs(status, facts)
        // A v2 magnet that learns its v1 hash is named anew: its old name is gone.
        if let kept, kept.infoHash != status.infoHash {
            revision += 1
            removals.append((kept.infoHash, revision))
        }
        guard stream == nil else {
            // Not kept: when the stream ends, the document without it is a change too.
            rendered[status.torrent] = nil
            revision += 1
            return (document(of: shown, stream: stream).json, revision)
        }
        if let kept, kept.shown == shown.hashValue {
            kept.statusVersion = entry.statusVersion
            return (.encoded(kept.bytes), kept.revision)
        }
        revision += 1
        let bytes = document(of: shown, stream: nil).json.bytes
        rendered[status.torrent] = Rendered(shown, statusVersion: entry.statusVersion, bytes, revision)
        return (.encoded(bytes), revision)
    }

    /// The torrents removed after `since`; nil when some of them are no longer known.
    func removed(since: Int64) -> [String]? {
        guard since >= removalsKnownFrom else { return nil }
        return removals.filter { $0.revision > since }.map(\.infoHash)
    }

    func forget(_ torrent: Torrent, infoHash: String) {
        rendered[torrent] = nil
        revision += 1
        removals.append((infoHash, revision))
        if removals.count > Self.keptRemovals {
            removalsKnownFrom = removals[removals.count - Self.keptRemovals - 1].revision
            removals.removeFirst(removals.count - Self.keptRemovals)
        }
    }

    private func document(of shown: StatusDocumentInputs, stream: StreamDocument?) -> TorrentDocument {
        // btx's own record comes first: it names the file where libtorrent's
        // error state has only the reason; a bad --only has only btx's.
        let status = shown.status
        let facts = shown.facts
        let failure = facts.error ?? status.error
        if offline {
            let saved = facts.savedPaused ? "paused" : status.state == .seeding || status.state == .finished ? "complete" : "stopped"
            var document = TorrentDocument(status, running: false, state: failure != nil ? "error" : saved, settings: facts.settings,
                                           error: failure)
            document.paused = facts.savedPaused
            document.destination = facts.destination
            return document
        }
        let state = failure != nil ? "error" : facts.checking ? "checking" : status.stateWord
        var document = TorrentDocument(status, running: true, state: state, settings: facts.settings,
                                       goalReached: facts.done && failure == nil, error: failure,
                                       blockedPeers: facts.blockedPeers, stream: stream)
        document.destination = facts.destination
        return document
    }
}

/// Everything of a torrent that its status document shows but its stream:
/// the document is rendered from these alone, so one kept with them is
/// stale exactly when they differ.
struct StatusDocumentInputs: Hashable {
    let status: TorrentStatus
    let facts: EntryFacts

    init(_ status: TorrentStatus, _ facts: EntryFacts) {
        self.status = status
        self.facts = facts
    }
}

/// What btx knows of a torrent beyond libtorrent's status, as its document shows it.
struct EntryFacts: Hashable {
    let error: String?
    let checking: Bool
    let done: Bool
    let blockedPeers: Int
    let settings: TorrentSettings
    let savedPaused: Bool
    let destination: String?

    init(_ entry: SessionHost.Tracked?) {
        error = entry?.error
        checking = entry?.checking ?? false
        done = entry?.done ?? false
        blockedPeers = entry?.blockedPeers.count ?? 0
        settings = entry?.settings ?? TorrentSettings()
        savedPaused = entry?.savedPaused ?? false
        destination = entry?.destination
    }
}
