import Glibc
import TorrentKit

/// A session run by `btx add` in the foreground: adds the torrents
/// (resuming from saved state), drives them until the seeding policy is met
/// or a signal arrives, and keeps resume data on disk all along.
final class ForegroundRun {
    struct Outcome { var failure: CLIError? }

    private final class Tracked {
        let torrent: Torrent
        var name: String
        /// The info-hash its resume file is named by.
        var stateKey: String
        let only: FileSelection?
        let resumed: Bool
        var completedAt: Double?
        var error: String?
        var done = false
        var lastStatus: TorrentStatus?

        init(torrent: Torrent, name: String, stateKey: String, only: FileSelection?, resumed: Bool) {
            self.torrent = torrent
            self.name = name
            self.stateKey = stateKey
            self.only = only
            self.resumed = resumed
        }
    }

    private let session: Session
    private let directory: StateDirectory
    private let policy: SeedPolicy
    private let saveDHT: Bool
    private let reporter: AddReporter
    private var tracked: [Tracked] = []
    private var pendingSaves = Set<Torrent>()
    private let started = monotonicSeconds()

    /// How often resume data of changing torrents is written: what a
    /// SIGKILL can cost. Unchanged torrents answer without writing.
    private let saveInterval = 5.0

    init(configuration: SessionConfiguration, directory: StateDirectory, output: Output, policy: SeedPolicy) throws {
        self.directory = directory
        self.policy = policy
        saveDHT = configuration.dht
        reporter = AddReporter(output: output)
        let dhtState = configuration.dht ? (try? FileIO.read(directory.dhtStatePath)) ?? [] : []
        session = try Session(configuration, dhtState: dhtState)
        installInterruptHandlers()
    }

    /// The resume data saved for this torrent, unless it is unreadable.
    private func savedState(of source: AddSource) -> ([UInt8], SavedTorrent)? {
        for hash in [source.info.infoHashV1, source.info.infoHashV2].compactMap({ $0 }) {
            guard let bytes = directory.loadResumeData(hash) else { continue }
            do {
                return (bytes, try SavedTorrent(resumeData: bytes))
            } catch {
                reporter.warning(name: source.info.name, infoHash: hash,
                                 "ignoring damaged resume data in \(directory.resumePath(hash))")
            }
        }
        return nil
    }

    /// `explicitSavePath`: -o was given, rather than defaulted.
    func add(_ source: AddSource, options: AddOptions, only: FileSelection?, explicitSavePath: Bool) throws {
        var options = options
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
        if let only, source.info.pieceCount > 0 {
            options.filePriorities = try only.priorities(for: source.info.files)
        }
        let torrent: Torrent
        do {
            torrent = try session.add(what, options: options)
        } catch let error as TorrentKitError {
            throw CLIError.failure("\(source.argument): \(error.message)")
        }
        guard !tracked.contains(where: { $0.torrent == torrent }) else { return }
        let entry = Tracked(torrent: torrent, name: source.info.name.isEmpty ? key : source.info.name, stateKey: key,
                            only: source.info.pieceCount > 0 ? nil : only, resumed: resumed)
        tracked.append(entry)
        let status = try? session.status(torrent)
        if status?.hasMetadata == true { try applySelection(entry) }
        reporter.added(name: entry.name, infoHash: key, savePath: status?.savePath ?? options.savePath ?? "",
                       resumed: resumed)
    }

    /// Drives the session; with `untilPaused` (--paused) it only saves the
    /// torrents' state and returns.
    func run(untilPaused: Bool) throws -> Outcome {
        if untilPaused {
            try shutdown()
            reporter.summary(tracked.map { ($0.name, $0.lastStatus, "added paused") }, elapsed: elapsed)
            reporter.exit(reason: "paused", code: .success)
            return Outcome()
        }
        var lastSave = monotonicSeconds()
        while true {
            for event in try session.events(timeout: 0.2) { try handle(event) }
            if interruptRequested() {
                reporter.endProgress()
                try shutdown()
                let code = interruptExitCode()
                reporter.exit(reason: "interrupted", code: code)
                return Outcome(failure: CLIError(exitCode: code, message: "interrupted; resume data saved"))
            }
            let now = monotonicSeconds()
            let statuses = try session.statuses()
            for status in statuses { update(with: status, now: now) }
            if now - lastSave >= saveInterval {
                requestSaves(onlyIfModified: true)
                lastSave = now
            }
            reporter.progress(tracked.compactMap { $0.done ? nil : $0.lastStatus }, now: now)
            if tracked.allSatisfy(\.done) { break }
        }
        reporter.endProgress()
        try shutdown()
        let failed = tracked.filter { $0.error != nil }
        reporter.summary(tracked.filter { $0.error == nil }.map { ($0.name, $0.lastStatus, completionText($0)) },
                         elapsed: elapsed)
        if !failed.isEmpty {
            reporter.exit(reason: "error", code: .failure)
            // One "btx: NAME: reason" line per failed torrent.
            return Outcome(failure: .failure(failed.map { "\($0.name): \($0.error!)" }.joined(separator: "\nbtx: ")))
        }
        reporter.exit(reason: "complete", code: .success)
        return Outcome()
    }

