import Foundation
import XCTest
import TestSupport

/// `btx add` between real btx processes on 127.0.0.1: each its own state
/// directory, files compared by SHA-256.
final class DownloadTests: XCTestCase {
    private func multiFileTree(_ scratch: Scratch) throws {
        try scratch.write("src/album/01 intro.flac", randomData(3_000_000))
        try scratch.write("src/album/02 theme.flac", randomData(1_234_567))
        try scratch.write("src/album/notes.txt", Data("liner notes\n".utf8))
        try scratch.write("src/album/cover/front.jpg", randomData(200_000))
        try scratch.write("src/album/empty.txt", Data())
    }

    func testMultiFileAndLargeTorrentsDownloadByteForByte() throws {
        let scratch = try Scratch()
        try multiFileTree(scratch)
        try scratch.write("src/big.bin", randomData(65 << 20))
        let album = try makeTorrent(scratch.path + "/src/album", scratch.path + "/album.torrent")
        let big = try makeTorrent(scratch.path + "/src/big.bin", scratch.path + "/big.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([album, big], from: scratch.path + "/src")

        let leecher = try Peer(scratch, "leecher")
        let result = try leecher.add([album, big, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        let types = result.events.map(\.type)
        XCTAssertEqual(types.filter { $0 == "finished" }.count, 2)
        XCTAssertEqual(types.last, "exit")
        XCTAssertEqual(result.events.last?.data["reason"] as? String, "complete")

        // The saved state says the same, with no session running.
        let saved = try leecher.savedTorrents()
        XCTAssertEqual(Set(saved.map { $0["name"] as! String }), ["album", "big.bin"])
        for torrent in saved {
            XCTAssertEqual(torrent["state"] as? String, "complete")
            XCTAssertEqual(torrent["progress"] as? Double, 1.0)
            XCTAssertEqual(torrent["running"] as? Bool, false)
            XCTAssertEqual(torrent["save_path"] as? String, scratch.path + "/dst")
        }
        _ = seeder
    }

    func testThroughOpentrackerWithoutDirectPeers() throws {
        let scratch = try Scratch()
        try multiFileTree(scratch)
        let trackerPort = freePort()
        let announce = "http://127.0.0.1:\(trackerPort)/announce"
        let torrent = try makeTorrent(scratch.path + "/src/album", scratch.path + "/album.torrent", ["-t", announce])
        let info = try spawn(btxPath, ["info", "--json", torrent]).json()
        let (tracker, _) = try startTracker(scratch, hashes: [info["info_hash"] as! String], port: trackerPort)

        let (seeder, _) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        // The leecher finds the seeder only if the seeder announced first.
        try seeder.waitForEvent("tracker_reply")
        let result = try Peer(scratch, "leecher").add([torrent, "-o", scratch.path + "/dst"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = (seeder, tracker)
    }

    func testMagnetGetsMetadataFromSeederAndSavesIt() throws {
        let scratch = try Scratch()
        try multiFileTree(scratch)
        let torrent = try makeTorrent(scratch.path + "/src/album", scratch.path + "/album.torrent")
        let magnet = try spawn(btxPath, ["info", "--json", torrent]).json()["magnet_uri"] as! String
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")

        let leecher = try Peer(scratch, "leecher")
        let result = try leecher.add([magnet, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.events.contains { $0.type == "metadata" && $0.data["name"] as? String == "album" })
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        let saved = try leecher.savedTorrents()
        XCTAssertEqual(saved.first?["has_metadata"] as? Bool, true)
        XCTAssertEqual(saved.first?["name"] as? String, "album")

        // The saved metadata answers `files` with no session and no .torrent.
        let files = try spawn(btxPath, ["files", "--json", "--state-dir", leecher.state, "album"])
        XCTAssertEqual(files.status, 0, files.stderr)
        let list = try files.json()["files"] as! [[String: Any]]
        XCTAssertEqual(list.count, 5)
        XCTAssertTrue(list.allSatisfy { $0["progress"] as? Double == 1.0 })
        _ = seeder
    }

    func testOnlyDownloadsTheChosenFiles() throws {
        let scratch = try Scratch()
        try multiFileTree(scratch)
        let torrent = try makeTorrent(scratch.path + "/src/album", scratch.path + "/album.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")

        // Files sort bytewise: 0 "01 intro.flac", 1 "02 theme.flac", 2 cover/front.jpg, 3 empty.txt, 4 notes.txt.
        let leecher = try Peer(scratch, "leecher")
        let result = try leecher.add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)",
                                      "--only", "1,*.txt"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let source = try digests(scratch.path + "/src/album")
        let copied = try digests(scratch.path + "/dst/album")
        XCTAssertEqual(copied["02 theme.flac"], source["02 theme.flac"])
        XCTAssertEqual(copied["notes.txt"], source["notes.txt"])
        XCTAssertNotEqual(copied["01 intro.flac"], source["01 intro.flac"])
        XCTAssertNotEqual(copied["cover/front.jpg"], source["cover/front.jpg"])

        let files = try spawn(btxPath, ["files", "--json", "--state-dir", leecher.state, "album"]).json()["files"] as! [[String: Any]]
        XCTAssertEqual(files.map { $0["priority"] as? String }, ["skip", "normal", "skip", "normal", "normal"])
        XCTAssertEqual(files[1]["progress"] as? Double, 1.0)
        XCTAssertLessThan(files[0]["progress"] as! Double, 1.0)
        _ = seeder
    }

    func testPausedAddsWithoutTransferring() throws {
        let scratch = try Scratch()
        try multiFileTree(scratch)
        let torrent = try makeTorrent(scratch.path + "/src/album", scratch.path + "/album.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")

        let leecher = try Peer(scratch, "leecher")
        let paused = try leecher.add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)", "--paused"])
        XCTAssertEqual(paused.status, 0, paused.stderr)
        XCTAssertEqual(paused.events.last?.data["reason"] as? String, "paused")
        let saved = try leecher.savedTorrents()
        XCTAssertEqual(saved.first?["state"] as? String, "paused")
        XCTAssertEqual(saved.first?["done"] as? Int, 0)
        XCTAssertEqual(saved.first?["downloaded"] as? Int, 0)

        // Adding it again runs it.
        let resumed = try leecher.add([torrent, "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(resumed.events.first?.data["resumed"] as? Bool, true)
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeder
    }

    func testMaxDownCapsTheRate() throws {
        let scratch = try Scratch()
        // Big enough that start-up (session, connection) stays a small part
        // of the time on a busy machine.
        try scratch.write("src/capped.bin", randomData(6 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/capped.bin", scratch.path + "/capped.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")

        let cap = 1 << 20
        let result = try Peer(scratch, "leecher").add([torrent, "-o", scratch.path + "/dst",
                                                       "--peer", "127.0.0.1:\(port)", "--max-down", "1M"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let finished = try XCTUnwrap(result.events.first { $0.type == "finished" }?.data)
        let rate = Double(finished["session_downloaded"] as! Int) / (finished["seconds"] as! Double)
        XCTAssertLessThan(rate, Double(cap) * 1.2, "average \(Int(rate)) B/s over a cap of \(cap)")
        XCTAssertGreaterThan(rate, Double(cap) * 0.5, "average \(Int(rate)) B/s, far under the cap of \(cap)")
        _ = seeder
    }

    /// A peer named with --peer that refuses the first dials (it has not
    /// added the torrent yet) is dialled again within about a second, then
    /// less often, not after btx's 10 s; once it has the torrent, the
    /// download goes on.
    func testARefusedNamedPeerIsDialledAgainSoon() throws {
        let scratch = try Scratch()
        try scratch.write("src/named.bin", randomData(1 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/named.bin", scratch.path + "/named.torrent")
        let port = freePort()
        let refusal = try RefusingListener(port: port)
        let leecher = try Peer(scratch, "leecher")
        let started = Date()
        let add = try leecher.start([torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)"])
        defer { add.signal(SIGKILL); _ = try? add.wait() }
        // Three dials: at once, and after about 1 s and 2 s (the old pace had the second at 10 s).
        try refusal.refuse(3, within: 8)
        print("three dials of a refusing --peer in " + String(format: "%.1f", Date().timeIntervalSince(started)) + " s")
        refusal.close()
        let seeder = try RunningProcess(btxPath, ["add", "--json", "--state-dir", scratch.path + "/seeder-state", "--no-dht",
                                                  "--listen", "127.0.0.1:\(port)", torrent, "-o", scratch.path + "/src", "--seed"])
        XCTAssertEqual(try seeder.waitForEvent("listening")["port"] as? Int, port)
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        _ = try add.waitForEvent("finished", timeout: 30)
        XCTAssertEqual(try digests(scratch.path + "/dl"), try digests(scratch.path + "/src"))
    }

    /// A --listen port another process holds is not swapped for the next
    /// free one, which nobody told of it would dial (libtorrent's way, and
    /// how a bench seeder once went unreachable): the session says no peer
    /// can reach it, and tries that port alone.
    func testATakenListenPortIsSaidNotMoved() throws {
        let scratch = try Scratch()
        try scratch.write("src/taken.bin", randomData(64 << 10))
        let torrent = try makeTorrent(scratch.path + "/src/taken.bin", scratch.path + "/taken.torrent")
        let port = freePort()
        let holder = try RefusingListener(port: port)
        let seeder = try RunningProcess(btxPath, ["add", "--json", "--state-dir", scratch.path + "/seeder-state", "--no-dht",
                                                  "--listen", "127.0.0.1:\(port)", torrent, "-o", scratch.path + "/src", "--seed"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let warning = try seeder.waitForEvent("warning") { ($0["message"] as? String)?.contains("no peer can connect") == true }
        XCTAssertTrue((warning["message"] as? String ?? "").contains("\(port)"), "\(warning)")
        _ = try seeder.waitForEvent("finished")
        XCTAssertFalse(seeder.events.contains { $0.type == "listening" }, "\(seeder.output)")
        holder.close()
    }
}
