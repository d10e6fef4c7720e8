import Foundation
import TestSupport
import XCTest

/// `btx events`: the running session's events as they happen, with ids a
/// reader that reconnects resumes from, every kind against its schema, and
/// --on-event hooks that get them on stdin.
final class EventsTests: XCTestCase {
    func testAFollowerSeesEveryKindInOrderAndMissesNothingOnReconnecting() throws {
        let scratch = try Scratch()
        try scratch.write("src/local.bin", randomData(60_000))
        try scratch.write("src/remote.bin", randomData(60_000))
        try scratch.write("src/fetched.bin", randomData(60_000))
        let local = try makeTorrent(scratch.path + "/src/local.bin", scratch.path + "/local.torrent", ["-t", "http://127.0.0.1:1/announce"])
        let remote = try makeTorrent(scratch.path + "/src/remote.bin", scratch.path + "/remote.torrent")
        let fetched = try makeTorrent(scratch.path + "/src/fetched.bin", scratch.path + "/fetched.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([remote, fetched], from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        try scratch.write("block.p2p", Data("nobody:10.0.0.1-10.0.0.2\n".utf8))

        let peer = try Peer(scratch, "daemon")
        let hookLog = scratch.path + "/hook.log"
        try startDaemon(peer, ["--on-event", "finished,removed cat >> '\(hookLog)'", "--blocklist", scratch.path + "/block.p2p"], in: self)
        let state = ["--state-dir", peer.state]
        // From the first event the session holds: however late the follower's first ask, nothing is missed.
        let follower = try RunningProcess(btxPath, ["events", "--since", "0", "--json"] + state)
        defer { follower.signal(SIGINT); _ = try? follower.wait() }

        // added, state, finished, tracker_error (nothing listens on port 1), moved, removed.
        XCTAssertEqual(try spawn(btxPath, ["add", local, "-o", scratch.path + "/src", "--detach"] + state).status, 0)
        // file_completed, for a download.
        XCTAssertEqual(try spawn(btxPath, ["add", fetched, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)", "--detach"]
                                  + state).status, 0)
        // metadata, then an error: the magnet's files match no --only.
        let magnet = try XCTUnwrap(spawn(btxPath, ["info", "--json", remote]).json()["magnet_uri"] as? String)
        XCTAssertEqual(try spawn(btxPath, ["add", magnet, "--only", "*.nothing", "-o", scratch.path + "/dl", "--peer",
                                           "127.0.0.1:\(port)", "--detach"] + state).status, 0)
        try waitUntil("seeding, a tracker error and the magnet's error") {
            let types = follower.output.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .compactMap { $0["type"] as? String }
            return Set(types).isSuperset(of: ["added", "finished", "tracker_error", "metadata", "error", "file_completed"])
        }
        XCTAssertEqual(try spawn(btxPath, ["move", "local.bin", scratch.path + "/moved"] + state).status, 0)
        XCTAssertEqual(try spawn(btxPath, ["blocklist", "--reload"] + state).status, 0)
        XCTAssertEqual(try spawn(btxPath, ["remove", "local.bin"] + state).status, 0)
        try waitUntil("removed") { follower.output.contains { $0.contains("\"type\":\"removed\"") } }

        let seen = follower.output.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let ids = seen.compactMap { $0["id"] as? Int }
        XCTAssertEqual(ids, ids.sorted(), "ids grow")
        XCTAssertEqual(Set(ids).count, ids.count)
        let types = seen.compactMap { $0["type"] as? String }
        XCTAssertEqual(Set(types), ["added", "metadata", "state", "file_completed", "finished", "error", "moved", "removed",
                                    "tracker_error", "blocklist"], "\(types)")
        let localOrder = seen.filter { ($0["data"] as? [String: Any])?["name"] as? String == "local.bin" }.compactMap { $0["type"] as? String }
            .filter { ["added", "finished", "moved", "removed"].contains($0) }
        XCTAssertEqual(localOrder, ["added", "finished", "moved", "removed"])
        // Every line meets its schema: spawn checks its output, and RunningProcess the follower's when it goes.

        // A reader back after the third event gets the rest, and nothing twice.
        let third = ids[2]
        let again = try spawn(btxPath, ["events", "--since", String(third), "--no-wait", "--json"] + state)
        XCTAssertEqual(again.status, 0, again.stderr)
        let rest = again.text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        // The session runs on: events after the follower's last (a state
        // change of the torrent still seeding) may follow, in order, new.
        let restIDs = rest.compactMap { $0["id"] as? Int }
        XCTAssertEqual(Array(restIDs.prefix(ids.count - 3)), Array(ids.dropFirst(3)), "\(rest.map { $0["type"] ?? "" })")
        XCTAssertEqual(restIDs, restIDs.sorted())
        XCTAssertTrue(restIDs.dropFirst(ids.count - 3).allSatisfy { $0 > ids.last! })
        let human = try spawn(btxPath, ["events", "--since", String(third), "--no-wait"] + state).text
        XCTAssertTrue(human.contains(" removed  local.bin"), human)

        // The hook got finished and removed, each a whole document on stdin.
        try waitUntil("the hooks to run") {
            let text = (try? String(contentsOfFile: hookLog, encoding: .utf8)) ?? ""
            return text.contains("\"type\":\"finished\"") && text.contains("\"type\":\"removed\"")
        }
        assertOneLineError(try spawn(btxPath, ["daemon", "--on-event", "sometimes echo"] + Peer(scratch, "bad").common),
                           status: 2, "'sometimes' is not an event")
    }
}
