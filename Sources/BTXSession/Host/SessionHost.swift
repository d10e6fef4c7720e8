import Glibc
import TorrentKit

/// The process that runs the libtorrent session: `btx add` in the
/// foreground (until its torrents and those handed to it are done) or
/// `btx daemon` (until stopped). It keeps resume data on disk all along and
/// answers the control socket, so other btx commands can see and steer it.
public final class SessionHost {
    /// `offline`: a command with no session running changes saved torrents
    /// through one of its own that talks to no one (see OfflineHost).
    public enum Mode { case foreground, daemon, offline }
    public struct Outcome {
        public var failure: BTXError?
        public init(failure: BTXError? = nil) { self.failure = failure }
    }

    public final class Tracked {
        let torrent: Torrent
        var name: String
        /// The info-hash its resume file is named by.
        var stateKey: String
        /// Its info-hashes as known when it was added, until a status says
        /// (a v2 magnet learns its v1 hash with the metadata).
        var addedHashes: (v1: String?, v2: String?) = (nil, nil)
        var only: FileSelection?
        /// In force: an add's per-run values over what `set` chose.
        var settings: TorrentSettings
        /// --peer endpoints, dialled again on resume (libtorrent waits a
        /// minute before reconnecting a peer it dropped).
        var peers: [String] = []
        var completedAt: Double?
        var error: String?
        var done = false
        /// A verify is running: shown as "checking" from the request until
        /// libtorrent says the check is over, with no gap in between.
        var checking = false
        /// It came from saved state, whose resume file holds its pieces.
        var resumed = false
        /// Pieces its last written resume data holds.
        var savedPieces: Int?
        var lastStatus: TorrentStatus?
        /// The `added` event's data, also the control socket's answer to an add.
        var added = JSON.null
        /// Addresses the blocklist kept from it this run.
        var blockedPeers = Set<String>()
        /// Offline: whether its saved state says paused (it runs paused
        /// regardless, so that nothing starts).
        var savedPaused = false
        /// The --on-complete command to run when it finishes.
        var onComplete: String?
        /// What its last written resume data holds, as status shows it:
        /// periodic saves skip a torrent that has not moved since.
        var savedSignature: SaveSignature?
        /// Changed this run in a way its save signature does not show
        /// (settings, trackers, priorities, which libtorrent may take after
        /// the save asked for them), or a write of it failed: written again
        /// at shutdown whatever its last save holds.
        var changedThisRun = false
        /// The status each unanswered save was asked at, oldest first: what
        /// its resume data holds at least.
        var requestedSignatures: [SaveSignature?] = []
        /// Its last status document, encoded, and what it showed (see encodedDocument).
        var renderedDocument: (shown: StatusDocumentInputs, bytes: [UInt8])?

        /// What a user names it by (see select).
        var key: TorrentKey {
            lastStatus?.key ?? TorrentKey(infoHashV1: addedHashes.v1, infoHashV2: addedHashes.v2, name: name)
        }

        init(torrent: Torrent, name: String, stateKey: String, only: FileSelection?, settings: TorrentSettings) {
            self.torrent = torrent
            self.name = name
            self.stateKey = stateKey
            self.only = only
            self.settings = settings
        }
    }

    public let session: Session
    public let directory: StateDirectory
    public let mode: Mode
    public let saveDHT: Bool
    public let reporter: SessionObserver
    /// None offline: replies go to `offlineReplies`.
    let server: ControlServer?
    var offlineReplies: [UInt64: JSON] = [:]
    /// Moves under way: who asked, and the answer once it is done.
    var pendingMoves: [Torrent: (client: UInt64, reply: JSON)] = [:]
    /// libtorrent's queue decides which torrents run (--max-active-*).
    public let queueing: Bool
    private let wakeFD: Int32
    /// In the order added; looked up by handle through `byTorrent`, which
    /// keeps a status tick linear in the number of torrents.
    private(set) var tracked: [Tracked] = []
    private var byTorrent: [Torrent: Tracked] = [:]
    /// By every info-hash it was added or saved under: a request naming a
    /// whole hash (scripts, a following `btx add`) finds its torrent in one
    /// lookup, not by going through 5,000.
    private var byHash: [String: Tracked] = [:]
    /// Resume data requests not answered yet, per torrent. A save asked for
    /// while another is on its way is sent anyway: the earlier one may
    /// predate the last piece.
    private var pendingSaves: [Torrent: Int] = [:]
    let started = monotonicSeconds()
    public var stopRequested = false
    public var pendingDHT: [PendingDHTRequest] = []
    public var blocklist = SessionBlocklist()
    /// Events taken from libtorrent and not handled yet (see handleEvents).
    private var backlog: [Event] = []
    private var backlogDone = 0
    /// Torrents that finished or changed state since the last poll.
    private var changedTorrents = Set<Torrent>()
    private var lastSave = monotonicSeconds()
    private var lastStatus = -Double.infinity
    /// Readers of files (see SessionHost+Stream), by control client.
    var streams: [UInt64: ActiveStream] = [:]
    /// The pieces given deadlines, per torrent.
    var deadlines: [Torrent: Set<Int>] = [:]
    /// File priorities of torrents a --range stream narrowed, to put back.
    var prioritiesBeforeNarrowing: [Torrent: [UInt8]] = [:]

