import Foundation
import XCTest
import TestSupport

/// The saved state without a session: selecting torrents, the lock, and the
/// errors `add` gives before it starts anything.
final class StateTests: XCTestCase {
    /// Two different torrents that are both called "data", added paused.
    private func twoNamesakes(_ scratch: Scratch) throws -> (Peer, [String]) {
        try scratch.write("a/data/one.bin", randomData(40_000))
        try scratch.write("b/data/two.bin", randomData(50_000))
        let first = try makeTorrent(scratch.path + "/a/data", scratch.path + "/a.torrent")
        let second = try makeTorrent(scratch.path + "/b/data", scratch.path + "/b.torrent")
        let peer = try Peer(scratch, "peer")
        let added = try peer.add([first, second, "--paused", "-o", scratch.path + "/dst"])
        XCTAssertEqual(added.status, 0, added.stderr)
        let hashes = try [first, second].map { try spawn(btxPath, ["info", "--json", $0]).json()["info_hash"] as! String }
        return (peer, hashes)
    }

    func testTorrentsAreNamedByHashPrefixOrUniqueName() throws {
        let scratch = try Scratch()
        let (peer, hashes) = try twoNamesakes(scratch)

        let all = try peer.savedTorrents()
        XCTAssertEqual(Set(all.map { $0["info_hash"] as! String }), Set(hashes))
        XCTAssertTrue(all.allSatisfy { $0["state"] as? String == "paused" && $0["progress"] as? Double == 0 })

        let byPrefix = try peer.status(String(hashes[1].prefix(6)))
        XCTAssertEqual(byPrefix.status, 0, byPrefix.stderr)
        XCTAssertEqual((try byPrefix.json()["torrents"] as! [[String: Any]]).map { $0["info_hash"] as! String }, [hashes[1]])

        let ambiguous = try peer.status("data")
        XCTAssertEqual(ambiguous.status, 2)
        XCTAssertTrue(ambiguous.stderr.contains("matches 2 torrents"), ambiguous.stderr)
        for hash in hashes { XCTAssertTrue(ambiguous.stderr.contains(String(hash.prefix(8))), ambiguous.stderr) }

        let unknown = try peer.status("0123456789abcdef0123456789abcdef01234567")
        XCTAssertEqual(unknown.status, 3)
        XCTAssertEqual(try unknown.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String }, "not_found")

        let table = try spawn(btxPath, ["status", "--state-dir", peer.state])
        XCTAssertEqual(table.status, 0)
        // Off a terminal: one tab-separated row a torrent, no header, the whole hash first.
        XCTAssertEqual(table.text.split(separator: "\n").count, 2, table.text)
        XCTAssertTrue(table.text.split(separator: "\n").allSatisfy { $0.split(separator: "\t").first?.count == 40 }, table.text)

