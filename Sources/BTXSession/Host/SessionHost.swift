import CSyscall
import Glibc
import TorrentKit

/// The process that runs the libtorrent session: `btx add` in the
/// foreground (until its torrents and those handed to it are done) or
/// `btx daemon` (until stopped). It keeps resume data on disk all along and
/// answers the control socket, so other btx commands can see and steer it.
///
/// This file is the run loop; it wires the parts: the torrents it holds
/// (TorrentRegistry), what their saved resume data holds (ResumeLedger),
/// their status documents (StatusDocuments), and what its mode asks of it
/// (HostPolicy).
public final class SessionHost {
    /// `offline`: a command with no session running changes saved torrents
    /// through one of its own that talks to no one (see OfflineHost).
    public enum Mode { case foreground, daemon, offline }
    public struct Outcome {
        public var failure: BTXError?
        public init(failure: BTXError? = nil) { self.failure = failure }
    }

    public let session: Session
    public let directory: StateDirectory
    public let mode: Mode
    let policy: HostPolicy
    public let saveDHT: Bool
    public let reporter: SessionObserver
    /// None offline: replies go to `offlineReplies`.
    let server: ControlServer?
    var offlineReplies: [UInt64: JSON] = [:]
    /// Moves under way: who asked, and the answer once it is done.
    /// Moves under way; `client` is waiting for the answer (nil: it was answered when the move began).
    var pendingMoves: [Torrent: (client: UInt64?, reply: JSON)] = [:]
    var trackerWaits = TrackerWaits()
    let events = EventLog()
    /// `events` requests waiting for news: who, after which id, until when.
    var eventWaiters: [(client: UInt64, since: Int64, deadline: Double)] = []
    /// --on-event hooks.
    public var eventHooks: [EventHook] = []
    /// libtorrent's queue decides which torrents run (--max-active-*).
    public let queueing: Bool
    private let wakeFD: Int32
    let registry = TorrentRegistry()
    let ledger = ResumeLedger()
    let documents: StatusDocuments
    let started = monotonicSeconds()
    public var stopRequested = false
    /// Where the daemon answers Transmission RPC, when it does.
    public var rpcURL: String?
    /// Told first when the session starts to stop (systemd hears STOPPING=1).
    public var onShutdown: (() -> Void)?
    /// The session's caps in force, bytes/s (0: none): the configuration's
    /// until an RPC client changes them, for as long as the session runs.
    var sessionRates: (down: Int64, up: Int64) = (0, 0)
    /// Turtle mode's caps and schedule (the config's alt-*); nil without them.
    public var altSpeeds: AltSpeeds? {
        didSet { lastScheduledAlt = nil }
    }
    var altOn = false
    /// What the schedule said last: a change of its mind is what switches.
    var lastScheduledAlt: Bool?
    /// DHT gets and puts asked for over the control socket.
    let dht: DHTRequests
    /// Lookups of the btpk links torrents follow (SessionHost+Following).
    let followLookups: FollowLookups
    /// Seconds between lookups of a followed link (config follow-interval).
    public var followInterval: Double = 3600
    /// How files already on disk become new torrents' (config reuse; an add's --reuse wins).
    public var reuseMode = ReuseMode.default
    /// The v2 roots of the complete files held (SessionHost+Reuse).
    let rootIndex: FileRootIndex
    /// Copies being made for torrents waiting paused (SessionHost+Reuse).
    var placements: [Torrent: PlacementJob] = [:]
    /// Torrents whose complete files are to be indexed: when, and which (nil: every one).
    var pendingIndexing: [Torrent: (due: Double, paths: Set<String>?)] = [:]
    public var blocklist = SessionBlocklist()
    /// The saved torrents being taken up (see SessionHost+Loading).
    var loading = SavedLoading()
    /// Events taken from libtorrent and not handled yet (see handleEvents).
    private var backlog: [Event] = []
    private var backlogDone = 0
    /// Torrents that finished or changed state since the last poll.
    var changedTorrents = Set<Torrent>()
    /// Placeholders handed out to dormant torrents (SessionHost+Dormancy).
    var dormantCount: UInt32 = 0
    private var lastSave = monotonicSeconds()
    private var lastTrim = monotonicSeconds()
    private var lastStatus = -Double.infinity
    /// Readers of files (see SessionHost+Stream), by control client.
    var streams: [UInt64: ActiveStream] = [:]
    /// The pieces given deadlines, per torrent.
    var deadlines: [Torrent: Set<Int>] = [:]
    /// File priorities of torrents a --range stream narrowed, to put back.
    var prioritiesBeforeNarrowing: [Torrent: [UInt8]] = [:]
    /// The pacing profile in force (see SessionHost+Pacing).
    var pacing = SettingsProfile.pacing
    /// Since when a torrent has waited for a peer the user named.
    var namedPeerWaitStarted: Double?

