import TorrentKit

/// The torrents a session holds, in the order added, found by handle, by
/// any info-hash they were added or saved under, by hash prefix or by name.
final class TorrentRegistry {
    /// In the order added.
    private(set) var all: [SessionHost.Tracked] = []
    /// By handle: keeps a status tick linear in the number of torrents.
    private var byTorrent: [Torrent: SessionHost.Tracked] = [:]
    /// By every info-hash it was added or saved under: a request naming a
    /// whole hash (scripts, a following `btx add`) finds its torrent in one
    /// lookup, not by going through 5,000.
    private var byHash: [String: SessionHost.Tracked] = [:]
    /// By the name status shows: a script naming one of 100,000 finds it in
    /// one lookup (walking the names took 4 ms, twice in a batch).
    private var byName: [String: NameHolders] = [:]
    private enum NameHolders {
        case one(SessionHost.Tracked)
        /// Ambiguous: `select` lists them all.
        case several(Int)
    }
    /// The few a tick looks at each second, kept apart: going through
    /// 100,000 for them cost an idle daemon a share of a core.
    private(set) var dialingNamedPeers: [ObjectIdentifier: SessionHost.Tracked] = [:]
    private(set) var withSeedingClocks: [ObjectIdentifier: SessionHost.Tracked] = [:]
    /// Its status or settings changed since its resume data was last found
    /// to hold them all (SessionHost's periodic save).
    private(set) var maybeUnsaved: [ObjectIdentifier: SessionHost.Tracked] = [:]
    /// Those libtorrent runs (not paused): with none, a daemon rests (SessionHost+Pacing).
    private(set) var running = Set<ObjectIdentifier>()
    /// Brings a dormant torrent into libtorrent (SessionHost+Dormancy).
    var wake: ((SessionHost.Tracked) -> Void)?

    func track(_ entry: SessionHost.Tracked) {
        all.append(entry)
        byTorrent[entry.handle] = entry
        index(entry, under: [entry.stateKey, entry.addedHashes.v1, entry.addedHashes.v2])
        holdName(entry.shownName, entry)
        entry.registry = self
        watch(entry)
        mayBeUnsaved(entry)
        statusChanged(entry)
    }

    func statusChanged(_ entry: SessionHost.Tracked) {
        if entry.lastStatus?.isPaused == false {
            running.insert(ObjectIdentifier(entry))
        } else {
            running.remove(ObjectIdentifier(entry))
        }
    }

    /// A dormant torrent is in libtorrent now under a handle of its own.
    func woke(_ entry: SessionHost.Tracked, from placeholder: Torrent) {
        byTorrent[placeholder] = nil
        byTorrent[entry.handle] = entry
        mayBeUnsaved(entry)
    }

    /// A dormant torrent's resume file holds all it shows: nothing to save.
    func mayBeUnsaved(_ entry: SessionHost.Tracked) {
        guard !entry.isDormant else { return }
        maybeUnsaved[ObjectIdentifier(entry)] = entry
    }

    func saved(_ entries: [SessionHost.Tracked]) {
        for entry in entries { maybeUnsaved[ObjectIdentifier(entry)] = nil }
    }

    /// Puts it on the short lists it belongs on now, and off the others.
    func watch(_ entry: SessionHost.Tracked) {
        let id = ObjectIdentifier(entry)
        dialingNamedPeers[id] = entry.dialsNamedPeers ? entry : nil
        withSeedingClocks[id] = entry.hasSeedingClock ? entry : nil
    }

    /// Also known by these hashes (a v2 magnet learns its v1 hash with the metadata).
    func index(_ entry: SessionHost.Tracked, under hashes: [String?]) {
        for hash in hashes.compactMap({ $0 }) { byHash[hash] = entry }
    }

    func renamed(_ entry: SessionHost.Tracked, from old: String) {
        releaseName(old, entry)
        holdName(entry.shownName, entry)
    }

    private func holdName(_ name: String, _ entry: SessionHost.Tracked) {
        switch byName[name] {
        case nil: byName[name] = .one(entry)
        case .one: byName[name] = .several(2)
        case .several(let count): byName[name] = .several(count + 1)
        }
    }

    private func releaseName(_ name: String, _ entry: SessionHost.Tracked) {
        switch byName[name] {
        case .one, nil: byName[name] = nil
        case .several(let count) where count > 2: byName[name] = .several(count - 1)
        case .several:
            // Rare (two torrents of one name): the one left is looked for.
            byName[name] = all.first { $0 !== entry && $0.shownName == name }.map(NameHolders.one)
        }
    }

    func forget(_ entry: SessionHost.Tracked) {
        releaseName(entry.shownName, entry)
        all.removeAll { $0 === entry }
        byTorrent[entry.handle] = nil
        entry.registry = nil
        dialingNamedPeers[ObjectIdentifier(entry)] = nil
        withSeedingClocks[ObjectIdentifier(entry)] = nil
        maybeUnsaved[ObjectIdentifier(entry)] = nil
        running.remove(ObjectIdentifier(entry))
        for hash in [entry.stateKey, entry.addedHashes.v1, entry.addedHashes.v2].compactMap({ $0 }) where byHash[hash] === entry {
            byHash[hash] = nil
        }
    }

    subscript(torrent: Torrent) -> SessionHost.Tracked? { byTorrent[torrent] }

    func entry(hash: String) -> SessionHost.Tracked? { byHash[hash] }

    /// The one torrent `query` names (see select): a whole info-hash is one
    /// lookup; a prefix or a name is looked for among the keys in memory,
    /// never through libtorrent's status of every torrent.
    func entry(named query: String) throws -> SessionHost.Tracked {
        if query.count == 40 || query.count == 64, let entry = byHash[query.lowercased()] { return entry }
        // An exact name, what scripts pass, is one lookup: building
        // 100,000 keys took 20 ms. A hex query may be a hash prefix first,
        // and select says so.
        let mayBeHashPrefix = query.count >= 6 && query.allSatisfy(\.isHexDigit)
        if !mayBeHashPrefix, case .one(let entry) = byName[query] { return entry }
        return try select(query, from: all, key: \.key)
    }
}
