import Foundation
import TestSupport
import XCTest

/// `btx daemon --watch DIR`: a .torrent or .magnet file finished in the
/// folder is added once, renamed .added; a bad one .invalid; a folder that
/// goes away is watched again when it is back.
final class WatchFolderTests: XCTestCase {
    func testFilesWrittenOrMovedInAreAddedOnceAndMarked() throws {
        let scratch = try Scratch()
        try scratch.write("src/early.bin", randomData(40_000))
        try scratch.write("src/copied.bin", randomData(40_000))
        try scratch.write("src/moved.bin", randomData(40_000))
        try scratch.write("src/linked.bin", randomData(40_000))
        var torrents: [String: String] = [:]
        for name in ["early", "copied", "moved", "linked"] {
            torrents[name] = try makeTorrent(scratch.path + "/src/\(name).bin", scratch.path + "/\(name).torrent")
        }
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrents["linked"]!], from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let watched = scratch.path + "/watch", labelled = scratch.path + "/tv"
        for folder in [watched, labelled] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        // There before the daemon: picked up at its start.
        try FileManager.default.copyItem(atPath: torrents["early"]!, toPath: watched + "/early.torrent")

        let peer = try Peer(scratch, "daemon")
        try peer.appendConfig("output = \(scratch.path)/dl\nwatch = \(labelled) label=tv output=\(scratch.path)/tv-dl\n")
        try startDaemon(peer, ["--watch", watched], in: self)
        func names() throws -> [String: [String: Any]] {
            let torrents = try spawn(btxPath, ["status", "--json", "--state-dir", peer.state]).json()["torrents"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: torrents.map { ($0["name"] as! String, $0) })
        }
        try waitUntil("the early file added") { try names()["early.bin"] != nil && scratch.exists("watch/early.torrent.added") }

        // Written in place (cp), and renamed in (mv) from elsewhere on the same filesystem.
        try FileManager.default.copyItem(atPath: torrents["copied"]!, toPath: watched + "/copied.torrent")
        try FileManager.default.moveItem(atPath: torrents["moved"]!, toPath: labelled + "/moved.torrent")
        // A magnet file, for a torrent a local seeder has.
        let magnet = try XCTUnwrap(spawn(btxPath, ["info", "--json", torrents["linked"]!]).json()["magnet_uri"] as? String)
        try scratch.write("watch/linked.magnet", Data((magnet + "&x.pe=127.0.0.1:\(port)\n").utf8))
        // Not a torrent at all, and a name it does not pick up.
        try scratch.write("watch/garbage.torrent", Data("not bencode".utf8))
        try scratch.write("watch/notes.txt", Data("hello".utf8))
        try waitUntil("every file handled") {
            ["watch/copied.torrent.added", "tv/moved.torrent.added", "watch/linked.magnet.added", "watch/garbage.torrent.invalid"]
                .allSatisfy(scratch.exists)
        }
        let all = try names()
        XCTAssertEqual(Set(all.keys), ["early.bin", "copied.bin", "moved.bin", "linked.bin"])
        XCTAssertEqual(all["moved.bin"]?["labels"] as? [String], ["tv"])
        XCTAssertEqual(all["moved.bin"]?["save_path"] as? String, scratch.path + "/tv-dl")
        XCTAssertEqual(all["copied.bin"]?["save_path"] as? String, scratch.path + "/dl")
        XCTAssertTrue(scratch.exists("watch/notes.txt"), "left alone")
        try waitUntil("the magnet downloaded from the seeder") { try names()["linked.bin"]?["progress"] as? Double == 1 }
        XCTAssertEqual(try scratch.contents("dl/linked.bin"), try scratch.contents("src/linked.bin"))
        let log = try String(contentsOfFile: peer.state + "/daemon.log", encoding: .utf8)
        XCTAssertTrue(log.contains("garbage.torrent") && log.contains("not a valid torrent"), log)

        // The folder goes away and comes back: watched again.
        try FileManager.default.removeItem(atPath: labelled)
        try waitUntil("the daemon to say it is gone") {
            (try String(contentsOfFile: peer.state + "/daemon.log", encoding: .utf8)).contains("\(labelled) is gone")
        }
        try FileManager.default.createDirectory(atPath: labelled, withIntermediateDirectories: true)
        try scratch.write("tv/again.torrent", Data("still not bencode".utf8))
        try waitUntil("the folder watched again", timeout: 20) { scratch.exists("tv/again.torrent.invalid") }
        XCTAssertEqual(try names().count, 4, "each file added once")
    }

    /// A label's save path (config category = NAME PATH) is where its adds and its watch folder's torrents go.
    func testALabelsSavePathTakesItsTorrents() throws {
        let scratch = try Scratch()
        try scratch.write("src/one.bin", randomData(20_000))
        try scratch.write("src/two.bin", randomData(20_000))
        let one = try makeTorrent(scratch.path + "/src/one.bin", scratch.path + "/one.torrent")
        let two = try makeTorrent(scratch.path + "/src/two.bin", scratch.path + "/two.torrent")
        let films = scratch.path + "/films", watched = scratch.path + "/watch"
        try FileManager.default.createDirectory(atPath: watched, withIntermediateDirectories: true)
        let peer = try Peer(scratch, "daemon")
        try peer.appendConfig("category = films \(films)\nwatch = \(watched) label=films\n")
        try startDaemon(peer, in: self)
        XCTAssertEqual(try spawn(btxPath, ["add", one, "--label", "films", "--paused", "--detach", "--state-dir", peer.state]).status, 0)
        try FileManager.default.copyItem(atPath: two, toPath: watched + "/two.torrent")
        try waitUntil("both added") {
            let torrents = try spawn(btxPath, ["status", "--json", "--state-dir", peer.state]).json()["torrents"] as? [[String: Any]] ?? []
            return torrents.count == 2 && torrents.allSatisfy { $0["save_path"] as? String == films }
        }
    }

    func testAFolderThatIsNotThereStopsTheStart() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "daemon")
        let result = try spawn(btxPath, ["daemon", "--watch", scratch.path + "/nowhere"] + peer.common)
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("watch folder \(scratch.path)/nowhere: No such directory"), result.stderr)
        try peer.appendConfig("watch = \(scratch.path)/also-nowhere label=x\n")
        let configured = try spawn(btxPath, ["daemon"] + peer.common)
        XCTAssertEqual(configured.status, 3, configured.stderr)
        XCTAssertTrue(configured.stderr.contains("also-nowhere"), configured.stderr)
    }
}