    /// How often resume data of changing torrents is written: what a
    /// SIGKILL can cost. Unchanged torrents answer without writing.
    private let saveInterval: Double
    /// The session's --on-complete, for torrents whose add named none.
    let onComplete: String?
    /// Where new torrents download until complete (--incomplete-dir), when
    /// their add names none.
    public var incompleteDir: String?
    let hooks: CompletionHooks

    /// In the order added.
    var tracked: [Tracked] { registry.all }

    /// `blocklist`: the path of an IP blocklist, in force before any torrent is added.
    /// `onComplete`, `hookTimeout`: see CompletionHooks.
    public init(configuration: SessionConfiguration, directory: StateDirectory, observer: SessionObserver, mode: Mode,
                saveInterval: Double = 5, blocklist: String? = nil, onComplete: String? = nil,
                hookTimeout: Double = CompletionHooks.defaultTimeout, queue: QueueLimits? = nil) throws {
        // Read first: a list that cannot be read stops btx before any session starts.
        let list = try blocklist.map { ($0, try Blocklist.load($0)) }
        let policy = HostPolicy(mode)
        self.policy = policy
        // A status of 100,000 torrents is 85 MB written afresh in 128 KiB
        // pieces (producedDocuments). Given back to the
        // system as each was sent, they were faulted in again: 40% of its time.
        // The heap keeps them instead, until the daemon trims it (tick).
        // The threshold is the most glibc's own moves to: fixed at 256 KiB,
        // mapping and unmapping what loading allocates made loading 100,000
        // take 36 s, not 14. A daemon alone trims its heap (tick).
        if policy.pollsOnlyChanges { btx_keep_heap_for_replies() }
        documents = StatusDocuments(offline: policy.runsPaused)
        self.directory = directory
        rootIndex = FileRootIndex(directory)
        self.saveInterval = saveInterval
        self.onComplete = onComplete
        queueing = queue != nil && !policy.runsPaused
        hooks = CompletionHooks(timeout: hookTimeout)
        self.mode = mode
        saveDHT = configuration.dht
        reporter = observer
        let dhtState = configuration.dht ? directory.loadDHTState(warn: { observer.warning(name: nil, infoHash: nil, $0) }) : []
        session = try Session(configuration, dhtState: dhtState)
        sessionRates = (configuration.downloadLimit, configuration.uploadLimit)
        dht = DHTRequests(session: session)
        followLookups = FollowLookups(requests: DHTRequests(session: session))
        if let queue, queueing { try session.apply(.queue(queue)) }
        wakeFD = try session.wakeDescriptor()
        server = policy.listens ? try ControlServer(directory: directory) : nil
        // A daemon sweeps them as it lists its saved torrents (SavedHashListing).
        if policy.listens && mode != .daemon { directory.removeAbandonedWrites() }
        installInterruptHandlers()
        if policy.reloadsOnHangup { installHangupHandler() }
        if let (path, list) = list { try enforce(list, from: path) }
        registry.wake = { [unowned self] in self.wake($0) }
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
        try step(wait: waitsLong ? max(wait, 1) : wait)
        // Not only at the next poll of statuses: a torrent whose copies are made goes on at once.
        finishPlacements()
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
        if now - lastStatus < policy.statusInterval && changedTorrents.count < 64 {
            guard !changedTorrents.isEmpty else { return .running }
            for torrent in changedTorrents {
                if let status = try? session.status(torrent) { update(with: status, now: now) }
            }
            changedTorrents.removeAll(keepingCapacity: true)
            return policy.endsWhenDone && tracked.allSatisfy(\.settled) ? .finished : .running
        }
        changedTorrents.removeAll(keepingCapacity: true)
        lastStatus = now
        if policy.pollsOnlyChanges {
            // A daemon shows no progress: it needs the torrents that changed
            // (libtorrent's state updates, asked for a tick ago), not a poll
            // of 5,000 that costs 25 ms a second, most of them idle. Seeding
            // time runs on without a change.
            for status in try session.statusUpdates() { update(with: status, now: now) }
            try session.requestStatusUpdates()
            for entry in Array(registry.withSeedingClocks.values) {
                if let status = entry.lastStatus { update(with: status, now: now) }
            }
        } else {
            for status in try session.statuses() { update(with: status, now: now) }
        }
        updatePacing(now: now)
        if policy.pollsOnlyChanges && now - lastTrim >= 10 {
            // A status of 100,000 torrents writes 85 MB of replies that
            // malloc keeps once they are sent, for the next; a daemon gives
            // it back within seconds.
            btx_trim_heap()
            lastTrim = now
        }
        followAltSchedule()
        lookUpFollowedLinks(now: now)
        indexPendingFiles(now: now)
        if now - lastSave >= saveInterval {
            // libtorrent calls every torrent it loaded "modified": 5,000
            // resumed torrents would all be written (an fsync each) for nothing.
            // Only those whose status changed since they were last found saved.
            var saved: [Tracked] = []
            for entry in registry.maybeUnsaved.values {
                if isSaved(entry) { saved.append(entry) } else { requestSave(entry, onlyIfModified: true) }
            }
            registry.saved(saved)
            lastSave = now
        }
        if reporter.showsProgress {
            reporter.progress(tracked.compactMap { entry in
                entry.done ? nil : entry.lastStatus.map { document(of: $0, entry: entry) }
            }, now: now)
        }
        return policy.endsWhenDone && tracked.allSatisfy(\.settled) ? .finished : .running
    }

