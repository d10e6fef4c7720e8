import Glibc
import TorrentKit

/// The resume-save protocol, kept as a ledger: which saves are on their way,
/// what each written save holds, and so which torrents a periodic save or a
/// shutdown must write. It decides; the host asks libtorrent and tells it
/// the answers. What a SIGKILL or a stop can lose is settled here.
final class ResumeLedger {
    private struct Record {
        /// Saves asked for and not answered yet. One asked for while another
        /// is on its way is sent anyway: the earlier may predate the last piece.
        var pending = 0
        /// The status each unanswered save was asked at, oldest first: what
        /// its resume data holds at least.
        var requested: [SaveSignature?] = []
        /// What its last written resume data holds, as status shows it.
        var saved: SaveSignature?
        /// Pieces its last written resume data holds.
        var savedPieces: Int?
        /// Changed this run in a way its save signature does not show
        /// (settings, trackers, priorities, which libtorrent may take after
        /// the save asked for them), or a write of it failed: written again
        /// at shutdown whatever its last save holds.
        var changedThisRun = false
        /// It came from saved state, whose resume file holds its pieces.
        var resumed = false
    }

    private var records: [Torrent: Record] = [:]
    private var pendingCount = 0

    /// `saved`: what the resume file it was loaded from holds (nil for a
    /// torrent added afresh, which has nothing saved yet). `resumed`: added
    /// with resume data whose pieces libtorrent has yet to load.
    func track(_ torrent: Torrent, resumedFrom saved: SaveSignature? = nil, resumed: Bool = false) {
        forget(torrent)
        var record = Record()
        record.resumed = resumed || saved != nil
        record.saved = saved
        record.savedPieces = saved?.piecesDone
        records[torrent] = record
    }

    func forget(_ torrent: Torrent) {
        pendingCount -= records.removeValue(forKey: torrent)?.pending ?? 0
    }

    /// libtorrent saves no pieces at all for a torrent whose resume data it
    /// has not loaded yet: saving then would replace good resume data with
    /// an empty one, and a crash right after would lose the whole download.
    func isLoadingSavedPieces(_ torrent: Torrent, shown: SaveView?) -> Bool {
        records[torrent]?.resumed == true && (shown?.loadingResumeData ?? true)
    }

    /// Periodic saves wait for the one in flight; any other save is a new
    /// request, so the last one written is the newest.
    func mayRequest(_ torrent: Torrent, periodic: Bool, shown: SaveView?) -> Bool {
        guard let record = records[torrent] else { return false }
        if periodic && record.pending > 0 { return false }
        return !isLoadingSavedPieces(torrent, shown: shown)
    }

    /// libtorrent took a save request, asked at `shown`.
    func requested(_ torrent: Torrent, shown: SaveView?) {
        guard records[torrent] != nil else { return }
        records[torrent]!.pending += 1
        records[torrent]!.requested.append(shown?.signature)
        pendingCount += 1
    }

    /// Returns the status the answered save was asked at (nil when unknown).
    private func answered(_ torrent: Torrent) -> SaveSignature? {
        guard var record = records[torrent], record.pending > 0 else { return nil }
        record.pending -= 1
        pendingCount -= 1
        let signature = record.requested.isEmpty ? nil : record.requested.removeFirst()
        records[torrent] = record
        return signature
    }

    /// Its resume data, holding `pieces`, was written.
    func written(_ torrent: Torrent, pieces: Int) {
        let signature = answered(torrent)
        records[torrent]?.saved = signature
        records[torrent]?.savedPieces = pieces
    }

    /// Nothing changed since the last write: it holds this state too.
    func unchanged(_ torrent: Torrent) {
        let signature = answered(torrent)
        records[torrent]?.saved = signature
    }

    /// libtorrent could not produce the data, or btx could not write it: it
    /// is written again at shutdown.
    func failed(_ torrent: Torrent) {
        _ = answered(torrent)
        records[torrent]?.changedThisRun = true
    }

    /// A change its save signature does not show.
    func changed(_ torrent: Torrent) { records[torrent]?.changedThisRun = true }

    /// Its last written resume data holds what it shows now, and no save
    /// is on its way.
    func isSaved(_ torrent: Torrent, shown: SaveView?) -> Bool {
        guard let record = records[torrent], record.pending == 0, let shown,
              let saved = record.saved, let pieces = record.savedPieces else { return false }
        return saved == shown.signature && pieces >= shown.signature.piecesDone
    }

    /// Its last written resume data holds at least `pieces` pieces.
    func holds(_ torrent: Torrent, pieces: Int) -> Bool { (records[torrent]?.savedPieces ?? 0) >= pieces }

    /// It was added with resume data.
    func isResumed(_ torrent: Torrent) -> Bool { records[torrent]?.resumed == true }

    var hasPendingSaves: Bool { pendingCount > 0 }

    func isPending(_ torrent: Torrent) -> Bool { (records[torrent]?.pending ?? 0) > 0 }

    /// The final save of a stopping session: writes every torrent whose last
    /// save does not hold what it shows, or that changed this run, then
    /// again those whose written data still lacks a piece their status
    /// shows (libtorrent counts a piece done once its hash passed but saves
    /// it only once it is written), until the deadline. Returns those left
    /// unsaved, to be warned of. `shown` is read again after `refresh`;
    /// `request` asks for a save (through mayRequest and requested);
    /// `awaitAnswers` waits a moment for libtorrent's answers and hands them
    /// to this ledger.
    func finalSave(_ torrents: [Torrent], until deadline: Double, clock: () -> Double = monotonicSeconds,
                   shown: (Torrent) -> SaveView?, refresh: () throws -> Void, request: (Torrent) -> Void,
                   awaitAnswers: () throws -> Void, breathe: () -> Void = { usleep(20_000) }) rethrows -> [Torrent] {
        // A torrent whose last save holds what it shows now, and that was
        // not otherwise changed, is not written again: a daemon of 2,000 idle
        // torrents took 2.2 s to stop, an fsync each, and at 10,000 it would
        // have run out of time. (What libtorrent alone counts, its active and
        // seeding times and known peers, stays as last saved.)
        var unsaved = torrents.filter { records[$0]?.changedThisRun == true || !isSaved($0, shown: shown($0)) }
        while !unsaved.isEmpty && clock() < deadline {
            for torrent in unsaved {
                // Known again once written; a write that failed (and was
                // warned of) is not tried again.
                records[torrent]?.savedPieces = nil
                request(torrent)
            }
            while hasPendingSaves && clock() < deadline { try awaitAnswers() }
            try refresh()
            unsaved = torrents.filter { (records[$0]?.savedPieces ?? .max) < (shown($0)?.signature.piecesDone ?? 0) }
            if !unsaved.isEmpty { breathe() }
        }
        return torrents.filter { isPending($0) || unsaved.contains($0) }
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
}

extension SaveSignature {
    init(_ status: TorrentStatus) {
        self.init(piecesDone: status.piecesDone, totalDone: status.totalDone, downloaded: status.totalDownloaded,
                  uploaded: status.totalUploaded, isPaused: status.isPaused, hasMetadata: status.hasMetadata,
                  savePath: status.savePath)
    }
}

/// A torrent's status as the save rules see it.
struct SaveView: Equatable {
    let signature: SaveSignature
    /// libtorrent is still loading the resume data it was added with.
    let loadingResumeData: Bool
}

extension SaveView {
    init(_ status: TorrentStatus) {
        self.init(signature: SaveSignature(status), loadingResumeData: status.state == .checkingResumeData)
    }
}
