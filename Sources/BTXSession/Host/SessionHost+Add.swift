import Glibc
import TorrentKit

/// Adding torrents, and taking up the saved ones.
extension SessionHost {
    /// The resume data saved for this torrent, unless it is unreadable:
    /// then the torrent starts afresh, and the check finds what is on disk.
    private func savedState(of source: AddSource) -> ([UInt8], SavedTorrent)? {
        for hash in [source.info.infoHashV1, source.info.infoHashV2].compactMap({ $0 }) {
            do {
                guard let bytes = try directory.loadResumeData(hash) else { continue }
                return (bytes, try SavedTorrent(resumeData: bytes))
            } catch let error as BTXError {
                reporter.warning(name: source.info.name, infoHash: hash, "ignoring unreadable resume data: \(error.message)")
            } catch {
                reporter.warning(name: source.info.name, infoHash: hash,
                                 "ignoring damaged resume data in \(directory.resumePath(hash))")
            }
        }
        return nil
    }

    /// Adds (or resumes from saved state) one torrent. `explicitSavePath`:
    /// -o was given, rather than defaulted.
    @discardableResult
    public func add(_ source: AddSource, plan: AddPlan, savePath: String, explicitSavePath: Bool) throws -> Tracked {
        var options = plan.options(savePath: savePath)
        var what = source.source
        var resumed = false
        var destination: String?
        /// Where its resume data says it is, when its data arrived at its destination.
        var savedAt: String?
        let key = source.info.infoHash
        // Added again, a dormant one is the same torrent: libtorrent must hold it to say so.
        for hash in [source.info.infoHashV1, source.info.infoHashV2].compactMap({ $0 }) {
            if let existing = registry.entry(hash: hash), existing.isDormant { wake(existing) }
        }
        if let (bytes, saved) = savedState(of: source) {
            what = .resumeData(bytes)
            resumed = true
            // One in the session already may be moving now: its files are libtorrent's.
            if registry.entry(hash: key) == nil,
               let arrivedAt = settleInterruptedMove(chosen: try? directory.loadChosenSettings(key), resumeData: bytes,
                                                     saved: saved.status) {
                options.savePath = arrivedAt
                savedAt = saved.status.savePath
            }
            // Where the data already is wins: a new -o would mean downloading
            // it all again. With nothing verified yet, -o may move it.
            let keepsSavedPath = !explicitSavePath || saved.status.totalDone > 0
            if keepsSavedPath {
                if explicitSavePath, options.savePath != saved.status.savePath {
                    reporter.warning(name: source.info.name, infoHash: key,
                                     "already downloading into \(saved.status.savePath); continuing there", once: true)
                }
                if savedAt == nil { options.savePath = nil }
            }
        } else if let folder = downloadFolder(for: source, savePath: savePath, incomplete: plan.incompleteDir ?? incompleteDir) {
            try makeDirectories(folder, mode: 0o755)
            options.savePath = folder
            destination = savePath
        }
        if let only = plan.only, source.info.pieceCount > 0 {
            options.filePriorities = try only.priorities(for: source.info.files)
        }
        let reuse = plan.reuse ?? reuseMode
        var copies: [PlacementJob.Copy] = []
        // One in the session already (its resume data not saved yet) has its files libtorrent's.
        if !resumed, reuse != .off, source.info.pieceCount > 0, registry.entry(hash: key) == nil, let folder = options.savePath {
            let skipped = Set(options.filePriorities.enumerated().filter { $0.element == 0 }.map(\.offset))
            copies = copiesToPlace(source.info.files, found: source.reusing, in: folder, skipped: skipped)
        }
        var reusedAtOnce: [(String, JSON)]?
        (copies, reusedAtOnce) = placeQuickly(copies, mode: reuse, entryName: source.info.name, key: key)
        // Into the queue from the start: none of them runs unless it may.
        options.autoManaged = queueing && !plan.paused
        // It waits for its copies paused, and looks at its files once they are there (startPlacing).
        if !copies.isEmpty {
            options.paused = true
            options.autoManaged = false
        }
        if !options.paused { stopResting() }
        let torrent: Torrent
        do {
            torrent = try session.add(what, options: options)
        } catch let error as TorrentKitError {
            throw BTXError.failure("\(source.argument): \(error.message)")
        }
        if let existing = registry[torrent] {
            // Added again with --peer: those peers are dialled now.
            for peer in plan.peers where !existing.peers.contains(peer) {
                existing.peers.append(peer)
                try? session.connect(torrent, to: peer)
            }
            return existing
        }
        let entry = Tracked(torrent: torrent, name: source.info.name.isEmpty ? key : source.info.name, stateKey: key,
                            only: source.info.pieceCount > 0 ? nil : plan.only, settings: plan.settings)
        entry.savedPaused = plan.paused
        if !copies.isEmpty { entry.pendingReuse = .placing }
        entry.addedHashes = (source.info.infoHashV1, source.info.infoHashV2)
        // An add's labels are the torrent's from now on, kept with what `set` chose, as is the link it follows.
        if !plan.settings.labels.isEmpty || destination != nil || source.follows != nil {
            keepChoice(entry) { chosen in
                if !plan.settings.labels.isEmpty { chosen.labels = plan.settings.labels }
                if let destination { chosen.destination = destination }
                if let follows = source.follows { chosen.follows = follows }
            }
        }
        applyChosenSettings(entry)
        // Its link was looked up for this add: the next look is an interval away.
        if source.follows != nil { entry.followCheckAt = monotonicSeconds() + followInterval }
        entry.peers = plan.peers
        entry.onComplete = plan.onComplete ?? onComplete
        if !resumed, source.info.pieceCount == 0, reuse != .off { entry.pendingReuse = .onMetadata(reuse) }
        directory.clearError(for: key)
        track(entry, resumed: resumed)
        if plan.settings.seeding.hasLimit {
            do {
                try directory.saveSeedGoal(plan.settings.seeding.json, for: key)
            } catch {
                // A restarted daemon would seed it forever: say so now.
                reporter.warning(name: entry.name, infoHash: key, "its seeding goal was not saved: \(error)", once: false)
            }
        }
        let status = try? session.status(torrent)
        if status?.hasMetadata == true { try applySelection(entry) }
        if let savedAt, entry.destination != nil { arrived(entry, savedAt: savedAt) }
        if plan.paused || policy.savesOnAdd { requestSave(entry, onlyIfModified: false) }
        entry.added = addedEvent(infoHash: key, name: entry.name, savePath: status?.savePath ?? options.savePath ?? "",
                                 resumed: resumed, hasMetadata: status?.hasMetadata ?? false)
        reporter.added(entry.added)
        note("added", entry.added.objectFields?.filter { !["info_hash", "name"].contains($0.0) } ?? [], entry: entry)
        if let reusedAtOnce { note("reused", reusedAtOnce, entry: entry) }
        if !copies.isEmpty { startPlacing(entry, copies, mode: reuse) }
        return entry
    }