    /// How often resume data of changing torrents is written: what a
    /// SIGKILL can cost. Unchanged torrents answer without writing.
    private let saveInterval: Double
    /// The session's --on-complete, for torrents whose add named none.
    private let onComplete: String?
    let hooks: CompletionHooks

    /// `blocklist`: the path of an IP blocklist, in force before any torrent is added.
    /// `onComplete`, `hookTimeout`: see CompletionHooks.
    public init(configuration: SessionConfiguration, directory: StateDirectory, observer: SessionObserver, mode: Mode,
                saveInterval: Double = 5, blocklist: String? = nil, onComplete: String? = nil,
                hookTimeout: Double = CompletionHooks.defaultTimeout, queue: QueueLimits? = nil) throws {
        // Read first: a list that cannot be read stops btx before any session starts.
        let list = try blocklist.map { ($0, try Blocklist.load($0)) }
        self.directory = directory
        self.saveInterval = saveInterval
        self.onComplete = onComplete
        queueing = queue != nil && mode != .offline
        hooks = CompletionHooks(timeout: hookTimeout)
        self.mode = mode
        saveDHT = configuration.dht
        reporter = observer
        let dhtState = configuration.dht ? directory.loadDHTState(warn: { observer.warning(name: nil, infoHash: nil, $0) }) : []
        session = try Session(configuration, dhtState: dhtState)
        if let queue, queueing { try session.apply(settings: queue.settings) }
        wakeFD = try session.wakeDescriptor()
        server = mode == .offline ? nil : try ControlServer(directory: directory)
        if mode != .offline { directory.removeAbandonedWrites() }
        installInterruptHandlers()
        if mode == .daemon { installHangupHandler() }
        if let (path, list) = list { try enforce(list, from: path) }
    }

    // MARK: adding

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
        let key = source.info.infoHash
        if let (bytes, saved) = savedState(of: source) {
            what = .resumeData(bytes)
            resumed = true
            // Where the data already is wins: a new -o would mean downloading
            // it all again. With nothing verified yet, -o may move it.
            let keepsSavedPath = !explicitSavePath || saved.status.totalDone > 0
            if keepsSavedPath {
                if explicitSavePath, options.savePath != saved.status.savePath {
                    reporter.warning(name: source.info.name, infoHash: key,
                                     "already downloading into \(saved.status.savePath); continuing there", once: true)
                }
                options.savePath = nil
            }
        }
        if let only = plan.only, source.info.pieceCount > 0 {
            options.filePriorities = try only.priorities(for: source.info.files)
        }
        // Into the queue from the start: none of them runs unless it may.
        options.autoManaged = queueing && !plan.paused
        let torrent: Torrent
        do {
            torrent = try session.add(what, options: options)
        } catch let error as TorrentKitError {
            throw BTXError.failure("\(source.argument): \(error.message)")
        }
        if let existing = byTorrent[torrent] {
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
        entry.addedHashes = (source.info.infoHashV1, source.info.infoHashV2)
        applyChosenSettings(entry)
        entry.peers = plan.peers
        entry.onComplete = plan.onComplete ?? onComplete
        entry.resumed = resumed
        directory.clearError(for: key)
        track(entry)
        if plan.settings.seeding.hasLimit { try? directory.saveSeedGoal(plan.settings.seeding.json, for: key) }
        let status = try? session.status(torrent)
        if status?.hasMetadata == true { try applySelection(entry) }
        // A daemon saves a torrent it is given at once: killed before its first
        // periodic save, it would forget it. Not a foreground add, which is run
        // again with its source: resume data saved before any piece would make
        // the restart trust "no pieces" and fetch again what is already on disk,
        // where no resume data at all has it check the files.
        if plan.paused || mode == .daemon { requestSave(entry, onlyIfModified: false) }
        entry.added = addedEvent(infoHash: key, name: entry.name, savePath: status?.savePath ?? options.savePath ?? "",
                                 resumed: resumed, hasMetadata: status?.hasMetadata ?? false)
        reporter.added(entry.added)
        return entry
    }

