import TorrentKit

/// What libtorrent says, and what the host makes of it.
extension SessionHost {
    func handle(_ event: Event) throws {
        switch event {
        case .metadataReceived(let torrent):
            // Its name and a v2 magnet's v1 hash change: status and lookups see them this tick.
            changedTorrents.insert(torrent)
            guard let entry = entry(torrent), let status = try? session.status(torrent) else { return }
            entry.name = entry.settings.name ?? status.name
            do {
                try applySelection(entry)
            } catch let error as BTXError {
                fail(entry, error.message, stop: true)
            } catch {
                fail(entry, "\(error)", stop: true)
            }
            placeOnMetadata(entry)
            reporter.metadata(name: status.name, infoHash: status.infoHash, size: status.totalSize)
            note("metadata", [("size", .int(status.totalSize))], entry: entry)
            requestSave(entry, onlyIfModified: false)
        case .resumeData(let torrent, let infoHash, let data, let pieces):
            writeResumeData([(torrent, infoHash, data, pieces)])
        case .resumeDataUnchanged(let torrent):
            ledger.unchanged(torrent)
        case .resumeDataFailed(let torrent, let message):
            ledger.failed(torrent)
            if let entry = entry(torrent) {
                reporter.warning(name: entry.name, infoHash: entry.stateKey, "could not save resume data: \(message)")
            }
        case .paused(let torrent):
            changedTorrents.insert(torrent)
            if let entry = entry(torrent) { placeWhenPaused(entry) }
        case .finished(let torrent), .stateChanged(let torrent, _), .resumed(let torrent):
            changedTorrents.insert(torrent)
        case .checked(let torrent):
            changedTorrents.insert(torrent)
            loadChecked(torrent)
            guard let entry = entry(torrent) else { return }
            // What a new torrent found complete on disk is indexed; a resumed one's was when it completed.
            if !ledger.isResumed(torrent) { indexSoon(torrent) }
            // A torrent is saved once its files are checked (a verify's end,
            // or a new torrent's first look at what is on disk): a foreground
            // add killed in its first seconds restarts from that save, not
            // from a recheck of everything. The first check is saved whatever
            // came before it: a magnet's save at its metadata came mid-check.
            if entry.checking || !entry.checkedOnce && !ledger.isResumed(torrent) {
                // A recheck let go of every peer: the ones the user named are dialled again.
                if entry.checking { for peer in entry.peers { try? session.connect(torrent, to: peer) } }
                entry.checking = false
                requestSave(entry, onlyIfModified: false)
            }
            entry.checkedOnce = true
        case .torrentError(let torrent, let message):
            if let entry = entry(torrent) { fail(entry, message) }
        case .fileError(let torrent, let message):
            // libtorrent keeps a torrent that cannot write (a full disk) seeding
            // in upload mode; it waits paused with its error until `btx resume`.
            if let entry = entry(torrent) { fail(entry, message, stop: true) }
        case .trackerError(let torrent, let url, let message):
            trackerWaits.heard(torrent, url: url, scrape: false)
            if let entry = entry(torrent) { note("tracker_error", [("url", .string(url)), ("message", .string(message))], entry: entry) }
            reporter.diagnostic(name: entry(torrent)?.name, infoHash: entry(torrent)?.stateKey, message)
        case .webSeedError(let torrent, let url, let message):
            // A web seed that fails is tried again every 30 s: said once, shown in `trackers`.
            guard let entry = entry(torrent) else { return }
            entry.webSeedErrors[url] = message
            reporter.warning(name: entry.name, infoHash: entry.stateKey, "web seed \(url.isEmpty ? "(one of several)" : url): \(message)",
                             once: true)
        case .trackerReply(let torrent, let url, let peers):
            trackerWaits.heard(torrent, url: url, scrape: false)
            if let entry = entry(torrent) { reporter.trackerReply(infoHash: entry.stateKey, peers: peers) }
        case .hashFailed(let torrent, let piece):
            reporter.diagnostic(name: entry(torrent)?.name, infoHash: entry(torrent)?.stateKey,
                                "piece \(piece) failed its hash check; downloading it again")
        case .listening(let port):
            reporter.listening(port: port)
        case .listenFailed(let message):
            // One socket of several failing (no IPv6 here) is a detail; no
            // socket at all means no peer can reach this session.
            if session.listenPort == 0 {
                reporter.warning(name: nil, infoHash: nil, "\(message); no peer can connect to this session", once: true)
            } else {
                reporter.diagnostic(name: nil, infoHash: nil, message)
            }
        case .dhtItem, .dhtPut:
            dht.take(event)
            deliverDHTAnswers()
            followLookups.requests.take(event)
            takeFollowAnswers()
        case .storageMoved(let torrent, _):
            moveEnded(torrent, failure: nil)
        case .storageMoveFailed(let torrent, let message):
            moveEnded(torrent, failure: message)
        case .peerBlocked(let torrent, let address):
            noteBlocked(torrent, address: address)
        case .fileCompleted(let torrent, let path):
            if let entry = entry(torrent) { note("file_completed", [("path", .string(path))], entry: entry) }
            indexSoon(torrent, path: path)
        case .scrapeReply(let torrent, let url), .scrapeFailed(let torrent, let url, _):
            trackerWaits.heard(torrent, url: url, scrape: true)
        default:
            break
        }
    }

