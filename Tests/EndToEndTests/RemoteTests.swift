import Foundation
import TestSupport
import XCTest

/// `btx --remote URL`: the same commands, tables and documents against a
/// daemon reached over Transmission RPC: btx's own, and transmission-daemon.
final class RemoteTests: XCTestCase {
    private func remote(_ url: String, _ arguments: [String], environment: [String: String] = [:],
                        state: String) throws -> ProcessResult {
        try spawn(btxPath, arguments + ["--remote", url, "--state-dir", state], environment: environment)
    }

    func testManagingABtxDaemonElsewhere() throws {
        let scratch = try Scratch()
        let data = randomData(3 << 20)
        try scratch.write("src/far.bin", data)
        let trackerPort = freePort()
        let torrent = try makeTorrent(scratch.path + "/src/far.bin", scratch.path + "/far.torrent",
                                      ["-t", "http://127.0.0.1:\(trackerPort)/announce"])
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String
        let (tracker, _) = try startTracker(scratch, hashes: [hash], port: trackerPort)
        let (seeder, _) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait(); tracker.signal(SIGKILL); _ = try? tracker.wait() }

        let daemon = try Peer(scratch, "daemon")
        try daemon.appendConfig("rpc-user = ops\nrpc-password = s3cret\n")
        let port = freePort()
        try startDaemon(daemon, ["--rpc", String(port)], in: self)
        // This machine's own state is another, empty one: every answer comes from the daemon.
        let local = scratch.path + "/local-state"
        let url = "http://127.0.0.1:\(port)"
        let auth = ["BTX_REMOTE_AUTH": "ops:s3cret"]

