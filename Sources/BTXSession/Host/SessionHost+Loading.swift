import TorrentKit

/// Taking up the saved torrents, a window at a time. libtorrent puts each
/// torrent it adds at the end of its download queue and takes it out once
/// its resume data is checked, renumbering every torrent behind it: adding
/// many that run at once is O(n²). With at most `loadWindow` being
/// checked, the queue stays that short.
/// A daemon loads in the background, between the turns of its loop: it
/// answers at once, and requests that name torrents wait until all are in.
extension SessionHost {
    static let loadWindow = 256

    /// Saved torrents are still being listed or added.
    public var isLoadingSaved: Bool { loading.cursor < loading.hashes.count || loading.listing != nil }

    /// More can be added now: the loop should not sleep.
    var canLoadMore: Bool { isLoadingSaved && loading.checking.count < Self.loadWindow }

    /// A daemon takes up every saved torrent in the background; offline,
    /// only `hashes`, and at once.
    public func resumeSavedTorrents(_ only: [String]? = nil) {
        loading.cursor = 0
        do {
            if let only {
                loading.hashes = only
            } else if mode == .daemon {
                loading.listing = try SavedHashListing(directory, sweeping: true)
                try? session.apply(.loadingSaved(true))
                return
            } else {
                loading.hashes = try directory.savedHashes()
            }
        } catch {
            return reporter.warning(name: nil, infoHash: nil, "cannot resume the saved torrents: \(error)")
        }
        while isLoadingSaved {
            loadSavedTorrents(until: .infinity)
            if isLoadingSaved { try? handleEvents(for: 0.05, waiting: 0.01) }
        }
    }

    /// Adds saved torrents until the window is full or `deadline` passes;
    /// once the last is in, answers the requests that waited for them.
    func loadSavedTorrents(until deadline: Double) {
        guard isLoadingSaved else { return }
        if let listing = loading.listing, loading.hashes.count - loading.cursor < Self.loadWindow {
            loading.added += loading.cursor
            loading.hashes.removeFirst(loading.cursor)
            loading.cursor = 0
            loading.hashes += listing.next(2048)
            if listing.isDone { loading.listing = nil }
        }
        let now = monotonicSeconds()
        // One that never says it is checked (it failed meanwhile) does not hold a place for long.
        loading.checking = loading.checking.filter { now - $0.value < 2 }
        // On libtorrent's thread: each add made from here was a round trip
        // to it, and loading 30,000 took 11.5 s instead of 6.5.
        let addSome = {
            while self.loading.cursor < self.loading.hashes.count && self.loading.checking.count < Self.loadWindow
                    && monotonicSeconds() < deadline {
                let hash = self.loading.hashes[self.loading.cursor]
                self.loading.cursor += 1
                // A resume file rewritten while the folder is read may be listed twice.
                guard self.registry.entry(hash: hash) == nil else { continue }
                // A paused one is in no download queue (libtorrent checks its resume data
                // at once, but renumbers nothing for it): it holds no place.
                if let (torrent, paused) = self.loadSaved(hash), !paused { self.loading.checking[torrent] = now }
            }
        }
        if (try? session.batch(addSome)) == nil { addSome() }
        guard !isLoadingSaved else { return }
        try? session.apply(.loadingSaved(false))
        loading.hashes = []
        loading.cursor = 0
        loading.added = 0
        let waiting = loading.parked
        loading.parked = []
        // One whose client gave up waiting is not carried out behind its back.
        for (request, client) in waiting where server?.isConnected(client) ?? true {
            if let reply = answer(request, client: client) { deliver(reply, to: client) }
        }
    }

    /// Its resume data is checked: its place in the window is free.
    func loadChecked(_ torrent: Torrent) {
        loading.checking.removeValue(forKey: torrent)
    }

    /// While saved torrents load, a request that names or lists torrents
    /// waits for them all (answered by loadSavedTorrents): a list without
    /// them, or "no such torrent", would be wrong. One that names its
    /// torrents by info-hash waits for them alone: each is taken up now,
    /// ahead of the others (a status of one of 100,000 waited 17 s for all).
    func parkedWhileLoading(_ method: ControlMethod, _ request: JSON, client: UInt64) -> Bool {
        guard isLoadingSaved else { return false }
        switch method {
        case .ping, .stop, .events, .dhtGet, .dhtPut, .sessionRates, .blocklist, .blocklistReload: return false
        default:
            if let hashes = namedHashes(method, request["params"] ?? .object([])), hashes.allSatisfy(loadedNow) { return false }
            loading.parked.append((request, client))
            return true
        }
    }

    /// The torrents a request names, when it names them all by full
    /// info-hash and acts on those alone; nil for any other. One that
    /// changes them goes ahead only of nothing: a `pause --all` parked
    /// before it must not be carried out after it.
    private func namedHashes(_ method: ControlMethod, _ params: JSON) -> [String]? {
        let queries: [String?]
        switch method {
        case .status where params["since"] == nil:
            queries = params["torrents"]?.arrayValue?.map(\.stringValue) ?? []
        case .files, .peers, .trackers:
            queries = params["torrents"]?.arrayValue?.map(\.stringValue) ?? [params["torrent"]?.stringValue]
        case .pause, .resume, .verify, .remove:
            guard loading.parked.isEmpty, params["all"]?.boolValue != true else { return nil }
            queries = [params["torrent"]?.stringValue]
        default:
            return nil
        }
        let hashes = queries.compactMap { $0?.lowercased() }
        guard !hashes.isEmpty, hashes.count == queries.count,
              hashes.allSatisfy({ ($0.utf8.count == 40 || $0.utf8.count == 64) && $0.utf8.allSatisfy(isLowerHex) })
        else { return nil }
        return hashes
    }

    /// In the session, or taken up now from its resume file. A hybrid's
    /// file is named by its v1 hash: asked for by its v2 one, it waits.
    private func loadedNow(_ hash: String) -> Bool {
        guard registry.entry(hash: hash) == nil else { return true }
        guard let (torrent, paused) = loadSaved(hash) else { return false }
        if !paused { loading.checking[torrent] = monotonicSeconds() }
        return true
    }

    /// For ping: how far the loading is.
    var loadingJSON: [(String, JSON)] {
        guard isLoadingSaved else { return [] }
        // The whole count is known once the listing is over.
        return [("loading", .object([("done", .int(loading.added + loading.cursor)),
                                     ("of", loading.listing == nil ? .int(loading.added + loading.hashes.count) : .null)]))]
    }
}

/// The saved torrents being taken up (see SessionHost+Loading).
struct SavedLoading {
    /// Listed and not added yet from `cursor` on; `added` before them.
    var hashes: [String] = []
    var cursor = 0
    var added = 0
    /// The resume folder still being read (a daemon's).
    var listing: SavedHashListing?
    /// Added, resume data not checked yet: since when.
    var checking: [Torrent: Double] = [:]
    /// Requests that wait for the loading to end.
    var parked: [(request: JSON, client: UInt64)] = []
}

/// Hex as resume files are named: a query that is anything else names no file.
private func isLowerHex(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
}
