import TorrentKit

/// Asking for resume data: the rules are ResumeLedger's.
extension SessionHost {
    /// A save of a change its save signature does not show.
    func saveChange(_ entry: Tracked) {
        ledger.changed(entry.torrent)
        registry.mayBeUnsaved(entry)
        requestSave(entry, onlyIfModified: false)
    }

    /// Periodic saves (`onlyIfModified`) wait for the one in flight; any
    /// other save is a new request, so the last one written is the newest.
    public func requestSave(_ entry: Tracked, onlyIfModified: Bool) {
        let shown = entry.saveView
        guard ledger.mayRequest(entry.torrent, periodic: onlyIfModified, shown: shown) else { return }
        if (try? session.requestResumeData(entry.torrent, onlyIfModified: onlyIfModified)) != nil {
            ledger.requested(entry.torrent, shown: shown)
        }
    }

    /// Its last written resume data holds what it shows now, and no save
    /// is on its way.
    func isSaved(_ entry: Tracked) -> Bool { ledger.isSaved(entry.torrent, shown: entry.saveView) }

    /// libtorrent's answers to save requests, written together (see
    /// FileIO.replaceAtomically), then taken note of in the order they came.
    func writeResumeData(_ answers: [ResumeAnswer]) {
        var answered: [(entry: Tracked, answer: ResumeAnswer, error: Error?)] = []
        var files: [(infoHash: String, bytes: [UInt8])] = []
        for answer in answers {
            // A torrent removed meanwhile stays removed.
            guard let entry = entry(answer.torrent) else { continue }
            do {
                // Offline it ran paused only so that nothing would start; a
                // queued torrent is paused by the queue, not by its user.
                // Paused for copies being placed, it is not paused for its user either.
                let patch = policy.runsPaused || (queueing && entry.error == nil) || entry.pendingReuse != nil
                files.append((answer.infoHash, patch ? try SavedTorrent.resumeData(answer.data, paused: entry.savedPaused) : answer.data))
                answered.append((entry, answer, nil))
            } catch {
                answered.append((entry, answer, error))
            }
        }
        var writeErrors = directory.saveResumeData(files).makeIterator()
        for (entry, answer, patchError) in answered {
            do {
                if let error = patchError ?? writeErrors.next() ?? nil { throw error }
                ledger.written(answer.torrent, pieces: answer.pieces)
                moveToDestinationWhenSaved(entry)
                if entry.stateKey != answer.infoHash { try takeNewName(entry, answer.infoHash) }
            } catch {
                ledger.failed(answer.torrent)
                let reason = (error as? BTXError)?.message ?? "\(error)"
                reporter.warning(name: entry.name, infoHash: answer.infoHash, "could not save resume data: \(reason)")
            }
        }
    }

    /// A v2 magnet learns its v1 hash with the metadata: its goal and
    /// what set chose (labels among them) go with it to the new name.
    private func takeNewName(_ entry: Tracked, _ infoHash: String) throws {
        let goal = try directory.loadSeedGoal(entry.stateKey)
        let chosen = try directory.loadChosenSettings(entry.stateKey)
        try goal.map { try directory.saveSeedGoal($0, for: infoHash) }
        try directory.saveChosenSettings(chosen, for: infoHash)
        directory.removeResumeData(entry.stateKey)
        entry.stateKey = infoHash
        registry.index(entry, under: [infoHash])
    }
}

/// A save request's answer: the torrent's resume data under `infoHash`, holding `pieces`.
typealias ResumeAnswer = (torrent: Torrent, infoHash: String, data: [UInt8], pieces: Int)
