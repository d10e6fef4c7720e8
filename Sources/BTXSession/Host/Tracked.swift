import TorrentKit

extension SessionHost {
    /// A torrent the session holds, and what btx knows of it beyond libtorrent.
    public final class Tracked {
        /// Its handle in libtorrent, or a placeholder while it is dormant.
        private(set) var handle: Torrent
        /// Kept out of libtorrent (see SessionHost+Dormancy).
        var isDormant: Bool { handle.isPlaceholder }
        /// Its handle in libtorrent, for a call that acts on it: a dormant
        /// one is woken first. What only tells torrents apart reads `handle`.
        var torrent: Torrent {
            if isDormant { registry?.wake?(self) }
            return handle
        }

        /// It is in libtorrent now, as `torrent`.
        func woke(as torrent: Torrent) { handle = torrent }
        var name: String { didSet { nameShown() } }
        /// The info-hash its resume file is named by.
        var stateKey: String
        /// Its info-hashes as known when it was added, until a status says
        /// (a v2 magnet learns its v1 hash with the metadata).
        var addedHashes: (v1: String?, v2: String?) = (nil, nil)
        var only: FileSelection?
        /// In force: an add's per-run values over what `set` chose.
        var settings: TorrentSettings {
            didSet {
                nameShown()
                registry?.watch(self)
            }
        }
        /// --peer endpoints, dialled again on resume (libtorrent waits a
        /// minute before reconnecting a peer it dropped).
        var peers: [String] = [] { didSet { registry?.watch(self) } }
        var completedAt: Double? { didSet { registry?.watch(self) } }
        /// When it last uploaded (monotonic seconds), for an idle seeding goal.
        var uploadedAt: Double?
        var error: String?
        var done = false { didSet { registry?.watch(self) } }
        /// A verify is running: shown as "checking" from the request until
        /// libtorrent says the check is over, with no gap in between.
        var checking = false
        /// libtorrent has checked its files once this run.
        var checkedOnce = false
        var lastStatus: TorrentStatus? {
            didSet {
                statusVersion &+= 1
                movesNoData = lastStatus.map { $0.downloadRate == 0 && $0.uploadRate == 0 } ?? false
                registry?.mayBeUnsaved(self)
                if lastStatus?.isPaused != oldValue?.isPaused { registry?.statusChanged(self) }
                if lastStatus?.name != oldValue?.name { nameShown() }
            }
        }
        /// Its last status shows no data moving: a status of all reads it
        /// for 100,000, and reading it from the status copied the status.
        private(set) var movesNoData = false
        /// Counts the statuses it was given: while it stays the same, a
        /// document rendered from that status need not be weighed again
        /// (StatusDocuments).
        private(set) var statusVersion = 0
        /// The `added` event's data, also the control socket's answer to an add.
        var added = JSON.null
        /// Addresses the blocklist kept from it this run.
        var blockedPeers = Set<String>()
        /// Web seeds that failed this run, and why ("" for one that could
        /// not be told apart from the others).
        var webSeedErrors: [String: String] = [:]
        /// Offline: whether its saved state says paused (it runs paused
        /// regardless, so that nothing starts).
        var savedPaused = false
        /// The --on-complete command to run when it finishes.
        var onComplete: String?
        /// Where its data goes once complete (see SessionHost+Incomplete).
        var destination: String?
        /// Its hook waits for the move out of the incomplete folder, so that it finds the data where it stays.
        var hookAfterMove = false
        /// The btpk link it follows, saved with its settings (SessionHost+Following).
        var follows: FollowedLink?
        /// When its link is looked up next (monotonic seconds); nil while a lookup is under way.
        var followCheckAt: Double? = 0
        /// On its way to taking copies of its files.
        var pendingReuse: PendingReuse?
        /// Paused while they are made.
        var awaitsCopies: Bool {
            if case .placing = pendingReuse { return true }
            return false
        }

        /// The registry that keeps it on the short lists a tick goes through.
        weak var registry: TorrentRegistry?
        /// Waits for peers its user named: its pace is watched (SessionHost+Pacing).
        var dialsNamedPeers: Bool { !done && !peers.isEmpty }
        /// Complete, with a seeding goal in time: its clock runs without a status change.
        var hasSeedingClock: Bool {
            completedAt != nil && (settings.seeding.seconds != nil || settings.seeding.idleSeconds != nil)
        }

        /// Finished with, by a session that ends when its torrents are: its
        /// seeding goal met and its data where it stays, or failed.
        var settled: Bool { done && (destination == nil || error != nil) }

        /// What a user names it by (see select).
        var key: TorrentKey {
            let key = lastStatus?.key ?? TorrentKey(infoHashV1: addedHashes.v1, infoHashV2: addedHashes.v2, name: name)
            return TorrentKey(infoHashV1: key.infoHashV1, infoHashV2: key.infoHashV2, name: shownName)
        }

        /// Its name as status shows it (the key's). Held, not worked out
        /// when asked: finding a torrent by name among 100,000 copied each
        /// one's status and settings to read it (9 ms).
        private(set) var shownName: String

        private func nameShown() {
            let shown = settings.name ?? lastStatus?.name ?? name
            guard shown != shownName else { return }
            let old = shownName
            shownName = shown
            registry?.renamed(self, from: old)
        }

        /// Its status as the save rules see it (see ResumeLedger).
        var saveView: SaveView? { lastStatus.map(SaveView.init) }

        init(torrent: Torrent, name: String, stateKey: String, only: FileSelection?, settings: TorrentSettings) {
            handle = torrent
            self.name = name
            self.stateKey = stateKey
            self.only = only
            self.settings = settings
            shownName = settings.name ?? name
        }
    }
}

/// Where a torrent added afresh is on its way to taking copies of its files
/// (SessionHost+Reuse).
enum PendingReuse {
    /// A magnet, until its metadata comes.
    case onMetadata(ReuseMode)
    /// Paused so that libtorrent's writes end before the copies are placed;
    /// `duringCheck`: it was checking then, and had written nothing.
    /// `existing`: the files there when its metadata came.
    case whenPaused(ReuseMode, duringCheck: Bool, existing: Set<String>)
    /// Paused while the copies are made.
    case placing
}