    /// Adds one saved torrent as it was left, and says whether it is
    /// paused; nil (said) when it cannot be.
    func loadSaved(_ hash: String) -> (Torrent, paused: Bool)? {
        do {
            guard let bytes = try directory.loadResumeData(hash) else { return nil }
            // Shown under this should it stay dormant; one it does not is never used.
            let placeholder = nextPlaceholder()
            let saved = try SavedTorrent.status(resumeData: bytes, as: placeholder)
            var options = AddOptions()
            // Its data is whole at its destination: added there.
            // Read once for both; a damaged file is said by applyChosenSettings, which reads it again.
            let chosen = try? directory.loadChosenSettings(hash)
            options.savePath = settleInterruptedMove(chosen: chosen, resumeData: bytes, saved: saved)
            options.paused = saved.isPaused || policy.runsPaused
            options.autoManaged = queueing && !saved.isPaused
            let dormant = mayStayDormant(saved, chosen: chosen, moving: options.savePath != nil)
            let torrent = dormant ? placeholder : try session.add(.resumeData(bytes), options: options)
            var settings = TorrentSettings()
            settings.seeding = SeedPolicy(seedForever: true)
            do {
                if let goal = try directory.loadSeedGoal(hash) { settings.seeding = SeedPolicy(json: goal) }
            } catch {
                reporter.warning(name: saved.name, infoHash: hash, "seeding with no goal: \(error)")
            }
            let entry = Tracked(torrent: torrent, name: saved.name, stateKey: hash, only: nil, settings: settings)
            // The same hash once, not twice: 80 bytes a torrent.
            entry.addedHashes = (saved.infoHashV1 == hash ? hash : saved.infoHashV1,
                                 saved.infoHashV2 == hash ? hash : saved.infoHashV2)
            entry.savedPaused = saved.isPaused
            entry.onComplete = onComplete
            applyChosenSettings(entry, loaded: chosen)
            // The seeding clock started when the torrent completed, not now.
            if saved.completedTime > 0 {
                entry.completedAt = monotonicSeconds() - Double(max(0, Int64(time(nil)) - saved.completedTime))
            }
            track(entry, resumedFrom: SaveSignature(saved))
            if dormant { entry.lastStatus = saved }
            if options.savePath != nil { arrived(entry, savedAt: saved.savePath) }
            return (torrent, options.paused)
        } catch {
            reporter.warning(name: nil, infoHash: hash, "could not resume \(directory.resumePath(hash)): \(error)")
            return nil
        }
    }

