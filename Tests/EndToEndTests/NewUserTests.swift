import Foundation
import XCTest
import TestSupport

/// What a new user hit on a loopback swarm (sticky options, verify, names,
/// daemon stop, peer flags, resume stalls, saved counters): each test here
/// failed before its fix.
final class NewUserTests: XCTestCase {
    private func run(_ arguments: [String], state: String, cwd: String? = nil) throws -> ProcessResult {
        try spawn(btxPath, arguments + ["--state-dir", state], cwd: cwd)
    }

    private func torrents(_ peer: Peer) throws -> [[String: Any]] {
        try peer.status().json()["torrents"] as! [[String: Any]]
    }

    func testRunOptionsApplyToOneRunOnly() throws {
        let scratch = try Scratch()
        try scratch.write("src/big.bin", randomData(24 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/big.bin", scratch.path + "/big.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        let leecher = try Peer(scratch, "leecher")
        let arguments = [torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"]

        let capped = try leecher.start(arguments + ["--max-down", "1M", "--sequential"])
        try capped.waitForEvent("progress") { ($0["done"] as? Int ?? 0) > 0 }
        let live = try XCTUnwrap(try torrents(leecher).first?["settings"] as? [String: Any])
        XCTAssertEqual(live["max_down"] as? Int, 1 << 20)
        XCTAssertEqual(live["sequential"] as? Bool, true)
        capped.signal(SIGINT)
        XCTAssertEqual(try capped.wait(), 130)

        let saved = try XCTUnwrap(try torrents(leecher).first)
        XCTAssertLessThan(saved["progress"] as! Double, 0.5)
        let settings = try XCTUnwrap(saved["settings"] as? [String: Any])
        XCTAssertTrue(settings["max_down"] is NSNull, "a run's cap is not the torrent's: \(settings)")
        XCTAssertEqual(settings["sequential"] as? Bool, false)

        // Over 12 MiB are left: at the old cap that is over 12 s.
        let uncapped = try leecher.add(arguments)
        XCTAssertEqual(uncapped.status, 0, uncapped.stderr)
        let seconds = try XCTUnwrap(uncapped.events.first { $0.type == "finished" }?.data["seconds"] as? Double)
        XCTAssertLessThan(seconds, 6, "the second run was still capped")
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeder
    }

    func testVerifyTellsTheTruthPausedOrSavedAndFailsOnBadData() throws {
        let scratch = try Scratch()
        try scratch.write("src/data.bin", randomData(1 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/data.bin", scratch.path + "/data.torrent")
        let info = try spawn(btxPath, ["info", "--json", torrent]).json()
        let pieces = info["pieces"] as! Int, pieceLength = info["piece_length"] as! Int
        let peer = try Peer(scratch, "peer")
        XCTAssertEqual(try run(["daemon", "--listen", "127.0.0.1:0", "--no-dht"], state: peer.state).status, 0)
        defer { _ = try? run(["daemon", "--stop"], state: peer.state) }
        XCTAssertEqual(try run(["add", torrent, "-o", scratch.path + "/src"], state: peer.state).status, 0)
        XCTAssertEqual(try run(["pause", "data.bin"], state: peer.state).status, 0)

        let good = try run(["verify", "data.bin"], state: peer.state)
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertEqual(good.text, "data.bin: \(pieces) of \(pieces) pieces good, 0 bad, 0 missing\n")
        var now = try XCTUnwrap(try torrents(peer).first)
        XCTAssertEqual(now["paused"] as? Bool, true)
        XCTAssertEqual(now["progress"] as? Double, 1.0)

        // One flipped byte in piece 3.
        let file = scratch.path + "/src/data.bin"
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        let original = data[3 * pieceLength + 7]
        data[3 * pieceLength + 7] = ~original
        try data.write(to: URL(fileURLWithPath: file))
        let bad = try run(["verify", "--json", "data.bin"], state: peer.state)
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("bad or missing"), bad.stderr)
        let report = try bad.json()
        XCTAssertEqual(report["pieces_done"] as? Int, pieces - 1)
        XCTAssertEqual(report["bad_pieces"] as? [Int], [3], "its bytes are there: bad, not missing")
        XCTAssertEqual(report["missing_pieces"] as? [Int], [])
        XCTAssertEqual(report["complete"] as? Bool, false)
        now = try XCTUnwrap(try torrents(peer).first)
        XCTAssertEqual(now["paused"] as? Bool, true, "verify leaves a paused torrent paused")
        XCTAssertLessThan(now["progress"] as! Double, 1.0)

        // No session: the saved torrent is checked on its own and stays paused.
        XCTAssertEqual(try run(["daemon", "--stop"], state: peer.state).status, 0)
        data[3 * pieceLength + 7] = original
        try data.write(to: URL(fileURLWithPath: file))
        // The file cut short: its last pieces are missing, the same offline as live.
        try data.prefix(data.count - 2 * pieceLength).write(to: URL(fileURLWithPath: file))
        let short = try run(["verify", "--json", "data.bin"], state: peer.state)
        XCTAssertEqual(short.status, 1, short.stderr)
        XCTAssertEqual(try short.json()["missing_pieces"] as? [Int], [pieces - 2, pieces - 1])
        XCTAssertEqual(try short.json()["bad_pieces"] as? [Int], [])
        try data.write(to: URL(fileURLWithPath: file))
        let offline = try run(["verify", "data.bin"], state: peer.state)
        XCTAssertEqual(offline.status, 0, offline.stderr)
        XCTAssertEqual(offline.text, "data.bin: \(pieces) of \(pieces) pieces good, 0 bad, 0 missing\n")
        now = try XCTUnwrap(try torrents(peer).first)
        XCTAssertEqual(now["state"] as? String, "paused")
        XCTAssertEqual(now["progress"] as? Double, 1.0)
    }

    func testSavedNamesWinOverDataFilesAndShortNamesWork() throws {
        let scratch = try Scratch()
        try scratch.write("data/mixed/a.txt", Data("alpha".utf8))
        try scratch.write("data/mixed/b.txt", Data("beta".utf8))
        try scratch.write("data/big.bin", randomData(100_000))
        try scratch.write("data/notes.txt", Data("not a torrent".utf8))
        try FileManager.default.createDirectory(atPath: scratch.path + "/data/other", withIntermediateDirectories: true)
        let peer = try Peer(scratch, "peer")
        for name in ["mixed", "big.bin"] {
            let torrent = try makeTorrent(scratch.path + "/data/" + name, scratch.path + "/\(name).torrent")
            XCTAssertEqual(try peer.add([torrent, "-o", scratch.path + "/data", "--paused"]).status, 0)
        }
        let data = scratch.path + "/data"

        // In the download directory, a saved torrent's name wins over its own data.
        let files = try run(["files", "--json", "mixed"], state: peer.state, cwd: data)
        XCTAssertEqual(files.status, 0, files.stderr)
        XCTAssertEqual((try files.json()["files"] as? [[String: Any]])?.map { $0["index"] as! Int }, [0, 1])
        let info = try run(["info", "--json", "big.bin"], state: peer.state, cwd: data)
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertEqual(try info.json()["name"] as? String, "big.bin")

        // A unique start of a name, in any case.
        let prefixed = try run(["status", "--json", "MIX"], state: peer.state)
        XCTAssertEqual(prefixed.status, 0, prefixed.stderr)
        XCTAssertEqual((try prefixed.json()["torrents"] as? [[String: Any]])?.map { $0["name"] as! String }, ["mixed"])

        let hash = try info.json()["info_hash"] as! String
        let short = try run(["status", String(hash.prefix(5))], state: peer.state)
        XCTAssertEqual(short.status, 2)
        XCTAssertTrue(short.stderr.contains("at least 6 hex digits"), short.stderr)

        // Paths that name no torrent get the path's own error.
        let notes = try run(["info", "notes.txt"], state: peer.state, cwd: data)
        XCTAssertEqual(notes.status, 1)
        XCTAssertTrue(notes.stderr.contains("notes.txt is not a valid torrent"), notes.stderr)
        let folder = try run(["files", "other"], state: peer.state, cwd: data)
        XCTAssertEqual(folder.status, 1)
        XCTAssertTrue(folder.stderr.contains("other is a directory, not a .torrent file"), folder.stderr)
        let missing = try run(["info", "gone.torrent"], state: peer.state, cwd: data)
        XCTAssertEqual(missing.status, 3)
        XCTAssertTrue(missing.stderr.contains("No such file"), missing.stderr)
    }

    func testDaemonStopReturnsOnlyOnceTheDaemonIsGone() throws {
        let scratch = try Scratch()
        try scratch.write("src/data.bin", randomData(100_000))
        // A tracker that accepts and never answers: stopping waits for its
        // announce (up to stop_tracker_timeout) after the socket is closed.
        let trackerPort = freePort()
        let tracker = try RunningProcess("/usr/bin/python3", ["-c", """
            import socket, sys, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
            held = []
            while True: held.append(s.accept()[0])
            """, "\(trackerPort)"])
        try waitUntil("the silent tracker to listen") { canConnect(port: trackerPort) }
        let torrent = try makeTorrent(scratch.path + "/src/data.bin", scratch.path + "/data.torrent",
                                      ["-t", "http://127.0.0.1:\(trackerPort)/announce"])
        let peer = try Peer(scratch, "peer")
        let daemon = ["daemon", "--listen", "127.0.0.1:0", "--no-dht"]
        XCTAssertEqual(try run(daemon, state: peer.state).status, 0)
        XCTAssertEqual(try run(["add", "--detach", torrent, "-o", scratch.path + "/src"], state: peer.state).status, 0)
        for round in 0..<2 {
            let pid = try XCTUnwrap(Int32(String(decoding: try Data(contentsOf: URL(fileURLWithPath: peer.state + "/daemon.pid")),
                                                 as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            defer { kill(pid, SIGKILL) }
            let stopped = try run(["daemon", "--stop"], state: peer.state)
            XCTAssertEqual(stopped.status, 0, stopped.stderr)
            XCTAssertFalse(isAlive(pid), "round \(round): --stop returned while the daemon was still running")
            let again = try run(daemon, state: peer.state)
            XCTAssertEqual(again.status, 0, "round \(round): \(again.stderr)")
        }
        XCTAssertEqual(try run(["daemon", "--stop"], state: peer.state).status, 0)
        XCTAssertEqual(try run(["daemon", "--stop"], state: peer.state).status, 4)
        _ = tracker
    }

    func testPeerFlagsAgreeFromBothEnds() throws {
        let scratch = try Scratch()
        try scratch.write("src/flags.bin", randomData(16 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/flags.bin", scratch.path + "/flags.torrent")
        let seederPeer = try Peer(scratch, "seeder")
        let (seeder, port) = try seederPeer.seed([torrent], from: scratch.path + "/src")
        let leecher = try Peer(scratch, "leecher")
        let add = try leecher.start([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)", "--max-down", "2M"])
        try add.waitForEvent("progress") { ($0["download_rate"] as? Int ?? 0) > 0 }

        func flags(_ peer: Peer) throws -> String {
            let reply = try run(["peers", "--json", "flags.bin"], state: peer.state)
            XCTAssertEqual(reply.status, 0, reply.stderr)
            let peers = try reply.json()["peers"] as! [[String: Any]]
            XCTAssertEqual(peers.count, 1)
            return peers.first?["flags"] as? String ?? ""
        }
        // Letters by position: I we are interested, C they choke us,
        // i they are interested, c we choke them, S seed, E, U, R they dialled us.
        let seen = Array(try flags(leecher)), seeding = Array(try flags(seederPeer))
        XCTAssertEqual([seen[0], seen[1], seen[4], seen[7]], ["I", "-", "S", "-"], String(seen))
        XCTAssertEqual([seeding[0], seeding[2], seeding[3], seeding[4], seeding[7]], ["-", "i", "-", "-", "R"], String(seeding))
        add.signal(SIGINT)
        _ = try add.wait()
        _ = seeder
    }

    func testFinalSaveCountsEveryByteOfAnOnlyDownload() throws {
        let scratch = try Scratch()
        for (i, size) in [300_000, 2_000_000, 700_000, 1_500_000].enumerated() {
            try scratch.write("src/set/file\(i).bin", randomData(size))
        }
        let torrent = try makeTorrent(scratch.path + "/src/set", scratch.path + "/set.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        let leecher = try Peer(scratch, "leecher")
        let result = try leecher.add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)", "--only", "1,3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let finished = try XCTUnwrap(result.events.first { $0.type == "finished" }?.data)

        let saved = try XCTUnwrap(try torrents(leecher).first)
        XCTAssertEqual(saved["state"] as? String, "complete")
        XCTAssertEqual(saved["progress"] as? Double, 1.0)
        XCTAssertEqual(saved["wanted"] as? Int, finished["wanted"] as? Int, "one size, live and saved")
        XCTAssertEqual(saved["size"] as? Int, 4_500_000)
        XCTAssertGreaterThanOrEqual(saved["downloaded"] as! Int, saved["done"] as! Int, "\(saved)")
        XCTAssertGreaterThanOrEqual(finished["session_downloaded"] as! Int, saved["done"] as! Int)
        _ = seeder
    }

    func testResumeFindsThePeersAgainAtOnce() throws {
        let scratch = try Scratch()
        try scratch.write("src/stall.bin", randomData(16 << 20))
        let trackerPort = freePort()
        let announce = "http://127.0.0.1:\(trackerPort)/announce"
        let torrent = try makeTorrent(scratch.path + "/src/stall.bin", scratch.path + "/stall.torrent", ["-t", announce])
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String
        let trackerDirectory = scratch.path + "/tracker"
        try FileManager.default.createDirectory(atPath: trackerDirectory, withIntermediateDirectories: true)
        try Data("\(hash)\n".utf8).write(to: URL(fileURLWithPath: trackerDirectory + "/whitelist"))
        let tracker = try RunningProcess("/usr/bin/opentracker", ["-i", "127.0.0.1", "-p", "\(trackerPort)", "-P", "\(trackerPort)",
                                                                  "-d", trackerDirectory, "-w", "whitelist"])
        try waitUntil("opentracker to listen") { canConnect(port: trackerPort) }
        let (seeder, _) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        try seeder.waitForEvent("tracker_reply")

        // No --peer: the leecher knows the seeder from the tracker only.
        let leecher = try Peer(scratch, "leecher")
        let add = try leecher.start([torrent, "-o", scratch.path + "/dst", "--max-down", "1M"])
        try add.waitForEvent("progress") { ($0["download_rate"] as? Int ?? 0) > 0 }
        XCTAssertEqual(try run(["pause", "stall.bin"], state: leecher.state).status, 0)
        try waitUntil("the torrent to pause") { try self.torrents(leecher).first?["peers"] as? Int == 0 }
        XCTAssertEqual(try torrents(leecher).first?["download_rate"] as? Int, 0, "a paused torrent moves nothing")
        XCTAssertEqual(try run(["resume", "stall.bin"], state: leecher.state).status, 0)
        // libtorrent alone waits a minute before dialling a peer it dropped.
        try waitUntil("the seeder to be dialled again", timeout: 15) {
            let t = try self.torrents(leecher).first
            return t?["peers"] as? Int == 1 && (t?["download_rate"] as? Int ?? 0) > 0
        }
        add.signal(SIGINT)
        _ = try add.wait()
        _ = (seeder, tracker)
    }

    func testAddSpeaksOneEventVocabularyRunningOrFollowing() throws {
        let scratch = try Scratch()
        try scratch.write("src/one.bin", randomData(3 << 20))
        try scratch.write("src/two.bin", randomData(3 << 20))
        let one = try makeTorrent(scratch.path + "/src/one.bin", scratch.path + "/one.torrent")
        let two = try makeTorrent(scratch.path + "/src/two.bin", scratch.path + "/two.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([one, two], from: scratch.path + "/src")
        let leecher = try Peer(scratch, "leecher")
        let options = ["-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)", "--max-down", "2M"]

        func sequence(_ events: [(type: String, data: [String: Any])]) -> [String] {
            events.map(\.type).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        }
        let running = try leecher.add([one] + options)
        XCTAssertEqual(running.status, 0, running.stderr)
        XCTAssertEqual(sequence(running.events), ["added", "listening", "progress", "finished", "exit"])

        XCTAssertEqual(try run(["daemon", "--listen", "127.0.0.1:0", "--no-dht"], state: leecher.state).status, 0)
        defer { _ = try? run(["daemon", "--stop"], state: leecher.state) }
        let following = try spawn(btxPath, ["add", "--json", "--state-dir", leecher.state, two] + options)
        XCTAssertEqual(following.status, 0, following.stderr)
        XCTAssertEqual(sequence(following.events), ["added", "listening", "progress", "finished", "exit"])

        // Every event's data has the same keys either way; progress is a status document.
        let status = try XCTUnwrap(try torrents(leecher).first)
        for type in ["added", "progress", "finished", "exit"] {
            let ran = try XCTUnwrap(running.events.first { $0.type == type }?.data)
            let followed = try XCTUnwrap(following.events.first { $0.type == type }?.data)
            XCTAssertEqual(Set(ran.keys), Set(followed.keys), type)
        }
        let progress = try XCTUnwrap(running.events.first { $0.type == "progress" }?.data)
        XCTAssertEqual(Set(progress.keys), Set(status.keys))

        // Errors travel inside the stream, then its exit.
        let failed = try spawn(btxPath, ["add", "--json", "--state-dir", leecher.state, scratch.path + "/missing.torrent"])
        XCTAssertEqual(failed.status, 3)
        XCTAssertEqual(failed.events.map(\.type), ["error", "exit"], failed.text)
        XCTAssertEqual(failed.events.last?.data["code"] as? Int, 3)
        XCTAssertEqual(failed.text.split(separator: "\n").count, 2, failed.text)
        _ = seeder
    }

    func testMetadataReadsTheSameFromEveryCommand() throws {
        let scratch = try Scratch()
        for (name, size) in [("a.bin", 40_000), ("b.bin", 70_001), ("c.bin", 5)] {
            try scratch.write("src/set/" + name, randomData(size))
        }
        let trackers = (1...4).map { "http://127.0.0.1:\($0)/announce" }
        // A hybrid torrent pads every file to a piece; one tier of three trackers, then one of one.
        let torrent = try makeTorrent(scratch.path + "/src/set", scratch.path + "/set.torrent",
                                      ["--hybrid", "-t", trackers[0...2].joined(separator: ","), "-t", trackers[3],
                                       "-w", "http://127.0.0.1:5/seed/"])
        for _ in 0..<3 {
            let info = try spawn(btxPath, ["info", "--json", torrent]).json()
            XCTAssertEqual((info["trackers"] as? [[String: Any]])?.map { $0["url"] as! String }, trackers, "in the file's order")
            XCTAssertEqual((info["trackers"] as? [[String: Any]])?.map { $0["tier"] as! Int }, [0, 0, 0, 1])
            XCTAssertEqual(info["file_count"] as? Int, 3)
            XCTAssertEqual(info["size"] as? Int, 110_006)
        }
        let text = try spawn(btxPath, ["info", torrent]).text.split(separator: "\n")
        XCTAssertTrue(text.contains { $0.hasPrefix("tier 0 ") && $0.hasSuffix("  " + trackers[0...2].joined(separator: " ")) },
                      text.joined(separator: "\n"))
        let listed = try spawn(btxPath, ["files", "--json", torrent]).json()["files"] as! [[String: Any]]
        XCTAssertEqual(listed.map { $0["index"] as! Int }, [0, 1, 2], "padding files are no files")

        let peer = try Peer(scratch, "peer")
        let added = try peer.add([torrent, "-o", scratch.path + "/dst", "--paused", "--only", "0-1"])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/dst"), "--paused writes nothing")
        let files = try run(["files", "--json", "set"], state: peer.state).json()["files"] as! [[String: Any]]
        XCTAssertEqual(files.map { $0["priority"] as! String }, ["normal", "normal", "skip"])
        XCTAssertEqual(files.map { $0["done"] as! Int }, [0, 0, 0])
        let saved = try run(["info", "--json", "set"], state: peer.state).json()
        // The session shuffles each tier as BEP 12 asks; saved state keeps its order.
        XCTAssertEqual((saved["trackers"] as? [[String: Any]])?.map { "\($0["tier"] as! Int) \($0["url"] as! String)" }.sorted(),
                       ["0 " + trackers[0], "0 " + trackers[1], "0 " + trackers[2], "1 " + trackers[3]])
        let magnet = try XCTUnwrap(saved["magnet_uri"] as? String)
        XCTAssertTrue(magnet.contains("&tr=") && magnet.contains("&ws="), magnet)
        let status = try XCTUnwrap(try torrents(peer).first)
        XCTAssertEqual(status["size"] as? Int, 110_006)
        XCTAssertLessThan(status["wanted"] as! Int, 110_006)
    }

    func testWatchTakesItsSecondsEitherWayAndCtrlCExits130() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "peer")
        for form in [["--watch", "0.2"], ["-w0.2"]] {
            let watch = try RunningProcess(btxPath, ["status", "--json", "--state-dir", peer.state] + form)
            try watch.waitForLine("a second tick") { _ in watch.output.count >= 2 }
            watch.signal(SIGINT)
            XCTAssertEqual(try watch.wait(), 130, form.joined(separator: " "))
        }
    }
}
