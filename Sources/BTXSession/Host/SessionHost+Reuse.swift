import TorrentKit

/// Never downloading a file twice: complete files are indexed by their v2
/// root (FileRootIndex), and a torrent added afresh gets a copy of each
/// file btx already holds, or that `--reuse-from` found, before libtorrent
/// looks at its save path. libtorrent checks every file it finds there
/// (a torrent with no resume data is checked in full), so what is placed is
/// verified, never trusted.
extension SessionHost {
    /// The copies a new torrent can have in `savePath`: `found` (file index
    /// to path, confirmed by `--reuse-from`), then the index's copy of each
    /// file's root. Files `skipped` are left alone, and so are files already
    /// there unless `replaceable` names them.
    func copiesToPlace(_ files: [FileEntry], found: [Int: String], in savePath: String, skipped: Set<Int> = [],
                       replaceable: Set<String> = []) -> [PlacementJob.Copy] {
        // A torrent that completed a moment ago is one to take from.
        indexPendingFiles(now: monotonicSeconds(), early: true)
        return files.compactMap { file in
            guard file.size > 0, !skipped.contains(file.index) else { return nil }
            let target = joinPath(savePath, file.path)
            guard replaceable.contains(target) || !FileIO.exists(target) else { return nil }
            // A followed link's next version in the same folder finds its unchanged files where they are.
            if let root = file.root, rootIndex.holds(root, at: target) { return nil }
            let source: String
            if let path = found[file.index] {
                // Said to be this file by the client that found it: it is at least a regular file of its size.
                guard FileRootIndex.copy(at: path)?.size == file.size else { return nil }
                source = path
            } else if let root = file.root, let copy = rootIndex.intactCopy(of: root, size: file.size) {
                source = copy
            } else {
                return nil
            }
            return FilePlacement.isSameFile(source, target) ? nil : PlacementJob.Copy(source: source, target: target, size: file.size)
        }
    }

    /// Places at once what takes no time, before libtorrent first looks at
    /// the torrent's files: clones, links, and byte copies of up to 64 MiB
    /// in all. Returns the rest, for startPlacing, and the `reused` event's
    /// data for what was placed.
    func placeQuickly(_ copies: [PlacementJob.Copy], mode: ReuseMode, entryName: String, key: String)
        -> (rest: [PlacementJob.Copy], reused: [(String, JSON)]?) {
        var budget: Int64 = 64 << 20
        var rest: [PlacementJob.Copy] = []
        var outcome = PlacementJob.Outcome()
        for copy in copies {
            do {
                if try outcome.place(copy, mode: mode, copyingAtMost: budget) == .copy { budget -= copy.size }
            } catch {
                rest.append(copy)  // too large to copy now
            }
        }
        return (rest, reused(outcome, entryName: entryName, key: key))
    }

    /// Says what was placed and what could not be; the `reused` event's data, nil for nothing placed.
    private func reused(_ outcome: PlacementJob.Outcome, entryName: String, key: String) -> [(String, JSON)]? {
        for failure in outcome.failures {
            reporter.warning(name: entryName, infoHash: key, "not reusing \(failure.source): \(failure.message)", once: false)
        }
        guard outcome.files > 0 else { return nil }
        let made = outcome.made.sorted()
        reporter.diagnostic(name: entryName, infoHash: key,
                            "\(outcome.files) file\(outcome.files == 1 ? "" : "s") (\(Units.bytes(outcome.bytes))) placed from "
                            + "copies on disk (\(made.joined(separator: ", "))); checking them")
        return [("files", .int(Int64(outcome.files))), ("bytes", .int(outcome.bytes)), ("made", .array(made.map(JSON.string)))]
    }

