import Foundation
import TestSupport
import XCTest

/// A daemon takes up the torrents its user paused from their saved state
/// alone, out of libtorrent, until a request needs libtorrent for one
/// (SessionHost+Dormancy). Every command must find such a torrent as it was.
final class DormantTests: XCTestCase {
    private func btx(_ peer: Peer, _ arguments: [String]) throws -> ProcessResult {
        let result = try spawn(btxPath, arguments + ["--state-dir", peer.state])
        guard result.status == 0 else { throw TestFailure("btx \(arguments): \(result.stderr)") }
        return result
    }

    /// Every torrent's kept fields, by name: a restart lists them in the order of its resume folder.
    private func shown(_ peer: Peer) throws -> [[String: String]] {
        try peer.savedTorrents().map(kept).sorted { $0["name"]! < $1["name"]! }
    }

    /// What a restart must not change in a paused torrent's document.
    private func kept(_ document: [String: Any]) -> [String: String] {
        let keys = ["info_hash", "name", "state", "progress", "size", "done", "wanted", "save_path", "paused", "pieces",
                    "pieces_done", "uploaded", "downloaded", "added_time", "completed_time", "labels", "queue_position",
                    "has_metadata"]
        return Dictionary(uniqueKeysWithValues: keys.map { ($0, "\(document[$0] ?? "absent")") })
    }

    func testPausedTorrentsComeBackAsTheyWereAndWakeWhenAskedFor() throws {
        let scratch = try Scratch()
        try scratch.write("src/partial.bin", randomData(2 << 20))
        try scratch.write("src/whole.bin", randomData(300_000))
        let partial = try makeTorrent(scratch.path + "/src/partial.bin", scratch.path + "/partial.torrent")
        let whole = try makeTorrent(scratch.path + "/src/whole.bin", scratch.path + "/whole.torrent")
        // A quarter of partial.bin is there already: its pieces come from the saved state, not a check.
        let original = try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/src/partial.bin"))
        try scratch.write("dst/partial.bin", original.prefix(512 << 10) + Data(count: original.count - (512 << 10)))
        let (seeder, port) = try Peer(scratch, "seeder").seed([partial], from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }

        let keeper = try Peer(scratch, "keeper")
        try startDaemon(keeper, in: self)
        _ = try btx(keeper, ["add", whole, "-o", scratch.path + "/src", "--detach", "--label", "kept"])
        // Checked as it starts (no peer to get more from), then paused.
        _ = try btx(keeper, ["add", partial, "-o", scratch.path + "/dst", "--detach"])
        try waitUntil("whole.bin seeding, partial.bin checked") {
            let listed = try keeper.savedTorrents()
            return listed.contains { $0["name"] as? String == "whole.bin" && $0["state"] as? String == "seeding" }
                && listed.contains { $0["name"] as? String == "partial.bin" && ($0["done"] as? Int ?? 0) > 0 }
        }
        _ = try btx(keeper, ["pause", "--all"])
        try waitUntil("both paused") { try keeper.savedTorrents().allSatisfy { $0["state"] as? String == "paused" } }
        let before = try shown(keeper)
        try stopDaemon(keeper)

        try startDaemon(keeper, in: self)
        try waitUntil("both taken up again") { try keeper.savedTorrents().count == 2 }
        XCTAssertEqual(try shown(keeper), before, "as they were before the restart")
        // Named by hash, shown by name, both from what was saved.
        let wholeHash = try XCTUnwrap(before.first { $0["name"] == "whole.bin" }?["info_hash"])
        XCTAssertEqual(kept(try torrentStatus(keeper, wholeHash)), before.first { $0["name"] == "whole.bin" })
        _ = try btx(keeper, ["pause", "--all"])
        XCTAssertEqual(try shown(keeper), before, "a pause of what is paused changes nothing")

        // A listing of many is read from the saved state (a web front-end asks every torrent's trackers).
        let partialHash = try XCTUnwrap(before.first { $0["name"] == "partial.bin" }?["info_hash"])
        let listed = try python("""
            import json, socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall((json.dumps({"method": "files", "params": {"torrents": sys.argv[2:]}}) + "\\n").encode())
            print(json.dumps(json.loads(s.makefile().readline())["result"]["torrents"][0]["files"]))
            """, [keeper.state + "/run/control.sock", partialHash])
        let savedFiles = try JSONSerialization.jsonObject(with: Data(listed.text.utf8)) as? [[String: Any]]
        XCTAssertEqual(savedFiles?.first?["done"] as? Int, 512 << 10, listed.stderr)

        // Files need libtorrent: shown with the progress saved, not none while it reads its resume data.
        let files = try btx(keeper, ["files", "--json", "partial.bin"]).json()["files"] as? [[String: Any]]
        XCTAssertEqual(files?.first?["done"] as? Int, 512 << 10, "\(files ?? [])")
        XCTAssertEqual(kept(try torrentStatus(keeper, "partial.bin")), before.first { $0["name"] == "partial.bin" })

        // Added again it is the same torrent, and the peer named now is dialled once it runs.
        _ = try btx(keeper, ["add", partial, "-o", scratch.path + "/dst", "--detach", "--paused",
                             "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(try keeper.savedTorrents().count, 2)
        _ = try btx(keeper, ["resume", "partial.bin"])
        try waitUntil("partial.bin downloaded", timeout: 60) {
            try torrentStatus(keeper, "partial.bin")["progress"] as? Double == 1
        }
        XCTAssertEqual(try digests(scratch.path + "/dst")["partial.bin"], try digests(scratch.path + "/src")["partial.bin"])

        // Removed while dormant, it is gone for good.
        try stopDaemon(keeper)
        try startDaemon(keeper, in: self)
        _ = try btx(keeper, ["remove", "whole.bin"])
        XCTAssertEqual(try keeper.savedTorrents().map { $0["name"] as? String }, ["partial.bin"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.path + "/src/whole.bin"), "its data stays")
        try stopDaemon(keeper)
        try startDaemon(keeper, in: self)
        let last = try keeper.savedTorrents()
        XCTAssertEqual(last.map { $0["name"] as? String }, ["partial.bin"])
        XCTAssertEqual(last.first?["state"] as? String, "seeding")

        // Its files deleted, it is woken for libtorrent to delete them.
        _ = try btx(keeper, ["pause", "partial.bin"])
        try stopDaemon(keeper)
        try startDaemon(keeper, in: self)
        _ = try btx(keeper, ["remove", "partial.bin", "--delete-data"])
        try waitUntil("partial.bin deleted") { !FileManager.default.fileExists(atPath: scratch.path + "/dst/partial.bin") }
        XCTAssertEqual(try keeper.savedTorrents().count, 0)
        try stopDaemon(keeper)
    }
}