    /// Sleeps until libtorrent has events, a control client writes, or a
    /// quarter second passes (for progress and the seeding clock); then
    /// handles what came.
    func step(wait: Double = 0.25) throws {
        var descriptors = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)] + (server?.pollDescriptors ?? [])
        let busy = server?.hasWaitingRequests == true || backlog.count > backlogDone || canLoadMore
        _ = poll(&descriptors, nfds_t(descriptors.count), busy ? 0 : Int32(wait * 1000))
        if descriptors[0].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 256)
            while sink.withUnsafeMutableBytes({ read(wakeFD, $0.baseAddress, $0.count) }) > 0 {}
        }
        let requests = Array(descriptors.dropFirst())
        // While saved torrents load, what asks is answered first and the
        // turns are short: a ping waited for a turn of loading and the
        // events it brought, 0.19 s after a start with 10,000 or more.
        let loadingSaved = isLoadingSaved
        if loadingSaved { server?.service(requests, handle: answer) }
        loadSavedTorrents(until: monotonicSeconds() + (loadingSaved ? 0.02 : 0.05))
        try handleEvents(for: loadingSaved ? 0.02 : 0.05)
        if !loadingSaved { server?.service(requests, handle: answer) }
        if !hooks.isEmpty { hooks.poll().forEach(reporter.hookFinished) }
        deliverDHTAnswers()
        // A lookup settles on a quiet second or its deadline, with no alert to say so.
        takeFollowAnswers()
        deliverTrackerAnswers()
        deliverEvents()
        expireStreams()
    }

    /// Handles what libtorrent said, for at most `seconds` at a time: a
    /// daemon of thousands of torrents gets thousands of events at once
    /// (each resume write an fsync), and the control socket must not wait
    /// for all of them. What is left is handled on the next step, or by
    /// shutdown: a save answered there and skipped would be waited for to
    /// the deadline (a foreground add of 100 torrents took 12 s, not 2).
    /// `waiting`: how long to wait for libtorrent when nothing is left.
    func handleEvents(for seconds: Double, waiting: Double = 0) throws {
        if backlogDone == backlog.count {
            backlog = try session.events(timeout: waiting)
            backlogDone = 0
        }
        let end = monotonicSeconds() + seconds
        while backlogDone < backlog.count {
            if let answers = takeResumeAnswers() {
                writeResumeData(answers)
            } else {
                let event = backlog[backlogDone]
                backlogDone += 1
                try handle(event)
            }
            if monotonicSeconds() > end { break }
        }
    }

    /// The resume data answers next in the backlog, as many as there are
    /// sync threads: written together they take fewer syncs, and a batch
    /// (~30 ms on a slow disk) stays within a step's time for events.
    private func takeResumeAnswers() -> [ResumeAnswer]? {
        var answers: [ResumeAnswer] = []
        while backlogDone < backlog.count, answers.count < FileIO.syncThreads,
              case .resumeData(let torrent, let infoHash, let data, let pieces) = backlog[backlogDone] {
            answers.append((torrent, infoHash, data, pieces))
            backlogDone += 1
        }
        return answers.isEmpty ? nil : answers
    }

    private func outcome(_ entry: Tracked) -> TorrentOutcome {
        guard let status = entry.lastStatus else { return .complete }
        if status.sessionDownloaded == 0 { return .alreadyComplete }
        return .downloaded(bytes: status.sessionDownloaded, seconds: max(0.001, (entry.completedAt ?? monotonicSeconds()) - started))
    }

    func entry(_ torrent: Torrent) -> Tracked? { registry[torrent] }

    func entry(named query: String) throws -> Tracked { try registry.entry(named: query) }

    /// A torrent as status and progress show it.
    public func document(of status: TorrentStatus, entry: Tracked?) -> TorrentDocument {
        documents.document(of: status, entry: entry, stream: streamDocument(status.torrent))
    }


    /// Saves every torrent's resume data (and the DHT routing table),
    /// waiting a bounded time for libtorrent to produce it.
    public func shutdown() throws {
        onShutdown?()
        onShutdown = nil
        for client in Array(streams.keys) { endStream(client) }
        cancelPlacements()
        server?.close()
        // A foreground add that finished waits for its hooks (each up to its
        // timeout); a session being stopped gives them a moment, then kills them.
        let stopping = stopRequested || interruptRequested()
        hooks.finish(grace: stopping ? 2 : .infinity, reporting: reporter.hookFinished)
        // Torrents still loading their resume data (a Ctrl-C right after
        // start) get the moment it takes, so that the final save holds their pieces.
        let deadline = monotonicSeconds() + 10
        try waitForSavedPieces(until: deadline)
        // Transfers stop first (the torrents' own paused flags, which their
        // resume data keeps, stay as they are): a download still running at
        // full speed completed pieces faster than they were saved, and a
        // Ctrl-C waited for the rest of the download.
        try? session.pauseSession()
        try refreshStatuses()
        // A dormant torrent's resume file holds all it shows.
        let inLibtorrent = tracked.filter { !$0.isDormant }.map(\.handle)
        let unsaved = try ledger.finalSave(inLibtorrent, until: deadline, shown: { self.entry($0)?.saveView },
                                           refresh: refreshStatuses,
                                           request: { torrent in self.entry(torrent).map { self.requestSave($0, onlyIfModified: false) } },
                                           awaitAnswers: { try self.handleEvents(for: .infinity, waiting: 0.1) })
        // Said, not hidden: what the last save left out is fetched again.
        for torrent in unsaved {
            guard let entry = entry(torrent) else { continue }
            reporter.warning(name: entry.name, infoHash: entry.stateKey,
                             "resume data not saved within 10 s; the next start resumes from the last save", once: false)
        }
        // After the resume data, and for a second at most: an index entry lost only costs a download.
        let now = monotonicSeconds()
        indexPendingFiles(now: now, until: now + 1)
        if saveDHT, let state = try? session.dhtState(), !state.isEmpty {
            do {
                try FileIO.writeAtomically(state, to: directory.dhtStatePath, replace: true, mode: 0o600)
            } catch {
                // Said: the next start bootstraps from the routers again, slower.
                reporter.warning(name: nil, infoHash: nil, "the DHT routing table was not saved: \(error)", once: false)
            }
        }
        // libtorrent stops here, not whenever this object is freed: the state
        // lock is let go right after (runSession), and the next session
        // must not meet this one still stopping.
        try? session.close()
    }

    private func refreshStatuses() throws {
        // A daemon holds every torrent's status and asks only for those that
        // changed since (see currentStatuses): reading 100,000 afresh, twice
        // per stop, took half a second of it.
        if policy.pollsOnlyChanges, !tracked.contains(where: { $0.lastStatus == nil }),
           let updates = try? session.currentStatusUpdates(timeout: 2) {
            for status in updates { entry(status.torrent)?.lastStatus = status }
            return
        }
        for status in try session.statuses() { entry(status.torrent)?.lastStatus = status }
    }

    func waitForSavedPieces(until deadline: Double) throws {
        while true {
            try refreshStatuses()
            guard tracked.contains(where: { ledger.isLoadingSavedPieces($0.handle, shown: $0.saveView) }),
                  monotonicSeconds() < deadline else { break }
            usleep(5_000)
        }
    }

    /// Forgets a removed torrent and its saved state.
    public func forget(_ entry: Tracked) {
        placements.removeValue(forKey: entry.handle)?.cancel()
        registry.forget(entry)
        ledger.forget(entry.handle)
        documents.forget(entry.handle, infoHash: entry.lastStatus?.infoHash ?? entry.stateKey)
        directory.removeResumeData(entry.stateKey)
    }
}
