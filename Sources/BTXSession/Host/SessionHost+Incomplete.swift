import Glibc
import TorrentKit

/// The incomplete folder (--incomplete-dir): a new torrent downloads there
/// and moves to its save path once complete, so that the save path holds
/// only whole downloads. Where it goes is kept with what `set` chose
/// (ChosenSettings.destination) until it has arrived.
extension SessionHost {
    /// The folder a new torrent downloads into: `incomplete`, unless some of
    /// its data is at its save path already (that is checked there, not
    /// downloaded again) or the two are one.
    func downloadFolder(for source: AddSource, savePath: String, incomplete: String?) -> String? {
        guard let incomplete, FileIO.resolved(incomplete) != FileIO.resolved(savePath) else { return nil }
        if source.info.files.contains(where: { FileIO.exists(joinPath(savePath, $0.path)) }) { return nil }
        return incomplete
    }

    /// Before a saved torrent is added again: settles the move out of the
    /// incomplete folder that a crash may have cut short. Returns its
    /// destination when the data is all there (its resume data may still
    /// name the incomplete folder: it is added at the destination), nil
    /// when it is to be added where its resume data says.
    func settleInterruptedMove(chosen: ChosenSettings?, resumeData bytes: [UInt8], saved: TorrentStatus) -> String? {
        guard let chosen, let destination = chosen.destination, chosen.moving == true, !saved.savePath.isEmpty,
              let files = (try? SavedTorrent(resumeData: bytes, includeFiles: true))?.info?.files.map(\.path) else { return nil }
        switch InterruptedMove.settle(files: files, source: saved.savePath, destination: destination) {
        case .atSource: return nil
        case .atDestination: return destination
        }
    }

    /// Added where its data arrived. The kept destination goes only once
    /// its resume data names it: until then a restart needs it to know
    /// where the data is.
    func arrived(_ entry: Tracked, savedAt savePath: String) {
        if FileIO.resolved(savePath) == FileIO.resolved(entry.destination ?? savePath) {
            forgetDestination(entry)
        } else {
            entry.destination = nil
            saveChange(entry)
        }
    }

    /// A complete torrent's data leaves the incomplete folder once resume
    /// data holding every piece is written: a crash during the move then
    /// restarts from a whole download, not one to fetch again. Moves run
    /// in libtorrent's disk thread; the end comes as a `moved` event.
    func moveToDestinationWhenSaved(_ entry: Tracked) {
        // An offline command's session touches no data.
        guard let destination = entry.destination, let status = entry.lastStatus, status.isComplete, !entry.checking,
              ledger.holds(entry.torrent, pieces: status.piecesDone), pendingMoves[entry.torrent] == nil,
              !policy.runsPaused else { return }
        let reply = JSON.object([("info_hash", .string(entry.stateKey)), ("name", .string(entry.name)),
                                 ("save_path", .string(destination))])
        do {
            try makeDirectories(destination, mode: 0o755)
            keepChoice(entry) { $0.moving = true }
            try session.moveStorage(entry.torrent, to: destination)
            pendingMoves[entry.torrent] = (nil, reply)
        } catch {
            leftIncompleteFolder(entry, failure: "\(error)")
            note("moved", [("save_path", .string(destination)), ("error", .string("\(error)"))], entry: entry)
        }
    }

    /// The move out of the incomplete folder is over. One that failed
    /// leaves the data where it is, whole, and is not tried again.
    func leftIncompleteFolder(_ entry: Tracked, failure: String?) {
        if let failure, let destination = entry.destination {
            reporter.warning(name: entry.name, infoHash: entry.stateKey,
                             "stays in the incomplete folder: could not move it to \(destination): \(failure)", once: false)
            forgetDestination(entry)
        } else {
            // Kept until its resume data names the destination (see arrived).
            entry.destination = nil
        }
        if entry.hookAfterMove, let status = try? session.status(entry.torrent) {
            entry.hookAfterMove = false
            runHook(entry, status: status)
        }
    }

    func forgetDestination(_ entry: Tracked) {
        entry.destination = nil
        guard (try? directory.loadChosenSettings(entry.stateKey).destination) != nil else { return }
        keepChoice(entry) { chosen in
            chosen.destination = nil
            chosen.moving = nil
        }
    }
}
