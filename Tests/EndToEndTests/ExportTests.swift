import Foundation
import TestSupport
import XCTest

/// `btx export`: a torrent's .torrent file from what btx keeps, for one
/// added by magnet too: the same info-hash as the original.
final class ExportTests: XCTestCase {
    func testAMagnetAddedTorrentExportsWithTheOriginalsInfoHash() throws {
        let scratch = try Scratch()
        var originals: [String: [String: Any]] = [:]
        var torrents: [String] = []
        for format in ["v1", "hybrid"] {
            try scratch.write("src/album-\(format)/one.bin", randomData(300_000))
            try scratch.write("src/album-\(format)/two.bin", randomData(200_000))
            let torrent = try makeTorrent(scratch.path + "/src/album-\(format)", scratch.path + "/\(format).torrent",
                                          ["--\(format)", "-t", "http://127.0.0.1:1/announce"])
            torrents.append(torrent)
            originals[format] = try spawn(btxPath, ["info", "--json", torrent]).json()
        }
        let (seeder, port) = try Peer(scratch, "seeder").seed(torrents, from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        let run = { (arguments: [String], cwd: String?) in try spawn(btxPath, arguments + ["--state-dir", leecher.state], cwd: cwd) }
        for format in ["v1", "hybrid"] {
            let magnet = try XCTUnwrap(originals[format]?["magnet_uri"] as? String)
            XCTAssertEqual(try run(["add", magnet, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)", "--detach"], nil).status, 0)
        }
        try waitUntil("both downloaded") {
            let torrents = try run(["status", "--json"], nil).json()["torrents"] as? [[String: Any]] ?? []
            return torrents.count == 2 && torrents.allSatisfy { $0["progress"] as? Double == 1 }
        }
        for format in ["v1", "hybrid"] {
            let path = scratch.path + "/exported-\(format).torrent"
            let exported = try run(["export", "album-\(format)", "-o", path, "--json"], nil)
            XCTAssertEqual(exported.status, 0, exported.stderr)
            XCTAssertEqual(try exported.json()["path"] as? String, path)
            let info = try spawn(btxPath, ["info", "--json", path]).json()
            for key in ["info_hash", "info_hash_v1", "info_hash_v2", "name", "pieces"] {
                XCTAssertEqual("\(info[key] ?? "nil")", "\(originals[format]?[key] ?? "nil")", "\(format) \(key)")
            }
            // And the data verifies against it.
            XCTAssertEqual(try spawn(btxPath, ["verify", path, scratch.path + "/dst"]).status, 0, format)
        }
        // By default NAME.torrent here, never over a file without --force; - is standard output.
        let folder = scratch.path + "/here"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        XCTAssertEqual(try run(["export", "album-v1"], folder).status, 0)
        XCTAssertTrue(scratch.exists("here/album-v1.torrent"))
        assertOneLineError(try run(["export", "album-v1"], folder), status: 1, "already exists")
        XCTAssertEqual(try run(["export", "album-v1", "--force"], folder).status, 0)
        let piped = try run(["export", "album-v1", "-o", "-"], nil)
        XCTAssertEqual(piped.stdout, try scratch.contents("here/album-v1.torrent"))

        // A magnet that finds no one has nothing to export.
        XCTAssertEqual(try run(["add", "magnet:?xt=urn:btih:" + String(repeating: "7", count: 40) + "&dn=nowhere", "--detach"], nil).status, 0)
        assertOneLineError(try run(["export", "nowhere"], folder), status: 1, "has not arrived yet")
    }
}
