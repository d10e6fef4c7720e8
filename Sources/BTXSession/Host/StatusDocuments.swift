import TorrentKit

/// A torrent's status document, rendered from its status and what the host
/// knows of it, and the revision at which each last changed, for clients
/// that ask what changed since (`status` with `since`). Documents are not
/// kept: written straight to bytes they cost less to write again than to
/// hold, a kilobyte a torrent at 100,000.
final class StatusDocuments {
    /// What a torrent's document was last found to show, as hashes: a
    /// changed document would need two of a torrent's states to hash alike
    /// in 64 bits.
    private struct Seen {
        let shown: Int
        /// The torrent's status it was last found current with, and the
        /// hash of what btx adds to it: a status of 100,000 idle torrents
        /// checks these, not a hash of every status (a third of its time).
        var statusVersion: Int
        let facts: Int
        /// The name of one that may be renamed: a v2 magnet learns its v1
        /// hash with the metadata.
        let v2Name: String?
        /// The revision at which it last changed.
        let revision: Int64
    }

    private var seen: [Torrent: Seen] = [:]
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


    /// The revision at which the torrent's document last changed (a
    /// stream's, whose offset moves on its own, changes every time).
    /// `status` is the entry's last status (SessionHost.update).
    func revision(of status: TorrentStatus, entry: SessionHost.Tracked, streaming: Bool) -> Int64 {
        assert(entry.lastStatus == status, "a revision is found for the status its torrent was last given")
        let facts = EntryFacts(entry)
        let last = seen[status.torrent]
        if let last, !streaming, last.statusVersion == entry.statusVersion, last.facts == facts.hashValue {
            return last.revision
        }
        let shown = StatusDocumentInputs(status, facts)
        // A v2 magnet that learns its v1 hash is named anew: its old name is gone.
        if let name = last?.v2Name, name != status.infoHash {
            revision += 1
            removals.append((name, revision))
        }
        guard !streaming else {
            // Not kept: when the stream ends, the document without it is a change too.
            seen[status.torrent] = nil
            revision += 1
            return revision
        }
        if let last, last.shown == shown.hashValue {
            seen[status.torrent]?.statusVersion = entry.statusVersion
            return last.revision
        }
        revision += 1
        seen[status.torrent] = Seen(shown: shown.hashValue, statusVersion: entry.statusVersion, facts: facts.hashValue,
                                    v2Name: status.infoHashV1 == nil ? status.infoHash : nil, revision: revision)
        return revision
    }

    /// A dormant torrent woke under a handle of its own: the same torrent, not a removal.
    func moved(from placeholder: Torrent, to torrent: Torrent) {
        seen[torrent] = seen.removeValue(forKey: placeholder)
    }

    /// The torrents removed after `since`; nil when some of them are no longer known.
    func removed(since: Int64) -> [String]? {
        guard since >= removalsKnownFrom else { return nil }
        return removals.filter { $0.revision > since }.map(\.infoHash)
    }

    func forget(_ torrent: Torrent, infoHash: String) {
        seen[torrent] = nil
        revision += 1
        removals.append((infoHash, revision))
        if removals.count > Self.keptRemovals {
            removalsKnownFrom = removals[removals.count - Self.keptRemovals - 1].revision
            removals.removeFirst(removals.count - Self.keptRemovals)
        }
    }

    /// What a table of these torrents needs before its first row, each a
    /// choice of columns: whether they run (rates and peers, or what is
    /// saved), and whether any has a label or waits in the queue. Sent
    /// first, it lets a client print each row as its document arrives.
    func overview(of entries: [SessionHost.Tracked]) -> JSON {
        let queued = !offline && entries.contains { entry in
            entry.lastStatus.map { Self.liveState($0, failure: entry.error ?? $0.error, checking: entry.checking) == "queued" } ?? false
        }
        return .object([("running", .bool(!offline)), ("labelled", .bool(entries.contains { !$0.settings.labels.isEmpty })),
                        ("queued", .bool(queued))])
    }

    private static func liveState(_ status: TorrentStatus, failure: String?, checking: Bool) -> String {
        failure != nil ? "error" : checking ? "checking" : status.stateWord
    }

    /// Read from the entry as it is, not through EntryFacts: a status of
    /// 100,000 made each document's strings twice over (an eighth of its time).
    func document(of status: TorrentStatus, entry: SessionHost.Tracked?, stream: StreamDocument?) -> TorrentDocument {
        // btx's own record comes first: it names the file where libtorrent's
        // error state has only the reason; a bad --only has only btx's.
        let failure = entry?.error ?? status.error
        let settings = entry?.settings ?? TorrentSettings()
        if offline {
            let savedPaused = entry?.savedPaused ?? false
            let saved = savedPaused ? "paused" : status.state == .seeding || status.state == .finished ? "complete" : "stopped"
            var document = TorrentDocument(status, running: false, state: failure != nil ? "error" : saved, settings: settings,
                                           error: failure, follows: FollowDocument(entry?.follows), destination: entry?.destination)
            document.paused = savedPaused
            return document
        }
        let state = Self.liveState(status, failure: failure, checking: entry?.checking ?? false)
        // Made whole, not changed after: each copy of a document was a
        // memmove of its 600 bytes, a tenth of a status of all.
        return TorrentDocument(status, running: true, state: state, settings: settings,
                               goalReached: (entry?.done ?? false) && failure == nil, error: failure,
                               blockedPeers: entry?.blockedPeers.count ?? 0, stream: stream,
                               follows: FollowDocument(entry?.follows), destination: entry?.destination)
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
    let follows: FollowedLink?

    init(_ entry: SessionHost.Tracked?) {
        error = entry?.error
        checking = entry?.checking ?? false
        done = entry?.done ?? false
        blockedPeers = entry?.blockedPeers.count ?? 0
        settings = entry?.settings ?? TorrentSettings()
        savedPaused = entry?.savedPaused ?? false
        destination = entry?.destination
        follows = entry?.follows
    }
}
