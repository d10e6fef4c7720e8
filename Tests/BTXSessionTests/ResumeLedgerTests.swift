@testable import BTXSession
import TorrentKit
import XCTest

/// The save rules that keep a download from being lost, each on its own:
/// before the ledger, only end-to-end runs (SIGKILLs, a stopping daemon of
/// 2,000 torrents, 200 torrents added at once) reached them.
final class ResumeLedgerTests: XCTestCase {
    private let torrent = Torrent(rawValue: 1)
    private let other = Torrent(rawValue: 2)

    private func view(pieces: Int, uploaded: Int64 = 0, loading: Bool = false) -> SaveView {
        SaveView(signature: SaveSignature(piecesDone: pieces, totalDone: Int64(pieces) << 14, downloaded: Int64(pieces) << 14,
                                          uploaded: uploaded, isPaused: false, hasMetadata: true, savePath: "/d"),
                 loadingResumeData: loading)
    }

    func testAPeriodicSaveWaitsForTheOneOnItsWayAndAnyOtherIsAskedAnyway() {
        let ledger = ResumeLedger()
        ledger.track(torrent)
        XCTAssertTrue(ledger.mayRequest(torrent, periodic: true, shown: view(pieces: 1)))
        ledger.requested(torrent, shown: view(pieces: 1))
        XCTAssertFalse(ledger.mayRequest(torrent, periodic: true, shown: view(pieces: 2)))
        // The one on its way may predate the last piece.
        XCTAssertTrue(ledger.mayRequest(torrent, periodic: false, shown: view(pieces: 2)))
    }

    func testEachAnswerHoldsWhatItsOwnRequestWasAskedAt() {
        let ledger = ResumeLedger()
        ledger.track(torrent)
        ledger.requested(torrent, shown: view(pieces: 1))
        ledger.requested(torrent, shown: view(pieces: 3))
        ledger.written(torrent, pieces: 1)
        XCTAssertFalse(ledger.isSaved(torrent, shown: view(pieces: 1)), "a save is still on its way")
        ledger.written(torrent, pieces: 3)
        XCTAssertTrue(ledger.isSaved(torrent, shown: view(pieces: 3)))
        XCTAssertFalse(ledger.isSaved(torrent, shown: view(pieces: 3, uploaded: 1)), "uploads since are not saved")
        XCTAssertFalse(ledger.hasPendingSaves)
    }

    func testAWriteThatMissesAPieceStatusShowsIsNotSaved() {
        let ledger = ResumeLedger()
        ledger.track(torrent)
        ledger.requested(torrent, shown: view(pieces: 4))
        // libtorrent counts a piece once its hash passed, but saves it once written.
        ledger.written(torrent, pieces: 3)
        XCTAssertFalse(ledger.isSaved(torrent, shown: view(pieces: 4)))
    }

    func testAnUnchangedAnswerHoldsTheStateItWasAskedAt() {
        let ledger = ResumeLedger()
        ledger.track(torrent, resumedFrom: view(pieces: 2).signature)
        ledger.requested(torrent, shown: view(pieces: 2, uploaded: 5))
        ledger.unchanged(torrent)
        XCTAssertTrue(ledger.isSaved(torrent, shown: view(pieces: 2, uploaded: 5)))
    }

    /// Saving then would replace good resume data with an empty one.
    func testAResumedTorrentIsNotSavedUntilItsSavedPiecesAreLoaded() {
        let ledger = ResumeLedger()
        ledger.track(torrent, resumedFrom: view(pieces: 9).signature)
        XCTAssertFalse(ledger.mayRequest(torrent, periodic: false, shown: nil), "no status yet")
        XCTAssertFalse(ledger.mayRequest(torrent, periodic: false, shown: view(pieces: 0, loading: true)))
        XCTAssertTrue(ledger.mayRequest(torrent, periodic: false, shown: view(pieces: 9)))
        ledger.track(other)
        XCTAssertTrue(ledger.mayRequest(other, periodic: false, shown: nil), "a new torrent has nothing to lose")
    }

    func testAResumedTorrentIsSavedAtWhatItsFileHolds() {
        let ledger = ResumeLedger()
        ledger.track(torrent, resumedFrom: view(pieces: 9).signature)
        XCTAssertTrue(ledger.isSaved(torrent, shown: view(pieces: 9)))
        XCTAssertFalse(ledger.isSaved(torrent, shown: view(pieces: 10)))
    }

    func testATorrentAddedWithResumeDataIsResumed() {
        let ledger = ResumeLedger()
        ledger.track(torrent)
        XCTAssertFalse(ledger.isResumed(torrent))
        ledger.track(other, resumedFrom: view(pieces: 1).signature)
        XCTAssertTrue(ledger.isResumed(other))
    }

    func testAForgottenTorrentLeavesNoSaveWaitedFor() {
        let ledger = ResumeLedger()
        ledger.track(torrent)
        ledger.requested(torrent, shown: view(pieces: 1))
        ledger.forget(torrent)
        XCTAssertFalse(ledger.hasPendingSaves)
        XCTAssertFalse(ledger.mayRequest(torrent, periodic: false, shown: view(pieces: 1)))
    }

