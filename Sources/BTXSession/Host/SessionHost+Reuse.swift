import TorrentKit

/// Never downloading a file twice: complete files are indexed by their v2
/// root (FileRootIndex), and a torrent added afresh gets a copy of each
/// file btx already holds, or that `--reuse-from` found, before libtorrent
/// looks at its save path. libtorrent checks every file it finds there
/// (a torrent with no resume data is checked in full), so what is placed is
/// verified, never trusted.
extension SessionHost {
    /// Places the copies a new torrent can have in `savePath`: `found` (file
    /// index to path, confirmed by `--reuse-from`), then the index's copy of
    /// each file's root. Files `skipped` are left alone, and so are files
    /// already there unless `replacing` (see placeOnMetadata).
    /// Returns the `reused` event's data, nil when nothing was placed.
    func placeExistingCopies(_ files: [FileEntry], found: [Int: String], in savePath: String, mode: ReuseMode,
                             skipped: Set<Int> = [], replacing: Bool = false, entryName: String, key: String) -> [(String, JSON)]? {
        guard mode != .off else { return nil }
        // A torrent that completed a moment ago is one to take from.
        indexPendingFiles(now: monotonicSeconds(), all: true)
        var placed = 0, bytes: Int64 = 0
        var ways = Set<String>()
        for file in files where file.size > 0 && !skipped.contains(file.index) {
            let target = joinPath(savePath, file.path)
            // A followed link's next version in the same folder finds its unchanged files where they are.
            if let root = file.root, rootIndex.holds(root, at: target) { continue }
            guard let source = found[file.index] ?? file.root.flatMap({ rootIndex.intactCopy(of: $0, size: file.size) }),
                  !FilePlacement.isSameFile(source, target) else { continue }
            do {
                if let made = try FilePlacement.place(source, at: target, mode: mode, replacing: replacing) {
                    ways.insert(made.rawValue)
                    placed += 1
                    bytes += file.size
                }
            } catch let error as BTXError {
                reporter.warning(name: entryName, infoHash: key, "not reusing \(source): \(error.message)", once: false)
            } catch {
                reporter.warning(name: entryName, infoHash: key, "not reusing \(source): \(error)", once: false)
            }
        }
        guard placed > 0 else { return nil }
        reporter.diagnostic(name: entryName, infoHash: key,
                            "\(placed) file\(placed == 1 ? "" : "s") (\(Units.bytes(bytes))) placed from copies on disk "
                            + "(\(ways.sorted().joined(separator: ", "))); checking them")
        return [("files", .int(Int64(placed))), ("bytes", .int(bytes)), ("made", .array(ways.sorted().map(JSON.string)))]
    }

    /// A magnet's files are known once its metadata comes, and libtorrent
    /// starts on them at once: a torrent with copies to take is paused
    /// first, and placeWhenPaused goes on once its writes are done (the
    /// paused alert). One paused while it checks what is on disk has
    /// written nothing, and the alert does not come when the check ends
    /// meanwhile (libtorrent 2.0.8's on_piece_hashed): its status says it.
    func placeOnMetadata(_ entry: Tracked) {
        guard case .onMetadata(let mode) = entry.pendingReuse else { return }
        entry.pendingReuse = nil
        guard let status = try? session.status(entry.torrent), let files = try? session.files(entry.torrent),
              files.contains(where: { file in
                  file.size > 0 && file.priority > 0 && file.root.flatMap { rootIndex.intactCopy(of: $0, size: file.size) } != nil
              }) else { return }
        entry.pendingReuse = .whenPaused(mode, duringCheck: [.checkingFiles, .checkingResumeData].contains(status.state))
        try? unqueue(entry)
        try? session.pause(entry.torrent)
    }

    /// The copies are placed over whatever libtorrent began (the path is
    /// this new torrent's, and the copy is the right content), the torrent
    /// is checked again to take them up, and goes on as it was.
    func placeWhenPaused(_ entry: Tracked) {
        guard case .whenPaused(let mode, _) = entry.pendingReuse else { return }
        entry.pendingReuse = nil
        var reused: [(String, JSON)]?
        if let status = try? session.status(entry.torrent), let files = try? session.files(entry.torrent) {
            let skipped = Set(files.filter { $0.priority == 0 || $0.done == $0.size }.map(\.index))
            reused = placeExistingCopies(files, found: [:], in: status.savePath, mode: mode, skipped: skipped,
                                         replacing: true, entryName: entry.name, key: entry.stateKey)
        }
        // Running again before the recheck: a paused torrent's recheck leaves it paused (Session.recheck).
        if !entry.savedPaused {
            if queueing { try? enqueue(entry) }
            try? session.resume(entry.torrent)
        }
        if let reused {
            note("reused", reused, entry: entry)
            entry.checking = true
            try? session.recheck(entry.torrent)
        }
    }

    /// Indexes the torrent's complete files a moment from now: libtorrent
    /// may still be writing a file's last blocks when their hashes have
    /// passed, and each write moves its modification time.
    func indexSoon(_ torrent: Torrent) {
        pendingIndexing[torrent] = monotonicSeconds() + 2
    }

    /// `all`: not waiting for the moment to pass (a torrent is being added,
    /// or the session stops). At most 256 a turn while running: 100,000
    /// torrents added at once are all checked within a second or two, and
    /// the loop must go on answering meanwhile.
    func indexPendingFiles(now: Double, all: Bool = false) {
        guard !pendingIndexing.isEmpty else { return }
        var budget = stopRequested || interruptRequested() ? Int.max : 256
        for (torrent, due) in pendingIndexing where (all || due <= now) && budget > 0 {
            pendingIndexing[torrent] = nil
            indexCompleteFiles(torrent)
            budget -= 1
        }
    }

    private func indexCompleteFiles(_ torrent: Torrent) {
        guard let entry = entry(torrent), let status = try? session.status(torrent), status.hasMetadata,
              let files = try? session.files(torrent) else { return }
        for file in files where file.size > 0 && file.done == file.size {
            guard let root = file.root else { continue }
            do {
                try rootIndex.record(root: root, path: joinPath(status.savePath, file.path))
            } catch {
                reporter.warning(name: entry.name, infoHash: entry.stateKey, "the index of files on disk was not updated: \(error)",
                                 once: true)
            }
        }
    }

    /// Its files are about to be deleted: the index forgets them first.
    func forgetIndexedFiles(_ entry: Tracked) {
        guard let status = try? session.status(entry.torrent), let files = try? session.files(entry.torrent) else { return }
        for file in files {
            if let root = file.root { rootIndex.forget(root: root, path: joinPath(status.savePath, file.path)) }
        }
    }
}