    private var elapsed: Double { monotonicSeconds() - started }

    private func completionText(_ entry: Tracked) -> String {
        guard let status = entry.lastStatus else { return "complete" }
        if status.sessionDownloaded == 0 { return "already complete" }
        let seconds = max(0.001, (entry.completedAt ?? monotonicSeconds()) - started)
        let rate = Int64(Double(status.sessionDownloaded) / seconds)
        return "downloaded \(Units.bytes(status.sessionDownloaded)) in \(Units.oneDecimal(seconds))s (\(Units.rate(rate)))"
    }

    private func entry(_ torrent: Torrent) -> Tracked? { tracked.first { $0.torrent == torrent } }

    private func handle(_ event: Event) throws {
        switch event {
        case .metadataReceived(let torrent):
            guard let entry = entry(torrent), let status = try? session.status(torrent) else { return }
            entry.name = status.name
            do {
                try applySelection(entry)
            } catch let error as CLIError {
                fail(entry, error.message)
            }
            reporter.metadata(name: status.name, infoHash: status.infoHash, size: status.totalSize)
            try? session.requestResumeData(torrent)
            pendingSaves.insert(torrent)
        case .resumeData(let torrent, let infoHash, let data):
            pendingSaves.remove(torrent)
            do {
                try directory.saveResumeData(data, for: infoHash)
                if let entry = entry(torrent), entry.stateKey != infoHash {
                    // A v2 magnet learns its v1 hash with the metadata.
                    directory.removeResumeData(entry.stateKey)
                    entry.stateKey = infoHash
                }
            } catch let error as CLIError {
                reporter.warning(name: entry(torrent)?.name, infoHash: infoHash, "could not save resume data: \(error.message)")
            }
        case .resumeDataUnchanged(let torrent):
            pendingSaves.remove(torrent)
        case .resumeDataFailed(let torrent, let message):
            pendingSaves.remove(torrent)
            reporter.warning(name: entry(torrent)?.name, infoHash: entry(torrent)?.stateKey, "could not save resume data: \(message)")
        case .torrentError(let torrent, let message), .fileError(let torrent, let message):
            if let entry = entry(torrent) { fail(entry, message) }
        case .trackerError(let torrent, let message):
            reporter.warning(name: entry(torrent)?.name, infoHash: entry(torrent)?.stateKey, message, once: true)
        case .trackerReply(let torrent, let peers):
            if let entry = entry(torrent) { reporter.trackerReply(infoHash: entry.stateKey, peers: peers) }
        case .hashFailed(let torrent, let piece):
            reporter.warning(name: entry(torrent)?.name, infoHash: entry(torrent)?.stateKey,
                             "piece \(piece) failed its hash check; downloading it again", once: false)
        case .listening(let port):
            reporter.listening(port: port)
        case .listenFailed(let message):
            reporter.warning(name: nil, infoHash: nil, message, once: true)
        default:
            break
        }
    }

    /// --only for a torrent whose file list was unknown when it was added.
    private func applySelection(_ entry: Tracked) throws {
        guard let only = entry.only else { return }
        try session.setFilePriorities(entry.torrent, only.priorities(for: session.files(entry.torrent)))
    }

    private func fail(_ entry: Tracked, _ message: String) {
        guard entry.error == nil else { return }
        entry.error = message
        entry.done = true
        reporter.error(name: entry.name, infoHash: entry.stateKey, message)
        try? session.requestResumeData(entry.torrent)
        pendingSaves.insert(entry.torrent)
    }

    private func update(with status: TorrentStatus, now: Double) {
        guard let entry = entry(status.torrent), !entry.done else { return }
        entry.lastStatus = status
        if status.isComplete && entry.completedAt == nil {
            entry.completedAt = now
            reporter.finished(status, seconds: now - started)
            try? session.requestResumeData(status.torrent)
            pendingSaves.insert(status.torrent)
        }
        if let completedAt = entry.completedAt, status.isComplete,
           policy.isMet(ratio: status.ratio, seededFor: now - completedAt) {
            entry.done = true
        }
    }

    private func requestSaves(onlyIfModified: Bool) {
        for entry in tracked where !pendingSaves.contains(entry.torrent) {
            if (try? session.requestResumeData(entry.torrent, onlyIfModified: onlyIfModified)) != nil {
                pendingSaves.insert(entry.torrent)
            }
        }
    }

    /// Saves every torrent's resume data (and the DHT routing table),
    /// waiting a bounded time for libtorrent to produce it.
    private func shutdown() throws {
        requestSaves(onlyIfModified: false)
        let deadline = monotonicSeconds() + 10
        while !pendingSaves.isEmpty && monotonicSeconds() < deadline {
            for event in try session.events(timeout: 0.1) { try handle(event) }
        }
        if let statuses = try? session.statuses() {
            for status in statuses { entry(status.torrent)?.lastStatus = status }
        }
        if saveDHT, let state = try? session.dhtState(), !state.isEmpty {
            try? FileIO.writeAtomically(state, to: directory.dhtStatePath, replace: true, mode: 0o600)
        }
    }
}