    /// A daemon picks up every saved torrent, as it was left; offline, only
    /// `hashes`, all paused.
    public func resumeSavedTorrents(_ only: [String]? = nil) {
        let hashes: [String]
        do {
            hashes = try only ?? directory.savedHashes()
        } catch {
            return reporter.warning(name: nil, infoHash: nil, "cannot resume the saved torrents: \(error)")
        }
        for hash in hashes {
            do {
                guard let bytes = try directory.loadResumeData(hash) else { continue }
                let saved = try SavedTorrent(resumeData: bytes)
                var options = AddOptions()
                options.paused = saved.status.isPaused || mode == .offline
                options.autoManaged = queueing && !saved.status.isPaused
                let torrent = try session.add(.resumeData(bytes), options: options)
                var settings = TorrentSettings()
                settings.seeding = SeedPolicy(seedForever: true)
                do {
                    if let goal = try directory.loadSeedGoal(hash) { settings.seeding = SeedPolicy(json: goal) }
                } catch {
                    reporter.warning(name: saved.status.name, infoHash: hash, "seeding with no goal: \(error)")
                }
                let entry = Tracked(torrent: torrent, name: saved.status.name, stateKey: hash, only: nil, settings: settings)
                entry.resumed = true
                entry.addedHashes = (saved.status.infoHashV1, saved.status.infoHashV2)
                entry.savedPaused = saved.status.isPaused
                entry.savedSignature = SaveSignature(saved.status)
                entry.savedPieces = saved.status.piecesDone
                entry.onComplete = onComplete
                applyChosenSettings(entry)
                // The seeding clock started when the torrent completed, not now.
                if saved.status.completedTime > 0 {
                    entry.completedAt = monotonicSeconds() - Double(max(0, Int64(time(nil)) - saved.status.completedTime))
                }
                track(entry)
            } catch {
                reporter.warning(name: nil, infoHash: hash, "could not resume \(directory.resumePath(hash)): \(error)")
            }
        }
    }

    // MARK: running

    /// Drives the session; with `untilPaused` (--paused) it only saves the
    /// torrents' state and returns.
    public func run(untilPaused: Bool = false) throws -> Outcome {
        if untilPaused {
            try shutdown()
            reporter.summary(tracked.map { ($0.name, $0.lastStatus, .addedPaused) })
            reporter.exit(reason: "paused", code: .success)
            return Outcome()
        }
        loop: while true {
            switch try tick() {
            case .running: continue
            case .finished: break loop
            case .stopped:
                reporter.exit(reason: "stopped", code: .success)
                return Outcome()
            case .interrupted:
                let code = interruptExitCode()
                reporter.exit(reason: "interrupted", code: code)
                let why = code == .readerGone ? "the reader of the output went away" : "interrupted"
                return Outcome(failure: BTXError(exitCode: code, message: why + "; resume data saved", reported: true))
            }
        }
        reporter.endProgress()
        try shutdown()
        let failed = tracked.filter { $0.error != nil }
        reporter.summary(tracked.filter { $0.error == nil }.map { ($0.name, $0.lastStatus, outcome($0)) })
        if !failed.isEmpty {
            reporter.exit(reason: "error", code: .failure)
            // One "btx: NAME: reason" line per failed torrent; JSON has had an error event for each.
            let message = failed.map { "\($0.name): \($0.error!)" }.joined(separator: "\nbtx: ")
            return Outcome(failure: BTXError(exitCode: .failure, message: message, reported: true))
        }
        reporter.exit(reason: "complete", code: .success)
        return Outcome()
    }

