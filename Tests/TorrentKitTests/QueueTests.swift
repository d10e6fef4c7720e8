import Foundation
import TorrentKit
import XCTest
import TestSupport

/// libtorrent's queue of auto-managed torrents, and pausing a whole session.
final class QueueTests: XCTestCase {
    /// Two downloads at a time, counted whether or not they move bytes (none
    /// of these has a peer), and the queue looked at every second.
    private let twoActive = [("active_downloads", "2"), ("active_seeds", "2"), ("active_limit", "4"),
                             ("dont_count_slow_torrents", "false"), ("auto_manage_interval", "1"),
                             ("auto_manage_startup", "0")]

    func testFiveAutoManagedTorrentsRunTwoAtATimeInQueueOrder() throws {
        let dir = try TemporaryDirectory()
        let session = try Session(settings: loopbackSettings + twoActive)
        var torrents: [Torrent] = []
        for i in 0..<5 {
            let swarm = try LocalSwarm([("t\(i).bin", 30_000)], seed: UInt64(100 + i))
            var options = AddOptions(savePath: dir.path)
            options.autoManaged = true
            torrents.append(try session.add(.metainfo(swarm.metainfo), options: options))
        }
        XCTAssertEqual(try torrents.map { try session.queuePosition($0) }, [0, 1, 2, 3, 4])
        XCTAssertEqual(try torrents.map { try session.status($0).queuePosition }, [0, 1, 2, 3, 4])
        let running = { try torrents.filter { try !session.status($0).isPaused } }
        try waitFor("two of five to run") { () -> Bool? in
            _ = try session.events(timeout: 0.1)
            return try running() == Array(torrents[0..<2]) ? true : nil
        }
        XCTAssertEqual(try torrents.filter { try session.status($0).isQueued }, Array(torrents[2...]))

        try session.queue(torrents[4], .top)
        try session.queue(torrents[0], .bottom)
        try session.queue(torrents[2], .up)
        try session.queue(torrents[1], .down)
        XCTAssertEqual(try torrents.map { try session.queuePosition($0) }, [4, 3, 1, 2, 0])
        try waitFor("the queue to follow the new order") { () -> Bool? in
            _ = try session.events(timeout: 0.1)
            return Set(try running()) == [torrents[4], torrents[2]] ? true : nil
        }

        // Not auto-managed: not queued, and it runs whatever the queue says.
        try session.setFlags(torrents[3], TorrentFlags(autoManaged: false))
        XCTAssertNil(try session.queuePosition(torrents[3]))
        try session.resume(torrents[3])
        XCTAssertFalse(try session.status(torrents[3]).isPaused)
        XCTAssertThrowsError(try session.setPieceDeadline(torrents[0], piece: 99, milliseconds: 10)) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .invalidArgument)
        }
    }

    func testPausingTheSessionStopsTransfersAndResumingRestartsThem() throws {
        let swarm = try LocalSwarm([("one.bin", 3 << 20)], pieceLength: 64 << 10)
        let (_, _, port) = try swarm.seeder()
        let (leecher, torrent) = try swarm.leecher(peers: ["127.0.0.1:\(port)"]) {
            $0.downloadLimit = 512 << 10
        }
        XCTAssertFalse(leecher.isSessionPaused)
        try waitFor("the download to start") { () -> Bool? in
            _ = try leecher.events(timeout: 0.05)
            return try leecher.status(torrent).totalDone > 0 ? true : nil
        }
        try leecher.pauseSession()
        XCTAssertTrue(leecher.isSessionPaused)
        try waitFor("the peers to go") { () -> Bool? in
            _ = try leecher.events(timeout: 0.05)
            return try leecher.status(torrent).peers == 0 ? true : nil
        }
        XCTAssertFalse(try leecher.status(torrent).isPaused, "the torrent's own flag is left alone")
        let done = try leecher.status(torrent).totalDone
        XCTAssertLessThan(done, Int64(3 << 20))
        try leecher.setLimits(torrent, TorrentLimits())
        try leecher.resumeSession()
        XCTAssertFalse(leecher.isSessionPaused)
        // The seeder is dialled again at once, not after libtorrent's
        // reconnect delay: the rest arrives well within a minute.
        try waitUntilFinished(leecher, torrent, timeout: 30)
        XCTAssertTrue(swarm.isComplete(in: swarm.dir.path + "/leech"))
    }
}