        let refused = try remote("http://ops:wrong-pw@127.0.0.1:\(port)", ["status"], state: local)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("401") && !refused.stderr.contains("wrong-pw"), refused.stderr)

        // add follows the torrent to the end, as it does locally.
        let added = try remote(url, ["add", torrent, "-o", scratch.path + "/far", "-L", "remote"], environment: auth, state: local)
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertEqual(try scratch.contents("far/far.bin"), data)

        let status = try remote(url, ["status", "--json"], environment: auth, state: local)
        let torrent0 = try XCTUnwrap((try status.json()["torrents"] as? [[String: Any]])?.first)
        XCTAssertEqual(torrent0["info_hash"] as? String, hash)
        XCTAssertEqual(torrent0["progress"] as? Double, 1)
        XCTAssertEqual(torrent0["labels"] as? [String], ["remote"])
        let table = try remote(url, ["status"], environment: auth, state: local).text
        XCTAssertTrue(table.contains("\tfar.bin\tremote\t"), table)
        XCTAssertTrue(try remote(url, ["files", "far"], environment: auth, state: local).text.contains("\t1.0\t"))

        XCTAssertEqual(try remote(url, ["set", "far", "--max-up", "200k", "--unlabel", "remote", "--label", "kept"],
                                  environment: auth, state: local).status, 0)
        let settings = try remote(url, ["set", "far", "--json"], environment: auth, state: local).json()
        XCTAssertEqual(settings["labels"] as? [String], ["kept"])
        XCTAssertEqual((settings["settings"] as? [String: Any])?["max_up"] as? Int, 205_000, "kB/s over the wire")
        XCTAssertEqual(try remote(url, ["pause", "far"], environment: auth, state: local).status, 0)
        try waitUntil("paused") { try self.remote(url, ["status", "--json"], environment: auth, state: local).json()
            .description.contains("paused") }
        XCTAssertEqual(try remote(url, ["resume", "far"], environment: auth, state: local).status, 0)
        let trackers = try remote(url, ["trackers", "far", "--json"], environment: auth, state: local).json()
        XCTAssertEqual((trackers["trackers"] as? [[String: Any]])?.first?["url"] as? String, "http://127.0.0.1:\(trackerPort)/announce")
        XCTAssertEqual(try remote(url, ["move", "far", scratch.path + "/moved"], environment: auth, state: local).status, 0)
        try waitUntil("moved") { scratch.exists("moved/far.bin") }
        let wrong = try remote(url, ["cat", "far"], environment: auth, state: local)
        XCTAssertEqual(wrong.status, 2, "cat is not a remote command")
        let peer = try remote(url, ["add", torrent, "--peer", "127.0.0.1:1"], environment: auth, state: local)
        XCTAssertEqual(peer.status, 2)
        XCTAssertTrue(peer.stderr.contains("--peer does not work with --remote"), peer.stderr)
        XCTAssertEqual(try remote(url, ["remove", "far", "--delete-data"], environment: auth, state: local).status, 0)
        try waitUntil("removed with its data") { !scratch.exists("moved/far.bin") }
        XCTAssertEqual(try remote(url, ["status"], environment: auth, state: local).text, "", "no rows, no words: a script reads them")
    }

    func testManagingATransmissionDaemon() throws {
        let scratch = try Scratch()
        try scratch.write("src/tr.bin", randomData(1 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/tr.bin", scratch.path + "/tr.torrent")
        let port = freePort()
        let settings = """
            {"dht-enabled": false, "lpd-enabled": false, "pex-enabled": false, "port-forwarding-enabled": false,
             "utp-enabled": false, "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1", "peer-port": \(freePort()),
             "rpc-bind-address": "127.0.0.1", "rpc-port": \(port), "rpc-authentication-required": true,
             "rpc-username": "tr", "rpc-password": "pw", "rpc-whitelist-enabled": true, "rpc-whitelist": "127.0.0.1",
             "download-dir": "\(scratch.path)/src", "message-level": 1, "blocklist-enabled": false}
            """
        try scratch.write("transmission/settings.json", Data(settings.utf8))
        let daemon = try RunningProcess("/usr/bin/transmission-daemon", ["-f", "-g", scratch.path + "/transmission"])
        defer { daemon.signal(SIGTERM); _ = try? daemon.wait() }
        try waitUntil("transmission-daemon's RPC") { canConnect(port: port) }
        let url = "http://tr:pw@127.0.0.1:\(port)/transmission/rpc"
        let local = scratch.path + "/local-state"

        // Its data is there: transmission checks it and seeds.
        XCTAssertEqual(try remote(url, ["add", torrent, "--detach", "--max-up", "40k", "-t", "http://127.0.0.1:1/announce"], state: local).status, 0)
        try waitUntil("transmission has checked it") {
            (try self.remote(url, ["status", "--json"], state: local).json()["torrents"] as? [[String: Any]])?.first?["progress"] as? Double == 1
        }
        XCTAssertEqual(try remote(url, ["set", "tr.bin", "--label", "from-btx", "--max-down", "50k"], state: local).status, 0)
        let shown = try XCTUnwrap((try remote(url, ["status", "tr.bin", "--json"], state: local).json()["torrents"] as? [[String: Any]])?.first)
        XCTAssertEqual(shown["labels"] as? [String], ["from-btx"])
        XCTAssertEqual((shown["settings"] as? [String: Any])?["max_down"] as? Int, 52_000)
        XCTAssertEqual(shown["state"] as? String, "seeding")
        XCTAssertEqual((shown["settings"] as? [String: Any])?["max_up"] as? Int, 41_000, "the add's cap (40 KiB, in whole kB), set once it was there")
        let trackers = try remote(url, ["trackers", "tr.bin", "--json"], state: local).json()["trackers"] as? [[String: Any]]
        XCTAssertEqual(trackers?.map { $0["url"] as? String }, ["http://127.0.0.1:1/announce"])
        XCTAssertEqual(try remote(url, ["pause", "tr.bin"], state: local).status, 0)
        XCTAssertEqual(try remote(url, ["remove", "tr.bin"], state: local).status, 0)
        XCTAssertEqual(try remote(url, ["status"], state: local).text, "")
        XCTAssertTrue(scratch.exists("src/tr.bin"), "removed without its data")
    }
}