    public enum TickResult { case running, finished, stopped, interrupted }

    /// One turn of the run loop: waits up to `wait` seconds for something
    /// to happen and handles it. An interrupt or a stop request shuts the
    /// session down (resume data saved) before it returns; `finished` (a
    /// foreground session whose torrents are all done) leaves that to the caller.
    public func tick(wait: Double = 0.25) throws -> TickResult {
        try step(wait: wait)
        reloadOnHangup()
        if interruptRequested() || stopRequested {
            reporter.endProgress()
            try shutdown()
            return stopRequested ? .stopped : .interrupted
        }
        // Statuses are polled four times a second for a foreground add's
        // progress, once a second in a daemon (which shows none: polling
        // 5,000 torrents costs 30 ms), and at once for a torrent that
        // finishes or changes state: that one's alone (an add to a daemon of
        // 5,000 brings several such events; polling all each time made every
        // add cost O(n)), unless so many changed that one round trip for all
        // is cheaper. Not on every wake-up, which come with each burst of
        // alerts during a fast download.
        let now = monotonicSeconds()
        if now - lastStatus < (mode == .daemon ? 1 : 0.25) && changedTorrents.count < 64 {
            guard !changedTorrents.isEmpty else { return .running }
            for torrent in changedTorrents {
                if let status = try? session.status(torrent) { update(with: status, now: now) }
            }
            changedTorrents.removeAll(keepingCapacity: true)
            return mode == .foreground && tracked.allSatisfy(\.done) ? .finished : .running
        }
        changedTorrents.removeAll(keepingCapacity: true)
        lastStatus = now
        if mode == .daemon {
            // A daemon shows no progress: it needs the torrents that changed
            // (libtorrent's state updates, asked for a tick ago), not a poll
            // of 5,000 that costs 25 ms a second, most of them idle. Seeding
            // time runs on without a change.
            for status in try session.statusUpdates() { update(with: status, now: now) }
            try session.requestStatusUpdates()
            for entry in tracked where entry.completedAt != nil && entry.settings.seeding.seconds != nil {
                if let status = entry.lastStatus { update(with: status, now: now) }
            }
        } else {
            for status in try session.statuses() { update(with: status, now: now) }
        }
        if now - lastSave >= saveInterval {
            // libtorrent calls every torrent it loaded "modified": 5,000
            // resumed torrents would all be written (an fsync each) for nothing.
            for entry in tracked where !isSaved(entry) { requestSave(entry, onlyIfModified: true) }
            lastSave = now
        }
        if reporter.showsProgress {
            reporter.progress(tracked.compactMap { entry in
                entry.done ? nil : entry.lastStatus.map { document(of: $0, entry: entry) }
            }, now: now)
        }
        return mode == .foreground && tracked.allSatisfy(\.done) ? .finished : .running
    }