        // --watch prints a document per tick until interrupted.
        let watch = try RunningProcess(btxPath, ["status", "--watch=0.1", "--json", "--state-dir", peer.state])
        try waitUntil("three ticks") { watch.output.count >= 3 }
        watch.signal(SIGINT)
        XCTAssertEqual(try watch.wait(), 130, "an interrupt ends --watch, and says so")
        XCTAssertTrue(watch.output.allSatisfy { $0.hasPrefix(#"{"torrents":["#) })

        let info = try spawn(btxPath, ["info", "--json", "--state-dir", peer.state, hashes[0]])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertEqual(try info.json()["info_hash"] as? String, hashes[0])

        // With no session, remove works on the saved state.
        let removed = try spawn(btxPath, ["remove", String(hashes[0].prefix(10)), "--state-dir", peer.state])
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertEqual(removed.text, "data: removed\n")
        XCTAssertEqual(try peer.savedTorrents().map { $0["info_hash"] as! String }, [hashes[1]])
    }

    /// An empty BTX_STATE_DIR or XDG variable is unset, not the working directory.
    func testEmptyStateVariablesCountAsUnset() throws {
        let scratch = try Scratch()
        try scratch.write("src/x.bin", randomData(20_000))
        let torrent = try makeTorrent(scratch.path + "/src/x.bin", scratch.path + "/x.torrent")
        try FileManager.default.createDirectory(atPath: scratch.path + "/work", withIntermediateDirectories: true)
        let environment = ["BTX_STATE_DIR": "", "XDG_STATE_HOME": "", "XDG_DATA_HOME": "", "XDG_RUNTIME_DIR": "",
                           "HOME": scratch.path + "/home"]
        let added = try spawn(btxPath, ["add", torrent, "--paused", "-o", scratch.path + "/src"], cwd: scratch.path + "/work",
                              environment: environment)
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/work"), [])
        XCTAssertTrue(scratch.exists("home/.local/state/btx/resume"), "the XDG default")
        assertOneLineError(try spawn(btxPath, ["status", "--state-dir", ""], cwd: scratch.path + "/work"), status: 2, "empty")
    }

    func testASecondAddHandsItsTorrentToTheRunningSession() throws {
        let scratch = try Scratch()
        try scratch.write("src/x.bin", randomData(100_000))
        try scratch.write("src/y.bin", randomData(100_000))
        let x = try makeTorrent(scratch.path + "/src/x.bin", scratch.path + "/x.torrent")
        let y = try makeTorrent(scratch.path + "/src/y.bin", scratch.path + "/y.torrent")
        let peer = try Peer(scratch, "peer")
        let (seeder, _) = try peer.seed([x], from: scratch.path + "/src")

        // The running session checks y (complete on disk) and the second add follows it to the end.
        let second = try spawn(btxPath, ["add", "--state-dir", peer.state, y, "-o", scratch.path + "/src"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.text, "y.bin: complete in \(scratch.path)/src\n")
        let live = try peer.status()
        XCTAssertEqual(Set((try live.json()["torrents"] as! [[String: Any]]).map { $0["name"] as! String }), ["x.bin", "y.bin"])

        // A killed session leaves its socket behind; the next command notices and starts afresh.
        seeder.signal(SIGKILL)
        _ = try seeder.wait()
        XCTAssertTrue(FileManager.default.fileExists(atPath: peer.state + "/run/control.sock"))
        let saved = try peer.savedTorrents()
        XCTAssertTrue(saved.allSatisfy { $0["running"] as? Bool == false })
        let after = try peer.add([x, "-o", scratch.path + "/src"])
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: peer.state + "/run/control.sock"))
    }

    func testBadSourcesAndOptionsFailBeforeAnythingStarts() throws {
        let scratch = try Scratch()
        try scratch.write("src/x.bin", randomData(1000))
        let torrent = try makeTorrent(scratch.path + "/src/x.bin", scratch.path + "/x.torrent")
        try scratch.write("junk.torrent", Data("d4:infoi3ee".utf8))
        let peer = try Peer(scratch, "peer")

        let cases: [([String], Int32, String)] = [
            ([scratch.path + "/missing.torrent"], 3, "No such file"),
            ([scratch.path + "/junk.torrent"], 1, "is not a valid torrent"),
            (["magnet:?xt=urn:btih:nothex"], 1, "is not a valid magnet link"),
            ([torrent, "--peer", "localhost"], 2, "--peer"),
            ([torrent, "--max-down", "fast"], 2, "--max-down"),
            ([torrent, "--seed-time", "soon"], 2, "--seed-time"),
            ([torrent, "--only", "7"], 2, "--only"),
            ([torrent, "--only", "*.iso"], 2, "matches no file"),
            ([torrent, "--listen", "nowhere"], 2, "--listen"),
            (["-", "-"], 2, "only once"),
        ]
        for (arguments, code, message) in cases {
            let result = try peer.add(arguments, timeout: 30)
            XCTAssertEqual(result.status, code, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("Fatal error"), result.stderr)
        }
        XCTAssertEqual(try peer.savedTorrents().count, 0)
    }
}

extension StateTests {
    func testAnUnwritableDirectoryFailsInOneLineAndALaterOutputWins() throws {
        let scratch = try Scratch()
        try scratch.write("src/x.bin", randomData(100_000))
        let torrent = try makeTorrent(scratch.path + "/src/x.bin", scratch.path + "/x.torrent")
        let blocker = try scratch.write("not-a-directory", Data("file".utf8))
        let peer = try Peer(scratch, "peer")

        let failed = try spawn(btxPath, ["add", "--state-dir", peer.state, "--listen", "127.0.0.1:0", "--no-dht",
                                         torrent, "-o", blocker + "/sub"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(failed.stderr, "btx: x.bin: \(blocker)/sub/x.bin: Not a directory (file_stat)\n")
        XCTAssertEqual(failed.text, "")

        // Nothing was verified there, so a new -o takes the torrent elsewhere.
        let moved = try peer.add([torrent, "-o", scratch.path + "/dst", "--paused"])
        XCTAssertEqual(moved.status, 0, moved.stderr)
        XCTAssertEqual(try peer.savedTorrents().first?["save_path"] as? String, scratch.path + "/dst")
    }
}