    /// Starts making `copies` for the torrent, which waits paused meanwhile,
    /// then is checked again: libtorrent looked at its files when it was
    /// added (paused or not), and saw none of them.
    func startPlacing(_ entry: Tracked, _ copies: [PlacementJob.Copy], mode: ReuseMode, replacing: Set<String> = []) {
        do {
            placements[entry.torrent] = try PlacementJob(copies, mode: mode, replacing: replacing)
            entry.pendingReuse = .placing
        } catch {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, "not reusing files on disk: \(error)", once: false)
            goOn(entry, reused: nil)
        }
    }

    /// Torrents whose copies are made go on: checked, then running unless their user paused them.
    func finishPlacements() {
        guard !placements.isEmpty else { return }
        for (torrent, job) in Array(placements) {
            guard let outcome = job.finished else { continue }
            placements[torrent] = nil
            guard let entry = entry(torrent), entry.awaitsCopies else { continue }
            goOn(entry, reused: reused(outcome, entryName: entry.name, key: entry.stateKey))
        }
    }

    private func goOn(_ entry: Tracked, reused: [(String, JSON)]?) {
        entry.pendingReuse = nil
        if let reused { note("reused", reused, entry: entry) }
        // Running again before the recheck: a paused torrent's recheck leaves it paused (Session.recheck).
        if !entry.savedPaused && entry.error == nil {
            if queueing { try? enqueue(entry) }
            try? session.resume(entry.torrent)
        }
        if reused != nil {
            entry.checking = true
            try? session.recheck(entry.torrent)
        }
    }

    /// Copies being made are let go: their torrents wait for nothing more.
    func cancelPlacements() {
        for job in placements.values { job.cancel() }
        placements.removeAll()
    }

    /// A magnet's files are known once its metadata comes, and libtorrent
    /// starts on them at once: a torrent with copies to take is paused
    /// first, and placeWhenPaused goes on once its writes are done (the
    /// paused alert). One paused while it checks what is on disk has
    /// written nothing, and the alert does not come when the check ends
    /// meanwhile (libtorrent 2.0.8's on_piece_hashed): its status says it.
    /// Files there when the metadata came are the user's, never replaced.
    func placeOnMetadata(_ entry: Tracked) {
        guard case .onMetadata(let mode) = entry.pendingReuse else { return }
        entry.pendingReuse = nil
        guard entry.error == nil, let status = try? session.status(entry.torrent), let files = try? session.files(entry.torrent) else { return }
        let wanted = files.filter { $0.priority > 0 }
        let copies = copiesToPlace(wanted, found: [:], in: status.savePath)
        guard !copies.isEmpty else { return }
        if status.isPaused {
            // Paused by its user or the queue already: nothing is being written.
            startPlacing(entry, copies, mode: mode)
            return
        }
        let existing = Set(wanted.map { joinPath(status.savePath, $0.path) }.filter(FileIO.exists))
        entry.pendingReuse = .whenPaused(mode, duringCheck: [.checkingFiles, .checkingResumeData].contains(status.state),
                                         existing: existing)
        try? unqueue(entry)
        try? session.pause(entry.torrent)
    }

    /// What libtorrent began since the metadata came is this new torrent's
    /// own, and the copy replaces it.
    func placeWhenPaused(_ entry: Tracked) {
        guard case .whenPaused(let mode, _, let existing) = entry.pendingReuse else { return }
        entry.pendingReuse = nil
        guard entry.error == nil, let status = try? session.status(entry.torrent),
              let files = try? session.files(entry.torrent) else { return }
        let begun = Set(files.map { joinPath(status.savePath, $0.path) }.filter { !existing.contains($0) && FilePlacement.isLoneFile($0) })
        let copies = copiesToPlace(files.filter { $0.priority > 0 && $0.done < $0.size }, found: [:], in: status.savePath,
                                   replaceable: begun)
        startPlacing(entry, copies, mode: mode, replacing: begun)
    }

    /// Indexes the torrent's complete files (`path` alone, when given) a
    /// moment from now: libtorrent may still be writing a file's last blocks
    /// when their hashes have passed, and each write moves its modification time.
    func indexSoon(_ torrent: Torrent, path: String? = nil) {
        // Only v2 files have roots. A saved torrent being taken up says its
        // files are complete (file_completed) as libtorrent reads its resume
        // data: they were indexed when they completed.
        guard let entry = entry(torrent), entry.addedHashes.v2 != nil || entry.lastStatus?.infoHashV2 != nil,
              path == nil || !ledger.isResumed(torrent) || entry.statusVersion > 0 && entry.completedAt == nil else { return }
        let paths: Set<String>?
        if let pending = pendingIndexing[torrent] {
            paths = path.flatMap { path in pending.paths.map { $0.union([path]) } }
        } else {
            paths = path.map { [$0] }
        }
        pendingIndexing[torrent] = (monotonicSeconds() + 2, paths)
    }

    /// Indexes what is due, at most 2,048 files a turn: 100,000 torrents
    /// added at once are all checked within seconds, and the loop must go
    /// on answering meanwhile. `early`: a torrent is being added, and what
    /// is not due yet is indexed now too, and again once it is due.
    /// `until`: the session stops, and this is as long as it may take.
    func indexPendingFiles(now: Double, early: Bool = false, until deadline: Double? = nil) {
        guard !pendingIndexing.isEmpty else { return }
        var budget = deadline == nil ? 2048 : Int.max
        // Chosen first: a dictionary changed while it is iterated is copied at each change.
        var chosen: [(Torrent, Set<String>?)] = []
        for (torrent, pending) in pendingIndexing where early || deadline != nil || pending.due <= now {
            chosen.append((torrent, pending.paths))
            if chosen.count >= 256 && deadline == nil { break }
        }
        for (torrent, paths) in chosen {
            if budget <= 0 || deadline.map({ monotonicSeconds() > $0 }) == true { break }
            if let due = pendingIndexing[torrent]?.due, due <= now || deadline != nil { pendingIndexing[torrent] = nil }
            budget -= indexCompleteFiles(torrent, only: paths)
        }
    }

    /// How many files it looked at.
    private func indexCompleteFiles(_ torrent: Torrent, only paths: Set<String>?) -> Int {
        guard let entry = entry(torrent), let status = try? session.status(torrent), status.hasMetadata,
              let files = try? session.files(torrent) else { return 1 }
        var looked = 0
        for file in files where file.size > 0 && file.done == file.size && paths.map({ $0.contains(file.path) }) != false {
            guard let root = file.root else { continue }
            looked += 1
            do {
                try rootIndex.record(root: root, path: joinPath(status.savePath, file.path))
            } catch {
                reporter.warning(name: entry.name, infoHash: entry.stateKey, "the index of files on disk was not updated: \(error)",
                                 once: true)
            }
        }
        return max(1, looked)
    }

    /// Its files are about to be deleted: the index forgets them first.
    func forgetIndexedFiles(_ entry: Tracked) {
        guard let status = try? session.status(entry.torrent), let files = try? session.files(entry.torrent) else { return }
        for file in files {
            if let root = file.root { rootIndex.forget(root: root, path: joinPath(status.savePath, file.path)) }
        }
    }
}