    /// Sleeps until libtorrent has events, a control client writes, or a
    /// quarter second passes (for progress and the seeding clock); then
    /// handles what came.
    func step(wait: Double = 0.25) throws {
        var descriptors = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)] + (server?.pollDescriptors ?? [])
        let busy = server?.hasWaitingRequests == true || backlog.count > backlogDone
        _ = poll(&descriptors, nfds_t(descriptors.count), busy ? 0 : Int32(wait * 1000))
        if descriptors[0].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 256)
            while sink.withUnsafeMutableBytes({ read(wakeFD, $0.baseAddress, $0.count) }) > 0 {}
        }
        try handleEvents(for: 0.05)
        server?.service(Array(descriptors.dropFirst()), handle: answer)
        if !hooks.isEmpty { hooks.poll().forEach(reporter.hookFinished) }
        expireDHTRequests()
        expireStreams()
    }

    /// Handles what libtorrent said, for at most `seconds` at a time: a
    /// daemon of thousands of torrents gets thousands of events at once
    /// (each resume write an fsync), and the control socket must not wait
    /// for all of them. What is left is handled on the next step, or by
    /// shutdown: a save answered there and skipped would be waited for to
    /// the deadline (a foreground add of 100 torrents took 12 s, not 2).
    /// `waiting`: how long to wait for libtorrent when nothing is left.
    private func handleEvents(for seconds: Double, waiting: Double = 0) throws {
        if backlogDone == backlog.count {
            backlog = try session.events(timeout: waiting)
            backlogDone = 0
        }
        let end = monotonicSeconds() + seconds
        while backlogDone < backlog.count {
            let event = backlog[backlogDone]
            backlogDone += 1
            try handle(event)
            if monotonicSeconds() > end { break }
        }
    }

    private func outcome(_ entry: Tracked) -> TorrentOutcome {
        guard let status = entry.lastStatus else { return .complete }
        if status.sessionDownloaded == 0 { return .alreadyComplete }
        return .downloaded(bytes: status.sessionDownloaded, seconds: max(0.001, (entry.completedAt ?? monotonicSeconds()) - started))
    }

    func entry(_ torrent: Torrent) -> Tracked? { byTorrent[torrent] }

    /// The one torrent `query` names (see select): a whole info-hash is one
    /// lookup; a prefix or a name is looked for among the keys in memory,
    /// never through libtorrent's status of every torrent.
    func entry(named query: String) throws -> Tracked {
        if query.count == 40 || query.count == 64, let entry = byHash[query.lowercased()] { return entry }
        return try select(query, from: tracked, key: \.key)
    }

    /// What `set` chose for the torrent, under the add's per-run values;
    /// a torrent queueing applies starts auto-managed unless its user paused it.
    private func applyChosenSettings(_ entry: Tracked) {
        do {
            let chosen = try directory.loadChosenSettings(entry.stateKey)
            entry.settings = chosen.applied(to: entry.settings)
            if !chosen.isEmpty { try apply(entry.settings, to: entry) }
            if queueing && !entry.savedPaused { try enqueue(entry) }
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

    private func track(_ entry: Tracked) {
        tracked.append(entry)
        byTorrent[entry.torrent] = entry
        index(entry, under: [entry.stateKey, entry.addedHashes.v1, entry.addedHashes.v2])
    }

    private func index(_ entry: Tracked, under hashes: [String?]) {
        for hash in hashes.compactMap({ $0 }) { byHash[hash] = entry }
    }

    private func handle(_ event: Event) throws {
        switch event {
        case .metadataReceived(let torrent):
            // Its name and a v2 magnet's v1 hash change: status and lookups see them this tick.
            changedTorrents.insert(torrent)
            guard let entry = entry(torrent), let status = try? session.status(torrent) else { return }
            entry.name = status.name
            do {
                try applySelection(entry)
            } catch let error as BTXError {
                fail(entry, error.message, stop: true)
            } catch {
                fail(entry, "\(error)", stop: true)
            }
            reporter.metadata(name: status.name, infoHash: status.infoHash, size: status.totalSize)
            requestSave(entry, onlyIfModified: false)
        case .resumeData(let torrent, let infoHash, let data, let pieces):
            let signature = saveAnswered(torrent)
            // A torrent removed meanwhile stays removed.
            guard let entry = entry(torrent) else { return }
            do {
                // Offline it ran paused only so that nothing would start; a
                // queued torrent is paused by the queue, not by its user.
                let patch = mode == .offline || (queueing && entry.error == nil)
                let data = patch ? try SavedTorrent.resumeData(data, paused: entry.savedPaused) : data
                try directory.saveResumeData(data, for: infoHash)
                entry.savedSignature = signature
                entry.savedPieces = pieces
                if entry.stateKey != infoHash {
                    // A v2 magnet learns its v1 hash with the metadata.
                    let goal = try? directory.loadSeedGoal(entry.stateKey)
                    directory.removeResumeData(entry.stateKey)
                    entry.stateKey = infoHash
                    index(entry, under: [infoHash])
                    if let goal { try? directory.saveSeedGoal(goal, for: infoHash) }
                }
            } catch let error as BTXError {
                entry.changedThisRun = true
                reporter.warning(name: entry.name, infoHash: infoHash, "could not save resume data: \(error.message)")
            }
        case .resumeDataUnchanged(let torrent):
            // Nothing changed since the last write: it holds this state too.
            entry(torrent)?.savedSignature = saveAnswered(torrent)
        case .resumeDataFailed(let torrent, let message):
            _ = saveAnswered(torrent)
            if let entry = entry(torrent) {
                entry.changedThisRun = true
                reporter.warning(name: entry.name, infoHash: entry.stateKey, "could not save resume data: \(message)")
            }
        case .finished(let torrent), .stateChanged(let torrent, _), .paused(let torrent), .resumed(let torrent):
            changedTorrents.insert(torrent)
        case .checked(let torrent):
            changedTorrents.insert(torrent)
            if let entry = entry(torrent), entry.checking {
                entry.checking = false
                requestSave(entry, onlyIfModified: false)
            }
        case .torrentError(let torrent, let message):
            if let entry = entry(torrent) { fail(entry, message) }
        case .fileError(let torrent, let message):
            // libtorrent keeps a torrent that cannot write (a full disk) seeding
            // in upload mode; it waits paused with its error until `btx resume`.
            if let entry = entry(torrent) { fail(entry, message, stop: true) }
        case .trackerError(let torrent, let message):
            reporter.diagnostic(name: entry(torrent)?.name, infoHash: entry(torrent)?.stateKey, message)
        case .trackerReply(let torrent, let peers):
            if let entry = entry(torrent) { reporter.trackerReply(infoHash: entry.stateKey, peers: peers) }
        case .hashFailed(let torrent, let piece):
            reporter.diagnostic(name: entry(torrent)?.name, infoHash: entry(torrent)?.stateKey,
                                "piece \(piece) failed its hash check; downloading it again")
        case .listening(let port):
            reporter.listening(port: port)
        case .listenFailed(let message):
            reporter.diagnostic(name: nil, infoHash: nil, message)
        case .dhtItem(let item):
            answerDHT(item: item)
        case .dhtPut(let item, let message):
            answerDHT(put: item, message: message)
        case .storageMoved(let torrent, _):
            moveEnded(torrent, failure: nil)
        case .storageMoveFailed(let torrent, let message):
            moveEnded(torrent, failure: message)
        case .peerBlocked(let torrent, let address):
            noteBlocked(torrent, address: address)
        default:
            break
        }
    }

    /// --only for a torrent whose file list was unknown when it was added.
    private func applySelection(_ entry: Tracked) throws {
        guard let only = entry.only else { return }
        entry.changedThisRun = true
        try session.setFilePriorities(entry.torrent, only.priorities(for: session.files(entry.torrent)))
        entry.only = nil
    }

    /// `stop`: pause the torrent, where libtorrent would leave it running
    /// (btx's own failures, and writes that failed).
    private func fail(_ entry: Tracked, _ message: String, stop: Bool = false) {
        guard entry.error == nil else { return }
        entry.error = message
        entry.done = true
        directory.saveError(message, for: entry.stateKey)
        if stop { try? session.pause(entry.torrent) }
        reporter.error(name: entry.name, infoHash: entry.stateKey, message)
        saveChange(entry)
    }

    func update(with status: TorrentStatus, now: Double) {
        guard let entry = entry(status.torrent) else { return }
        entry.lastStatus = status
        // A --range stream has every other piece at priority 0: libtorrent
        // calls that finished, but it is not, and its hooks must not run.
        guard !entry.done, prioritiesBeforeNarrowing[status.torrent] == nil else { return }
        if status.isComplete && entry.completedAt == nil && !entry.checking {
            entry.completedAt = now
            reporter.finished(status, seconds: now - started)
            requestSave(entry, onlyIfModified: false)
            runHook(entry, status: status)
        }
        if let completedAt = entry.completedAt, status.isComplete,
           entry.settings.seeding.isMet(ratio: status.ratio, seededFor: now - completedAt) {
            entry.done = true
            // A daemon stops seeding at the limit it was given.
            if mode == .daemon && entry.settings.seeding.hasLimit {
                entry.savedPaused = true
                try? unqueue(entry)
                try? session.pause(entry.torrent)
                // Paused by the queue already, its status shows no change.
                saveChange(entry)
            }
        }
    }

    /// A torrent as status and progress show it.
    public func document(of status: TorrentStatus, entry: Tracked?) -> JSON {
        document(of: StatusDocumentInputs(status, entry: entry), stream: streamDocument(status.torrent))
    }

    /// The same, encoded, and rendered again only when something it shows
    /// has changed: a status of 5,000 mostly idle torrents was 200,000 JSON
    /// values built and written per request (50 of its 80 ms).
    func encodedDocument(of status: TorrentStatus, entry: Tracked) -> JSON {
        let stream = streamDocument(status.torrent)
        let shown = StatusDocumentInputs(status, entry: entry)
        // A stream's offset moves on its own: such a document is not kept.
        guard case .null = stream else { return document(of: shown, stream: stream) }
        if let rendered = entry.renderedDocument, rendered.shown == shown { return .encoded(rendered.bytes) }
        let bytes = document(of: shown, stream: stream).bytes
        entry.renderedDocument = (shown, bytes)
        return .encoded(bytes)
    }

    private func document(of shown: StatusDocumentInputs, stream: JSON) -> JSON {
        // btx's own record comes first: it names the file where libtorrent's
        // error state has only the reason; a bad --only has only btx's.
        let status = shown.status
        let failure = shown.error ?? status.error
        let state = failure != nil ? "error" : shown.checking ? "checking" : status.stateWord
        return status.document(running: true, state: state, settings: shown.settings,
                               goalReached: shown.done && failure == nil, error: failure,
                               blockedPeers: shown.blockedPeers, stream: stream)
    }

    private func runHook(_ entry: Tracked, status: TorrentStatus) {
        guard let command = entry.onComplete else { return }
        do {
            try hooks.start(command, document: document(of: status, entry: entry), infoHash: entry.stateKey,
                            name: entry.name, savePath: status.savePath)
        } catch let error as BTXError {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, error.message, once: false)
        } catch {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, "on-complete: \(error)", once: false)
        }
    }

    /// A save of a change its save signature does not show.
    func saveChange(_ entry: Tracked) {
        entry.changedThisRun = true
        requestSave(entry, onlyIfModified: false)
    }

    /// Periodic saves (`onlyIfModified`) wait for the one in flight; any
    /// other save is a new request, so the last one written is the newest.
    public func requestSave(_ entry: Tracked, onlyIfModified: Bool) {
        if onlyIfModified && pendingSaves[entry.torrent] != nil { return }
        if isLoadingSavedPieces(entry) { return }
        if (try? session.requestResumeData(entry.torrent, onlyIfModified: onlyIfModified)) != nil {
            pendingSaves[entry.torrent, default: 0] += 1
            entry.requestedSignatures.append(entry.lastStatus.map(SaveSignature.init))
        }
    }

    /// Its last written resume data holds what it shows now, and no save
    /// is on its way.
    func isSaved(_ entry: Tracked) -> Bool {
        guard pendingSaves[entry.torrent] == nil, let status = entry.lastStatus,
              let signature = entry.savedSignature, let pieces = entry.savedPieces else { return false }
        return signature == SaveSignature(status) && pieces >= status.piecesDone
    }

    /// libtorrent saves no pieces at all for a torrent whose resume data it
    /// has not loaded yet: saving then would replace good resume data with
    /// an empty one, and a crash right after would lose the whole download.
    private func isLoadingSavedPieces(_ entry: Tracked) -> Bool {
        entry.resumed && (entry.lastStatus.map { $0.state == .checkingResumeData } ?? true)
    }

    /// Returns the status that save was asked at (nil when unknown).
    private func saveAnswered(_ torrent: Torrent) -> SaveSignature? {
        if let count = pendingSaves[torrent] { pendingSaves[torrent] = count > 1 ? count - 1 : nil }
        guard let entry = entry(torrent), !entry.requestedSignatures.isEmpty else { return nil }
        return entry.requestedSignatures.removeFirst()
    }

    /// Saves every torrent's resume data (and the DHT routing table),
    /// waiting a bounded time for libtorrent to produce it.
    public func shutdown() throws {
        for client in Array(streams.keys) { endStream(client) }
        server?.close()
        // A foreground add that finished waits for its hooks (each up to its
        // timeout); a session being stopped gives them a moment, then kills them.
        let stopping = stopRequested || interruptRequested()
        hooks.finish(grace: stopping ? 2 : .infinity, reporting: reporter.hookFinished)
        // Torrents still loading their resume data (a Ctrl-C right after
        // start) get the moment it takes, so that the final save holds their pieces.
        let deadline = monotonicSeconds() + 10
        try waitForSavedPieces(until: deadline)
        // libtorrent counts a piece done once its hash passed, but saves it
        // only once it is written: a save right after the last piece can miss
        // it. Save again until the saved data holds every piece status shows.
        // Transfers stop first (the torrents' own paused flags, which their
        // resume data keeps, stay as they are): a download still running at
        // full speed completed pieces faster than they were saved, and a
        // Ctrl-C waited for the rest of the download.
        try? session.pauseSession()
        for status in try session.statuses() { entry(status.torrent)?.lastStatus = status }
        // A torrent whose last save holds what it shows now, and that was
        // not otherwise changed, is not written again: a daemon of 2,000 idle
        // torrents took 2.2 s to stop, an fsync each, and at 10,000 it would
        // have run out of time. (What libtorrent alone counts, its active and
        // seeding times and known peers, stays as last saved.)
        var unsaved = tracked.filter { $0.changedThisRun || !isSaved($0) }
        while !unsaved.isEmpty && monotonicSeconds() < deadline {
            for entry in unsaved {
                // Known again once written; a write that failed (and was
                // warned of) is not tried again.
                entry.savedPieces = nil
                requestSave(entry, onlyIfModified: false)
            }
            while !pendingSaves.isEmpty && monotonicSeconds() < deadline {
                try handleEvents(for: .infinity, waiting: 0.1)
            }
            for status in try session.statuses() { entry(status.torrent)?.lastStatus = status }
            unsaved = tracked.filter { ($0.savedPieces ?? .max) < ($0.lastStatus?.piecesDone ?? 0) }
            if !unsaved.isEmpty { usleep(20_000) }
        }
        // Said, not hidden: what the last save left out is fetched again.
        for entry in tracked where pendingSaves[entry.torrent] != nil || unsaved.contains(where: { $0 === entry }) {
            reporter.warning(name: entry.name, infoHash: entry.stateKey,
                             "resume data not saved within 10 s; the next start resumes from the last save", once: false)
        }
        if saveDHT, let state = try? session.dhtState(), !state.isEmpty {
            try? FileIO.writeAtomically(state, to: directory.dhtStatePath, replace: true, mode: 0o600)
        }
        // libtorrent stops here, not whenever this object is freed: the state
        // lock is let go right after (runSession), and the next session
        // must not meet this one still stopping.
        try? session.close()
    }

    func waitForSavedPieces(until deadline: Double) throws {
        while true {
            for status in try session.statuses() { entry(status.torrent)?.lastStatus = status }
            guard tracked.contains(where: isLoadingSavedPieces), monotonicSeconds() < deadline else { break }
            usleep(5_000)
        }
    }

    /// Forgets a removed torrent and its saved state.
    public func forget(_ entry: Tracked) {
        tracked.removeAll { $0 === entry }
        byTorrent[entry.torrent] = nil
        for hash in [entry.stateKey, entry.addedHashes.v1, entry.addedHashes.v2].compactMap({ $0 }) where byHash[hash] === entry {
            byHash[hash] = nil
        }
        pendingSaves[entry.torrent] = nil
        directory.removeResumeData(entry.stateKey)
    }
}

