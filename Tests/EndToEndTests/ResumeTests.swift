import Foundation
import XCTest
import TestSupport
import TorrentKit

/// Interrupted downloads continue from their resume data: no recheck, and no
/// more downloaded than what was missing (plus the pieces in flight).
final class ResumeTests: XCTestCase {
    private let size = 24 << 20
    /// Pieces half-received when the leecher stopped are fetched again.
    private let margin = 1 << 20

    private func swarm(_ scratch: Scratch) throws -> (torrent: String, seeder: RunningProcess, port: Int) {
        try scratch.write("src/movie.bin", randomData(size))
        let torrent = try makeTorrent(scratch.path + "/src/movie.bin", scratch.path + "/movie.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        return (torrent, seeder, port)
    }

    private func savedDone(_ peer: Peer) throws -> Int {
        try peer.savedTorrents().first?["done"] as? Int ?? 0
    }

    /// Pieces the resume file on disk holds, read from the file itself (a
    /// status asks the running session, which shows what is verified, not
    /// what is saved).
    private func piecesInResumeFile(_ peer: Peer) -> Int {
        let folder = peer.state + "/resume"
        guard let name = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.first(where: { $0.hasSuffix(".resume") }),
              let data = try? Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)) else { return 0 }
        return (SavedTorrent.savedPieces(resumeData: Array(data)) ?? []).filter { $0 }.count
    }

    /// Starts a capped leecher and stops it with `signal` once `bytes` are done.
    private func interrupt(_ peer: Peer, _ arguments: [String], after bytes: Int, with signal: Int32) throws -> RunningProcess {
        let leecher = try peer.start(arguments + ["--max-down", "4M"])
        try leecher.waitForEvent("progress") { ($0["done"] as? Int ?? 0) >= bytes }
        leecher.signal(signal)
        return leecher
    }

    func testSignalsSaveResumeDataAndTheRestartSkipsVerifiedPieces() throws {
        let scratch = try Scratch()
        let (torrent, seeder, port) = try swarm(scratch)
        let leecher = try Peer(scratch, "leecher")
        let arguments = [torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"]

        let first = try interrupt(leecher, arguments, after: 4 << 20, with: SIGINT)
        XCTAssertEqual(try first.wait(), 130, first.stderrText())
        XCTAssertEqual(first.events.last?.data["reason"] as? String, "interrupted")
        let afterInt = try savedDone(leecher)
        XCTAssertGreaterThanOrEqual(afterInt, 4 << 20)

        let second = try interrupt(leecher, arguments, after: afterInt + (4 << 20), with: SIGTERM)
        XCTAssertEqual(try second.wait(), 143, second.stderrText())
        XCTAssertEqual(second.events.first?.data["resumed"] as? Bool, true)
        let afterTerm = try savedDone(leecher)
        XCTAssertGreaterThanOrEqual(afterTerm, afterInt + (4 << 20))

        let last = try leecher.add(arguments)
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertFalse(last.events.contains { $0.data["state"] as? String == "checking" }, "the restart rechecked")
        let downloaded = try XCTUnwrap(last.events.first { $0.type == "finished" }?.data["session_downloaded"] as? Int)
        XCTAssertLessThanOrEqual(downloaded, size - afterTerm + margin)
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeder
    }

    func testSigkillRestartsFromTheLastPeriodicSave() throws {
        let scratch = try Scratch()
        let (torrent, seeder, port) = try swarm(scratch)
        let leecher = try Peer(scratch, "leecher")
        let arguments = [torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"]

        let killed = try leecher.start(arguments + ["--max-down", "2M"])
        // A save holding progress: the first periodic one comes seconds in
        // (the one when the files are checked holds none); nothing is saved on SIGKILL.
        try waitUntil("a periodic save with progress", timeout: 30) { piecesInResumeFile(leecher) > 0 }
        killed.signal(SIGKILL)
        XCTAssertEqual(try killed.wait(), 9)
        let saved = try savedDone(leecher)

        let restart = try leecher.add(arguments)
        XCTAssertEqual(restart.status, 0, restart.stderr)
        let downloaded = try XCTUnwrap(restart.events.first { $0.type == "finished" }?.data["session_downloaded"] as? Int)
        XCTAssertLessThan(downloaded, size)
        XCTAssertLessThanOrEqual(downloaded, size - saved + (4 << 20), "more than the unsaved seconds came again")
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeder
    }
}