    // MARK: the final save

    /// A session for the final save: statuses, and the answers libtorrent
    /// gives to the saves asked for (each holding `piecesWritten`).
    private final class FakeSession {
        var shown: [Torrent: SaveView] = [:]
        var piecesWritten: [Torrent: Int] = [:]
        var requests: [Torrent] = []
        var failing = Set<Torrent>()
        var answersNothing = false
        private var queued: [Torrent] = []
        var now = 0.0

        func request(_ torrent: Torrent, in ledger: ResumeLedger) {
            guard ledger.mayRequest(torrent, periodic: false, shown: shown[torrent]) else { return }
            ledger.requested(torrent, shown: shown[torrent])
            requests.append(torrent)
            queued.append(torrent)
        }

        func answer(_ ledger: ResumeLedger) {
            now += 0.1
            guard !answersNothing else { return }
            for torrent in queued {
                if failing.contains(torrent) {
                    ledger.failed(torrent)
                } else {
                    ledger.written(torrent, pieces: piecesWritten[torrent] ?? shown[torrent]?.signature.piecesDone ?? 0)
                }
            }
            queued = []
        }

        func finalSave(_ ledger: ResumeLedger, _ torrents: [Torrent], deadline: Double = 10,
                       refresh: @escaping () -> Void = {}) -> [Torrent] {
            ledger.finalSave(torrents, until: deadline, clock: { self.now }, shown: { self.shown[$0] }, refresh: refresh,
                             request: { self.request($0, in: ledger) }, awaitAnswers: { self.answer(ledger) },
                             breathe: { self.now += 0.02 })
        }
    }

    func testTheFinalSaveWritesOnlyWhatIsNotSavedOrChanged() {
        let ledger = ResumeLedger(), session = FakeSession()
        let idle = Torrent(rawValue: 3), changed = Torrent(rawValue: 4), moved = Torrent(rawValue: 5)
        for t in [idle, changed, moved] {
            ledger.track(t, resumedFrom: view(pieces: 2).signature)
            session.shown[t] = view(pieces: 2)
        }
        ledger.changed(changed)
        session.shown[moved] = view(pieces: 2, uploaded: 100)
        XCTAssertEqual(session.finalSave(ledger, [idle, changed, moved]), [])
        XCTAssertEqual(session.requests, [changed, moved], "the idle torrent is not written again")
    }

    func testAFailedSaveIsWrittenAgainAtTheEnd() {
        let ledger = ResumeLedger(), session = FakeSession()
        ledger.track(torrent)
        session.shown[torrent] = view(pieces: 1)
        ledger.requested(torrent, shown: view(pieces: 1))
        ledger.failed(torrent)
        ledger.track(other)
        session.shown[other] = view(pieces: 1)
        ledger.requested(other, shown: view(pieces: 1))
        ledger.written(other, pieces: 1)
        XCTAssertEqual(session.finalSave(ledger, [torrent, other]), [])
        XCTAssertEqual(session.requests, [torrent])
    }

    /// A piece whose hash passed right before the stop is saved once it is written.
    func testTheFinalSaveAsksAgainUntilTheWrittenDataHoldsEveryPiece() {
        let ledger = ResumeLedger(), session = FakeSession()
        ledger.track(torrent)
        session.shown[torrent] = view(pieces: 8)
        session.piecesWritten[torrent] = 7
        let torrent = torrent
        var refreshes = 0
        let unsaved = session.finalSave(ledger, [torrent]) {
            refreshes += 1
            if refreshes == 1 { session.piecesWritten[torrent] = 8 }
        }
        XCTAssertEqual(unsaved, [])
        XCTAssertEqual(session.requests, [torrent, torrent])
        XCTAssertTrue(ledger.isSaved(torrent, shown: view(pieces: 8)))
    }

    func testTheFinalSaveGivesUpAtItsDeadlineAndSaysWhatIsLeft() {
        let ledger = ResumeLedger(), session = FakeSession()
        ledger.track(torrent)
        ledger.track(other)
        session.shown[torrent] = view(pieces: 3)
        session.shown[other] = view(pieces: 3)
        session.answersNothing = true
        XCTAssertEqual(session.finalSave(ledger, [torrent, other], deadline: 1), [torrent, other])
        XCTAssertLessThanOrEqual(session.now, 1.2)
    }

    func testAFailingWriteIsNotTriedAgainAndAnsweredWithoutWaiting() {
        let ledger = ResumeLedger(), session = FakeSession()
        ledger.track(torrent)
        session.shown[torrent] = view(pieces: 3)
        session.failing = [torrent]
        XCTAssertEqual(session.finalSave(ledger, [torrent]), [])
        XCTAssertEqual(session.requests, [torrent], "warned of once, not retried to the deadline")
    }
}