    /// `resumed`: added with resume data (see ResumeLedger.track).
    private func track(_ entry: Tracked, resumedFrom saved: SaveSignature? = nil, resumed: Bool = false) {
        registry.track(entry)
        // A dormant one's save record starts when it wakes.
        if !entry.isDormant { ledger.track(entry.handle, resumedFrom: saved, resumed: resumed) }
    }

    /// What `set` chose for the torrent, under the add's per-run values;
    /// a torrent queueing applies starts auto-managed unless its user paused it.
    /// Changes what `set` chose for the torrent and saves it; a failure is said, not dropped.
    func keepChoice(_ entry: Tracked, _ change: (inout ChosenSettings) -> Void) {
        do {
            var chosen = try directory.loadChosenSettings(entry.stateKey)
            change(&chosen)
            try directory.saveChosenSettings(chosen, for: entry.stateKey)
        } catch {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, "its settings were not saved: \(error)", once: false)
        }
    }

    /// `loaded`: what its settings file holds, read already.
    func applyChosenSettings(_ entry: Tracked, loaded: ChosenSettings? = nil) {
        do {
            let chosen = try loaded ?? directory.loadChosenSettings(entry.stateKey)
            entry.settings = chosen.applied(to: entry.settings)
            entry.destination = chosen.destination
            entry.follows = chosen.follows
            if let name = entry.settings.name { entry.name = name }
            // A dormant one has them applied when it wakes.
            if !chosen.isEmpty && !entry.isDormant { try apply(entry.settings, to: entry) }
            if queueing && !entry.savedPaused && !entry.awaitsCopies { try enqueue(entry) }
        } catch let error as BTXError {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, "ignoring its settings: \(error.message)", once: false)
        } catch {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, "ignoring its settings: \(error)", once: false)
        }
    }

    /// Hands the torrent to libtorrent's queue, which starts and stops it.
    func enqueue(_ entry: Tracked) throws {
        var flags = try session.flags(entry.torrent)
        guard !flags.autoManaged else { return }
        flags.autoManaged = true
        try session.setFlags(entry.torrent, flags)
    }

    /// Takes it out of the queue, so that a pause sticks.
    func unqueue(_ entry: Tracked) throws {
        guard queueing else { return }
        var flags = try session.flags(entry.torrent)
        flags.autoManaged = false
        try session.setFlags(entry.torrent, flags)
    }
}