/// The part of a torrent's state its resume data keeps that changes by
/// itself (what `set`, trackers and priorities change is saved when changed).
struct SaveSignature: Equatable {
    let piecesDone: Int
    let totalDone: Int64
    let downloaded: Int64
    let uploaded: Int64
    let isPaused: Bool
    let hasMetadata: Bool
    let savePath: String

    init(_ status: TorrentStatus) {
        piecesDone = status.piecesDone
        totalDone = status.totalDone
        downloaded = status.totalDownloaded
        uploaded = status.totalUploaded
        isPaused = status.isPaused
        hasMetadata = status.hasMetadata
        savePath = status.savePath
    }
}

/// Everything of a torrent that its status document shows but its stream:
/// the document is rendered from these alone, so one kept with them is
/// stale exactly when they differ.
struct StatusDocumentInputs: Equatable {
    let status: TorrentStatus
    let error: String?
    let checking: Bool
    let done: Bool
    let blockedPeers: Int
    let settings: TorrentSettings

    init(_ status: TorrentStatus, entry: SessionHost.Tracked?) {
        self.status = status
        error = entry?.error
        checking = entry?.checking ?? false
        done = entry?.done ?? false
        blockedPeers = entry?.blockedPeers.count ?? 0
        settings = entry?.settings ?? TorrentSettings()
    }
}