    /// --only for a torrent whose file list was unknown when it was added.
    func applySelection(_ entry: Tracked) throws {
        guard let only = entry.only else { return }
        ledger.changed(entry.torrent)
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
        note("error", [("message", .string(message))], entry: entry)
        saveChange(entry)
    }

    func update(with status: TorrentStatus, now: Double) {
        guard let entry = entry(status.torrent) else { return }
        let before = entry.lastStatus?.stateWord
        // Paused while checking, libtorrent may never say so (SessionHost+Reuse).
        if case .whenPaused(_, duringCheck: true, _) = entry.pendingReuse, status.isPaused,
           ![.checkingFiles, .checkingResumeData].contains(status.state) {
            placeWhenPaused(entry)
        }
        if status.uploadRate > 0 || (entry.lastStatus.map { status.totalUploaded > $0.totalUploaded } ?? false) { entry.uploadedAt = now }
        entry.lastStatus = status
        if let before, before != status.stateWord {
            note("state", [("from", .string(before)), ("to", .string(status.stateWord))], entry: entry)
        }
        // A --range stream has every other piece at priority 0: libtorrent
        // calls that finished, but it is not, and its hooks must not run.
        guard !entry.done, prioritiesBeforeNarrowing[status.torrent] == nil else { return }
        if status.isComplete && entry.completedAt == nil && !entry.checking {
            entry.completedAt = now
            // Complete in its first status, a saved torrent was indexed when it completed.
            if entry.statusVersion > 1 || !ledger.isResumed(status.torrent) { indexSoon(entry.torrent) }
            reporter.finished(status, seconds: now - started)
            note("finished", [("size", .int(status.totalSize)), ("seconds", .double(now - started))], entry: entry)
            requestSave(entry, onlyIfModified: false)
            if entry.destination == nil { runHook(entry, status: status) } else { entry.hookAfterMove = true }
            if !isLoadingSaved { retireReplaced(by: entry) }
        }
        moveToDestinationWhenSaved(entry)
        if let completedAt = entry.completedAt, status.isComplete,
           entry.settings.seeding.isMet(ratio: status.ratio, seededFor: now - completedAt,
                                        idleFor: now - max(completedAt, entry.uploadedAt ?? completedAt)) {
            entry.done = true
            // A daemon stops seeding at the limit it was given.
            // A dormant one is paused and saved so already.
            if policy.pausesAtSeedingGoal && entry.settings.seeding.hasLimit && !entry.isDormant {
                entry.savedPaused = true
                try? unqueue(entry)
                try? session.pause(entry.torrent)
                // Paused by the queue already, its status shows no change.
                saveChange(entry)
            }
        }
    }

    func runHook(_ entry: Tracked, status: TorrentStatus) {
        guard let command = entry.onComplete else { return }
        do {
            try hooks.start(command, document: document(of: status, entry: entry).json, infoHash: entry.stateKey,
                            name: entry.name, savePath: status.savePath)
        } catch let error as BTXError {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, error.message, once: false)
        } catch {
            reporter.warning(name: entry.name, infoHash: entry.stateKey, "on-complete: \(error)", once: false)
        }
    }
}
