import Foundation
import XCTest
import TestSupport

/// Managing torrents after they are added, each command live (a daemon) and
/// on saved state (no session), against real peers and a real tracker.
final class ManageTests: XCTestCase {
    private func btxRun(_ peer: Peer, _ arguments: [String]) throws -> ProcessResult {
        try spawn(btxPath, arguments + ["--state-dir", peer.state])
    }

    private func btxJSON(_ peer: Peer, _ arguments: [String]) throws -> [String: Any] {
        let result = try btxRun(peer, arguments + ["--json"])
        guard result.status == 0 else { throw TestFailure("btx \(arguments): \(result.stderr)") }
        return try result.json()
    }


    func testTrackersListScrapeAddAndRemoveLiveAndSaved() throws {
        let scratch = try Scratch()
        try scratch.write("src/tracked.bin", randomData(1 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/tracked.bin", scratch.path + "/tracked.torrent")
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String
        let (tracker, announce) = try startTracker(scratch, hashes: [hash])
        let (seeder, _) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src", extra: ["-t", announce])
        try seeder.waitForEvent("tracker_reply")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait(); _ = tracker }

        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        XCTAssertEqual(try btxRun(leecher, ["add", torrent, "-o", scratch.path + "/dst", "--detach"]).status, 0)
        // The torrent has no tracker yet: one is added live, and the leecher finds the seeder through it.
        var listed = try btxJSON(leecher, ["trackers", "tracked.bin", "--add", announce])
        XCTAssertEqual((listed["trackers"] as? [[String: Any]])?.map { $0["url"] as? String }, [announce])
        try waitUntil("the download through the added tracker") {
            try torrentStatus(leecher, "tracked.bin")["progress"] as? Double == 1.0
        }
        listed = try btxJSON(leecher, ["trackers", "tracked.bin", "--scrape"])
        let entry = try XCTUnwrap((listed["trackers"] as? [[String: Any]])?.first)
        XCTAssertEqual(entry["state"] as? String, "working")
        XCTAssertEqual(entry["tier"] as? Int, 0)
        XCTAssertGreaterThanOrEqual(entry["seeds"] as? Int ?? 0, 1, "the scrape counts both seeds: \(entry)")
        XCTAssertNotNil(entry["last_announce"] as? Int)

        // A tracker that does not exist cannot be removed, and nothing changes.
        assertOneLineError(try btxRun(leecher, ["trackers", "tracked.bin", "--remove", "http://127.0.0.1:1/announce"]),
                           status: 3, "has no tracker http://127.0.0.1:1/announce")
        assertOneLineError(try btxRun(leecher, ["trackers", "tracked.bin", "--add", "not a url"]), status: 2, "is not a URL")
        let second = "http://127.0.0.1:\(freePort())/announce"
        listed = try btxJSON(leecher, ["trackers", "tracked.bin", "--add", second, "--add-web-seed", "http://127.0.0.1:1/files/"])
        XCTAssertEqual((listed["trackers"] as? [[String: Any]])?.map { $0["tier"] as? Int }, [0, 1])
        XCTAssertEqual(listed["web_seeds"] as? [String], ["http://127.0.0.1:1/files/"])

        // Saved state: the same command, no session, and what it changes is kept.
        try stopDaemon(leecher)
        listed = try btxJSON(leecher, ["trackers", "tracked.bin"])
        XCTAssertEqual((listed["trackers"] as? [[String: Any]])?.map { $0["url"] as? String }, [announce, second])
        XCTAssertEqual(try btxRun(leecher, ["trackers", "tracked.bin", "--remove", second,
                                            "--remove-web-seed", "http://127.0.0.1:1/files/"]).status, 0)
        listed = try btxJSON(leecher, ["trackers", "tracked.bin"])
        XCTAssertEqual((listed["trackers"] as? [[String: Any]])?.map { $0["url"] as? String }, [announce])
        XCTAssertEqual(listed["web_seeds"] as? [String], [])
        assertOneLineError(try btxRun(leecher, ["trackers", "tracked.bin", "--scrape"]), status: 4, "need a running session")
    }

    /// trackers --reannounce answers with the trackers' answers, not the
    /// table from before: here a tracker's refusal, in its own words.
    func testReannounceWaitsForTheTrackersAnswer() throws {
        let scratch = try Scratch()
        try scratch.write("src/refused.bin", randomData(30_000))
        let port = freePort()
        let announce = "http://127.0.0.1:\(port)/announce"
        let torrent = try makeTorrent(scratch.path + "/src/refused.bin", scratch.path + "/refused.torrent", ["-t", announce])
        let peer = try Peer(scratch, "peer")
        try startDaemon(peer, in: self)
        XCTAssertEqual(try btxRun(peer, ["add", torrent, "-o", scratch.path + "/src", "--detach"]).status, 0)
        // No tracker yet: the first announce fails to connect.
        try waitUntil("the first announce to fail") {
            (try btxJSON(peer, ["trackers", "refused.bin"])["trackers"] as? [[String: Any]])?.first?["state"] as? String == "error"
        }
        // Now one answers, and refuses the torrent: the reannounce shows that, not the old error.
        let (tracker, _) = try startTracker(scratch, hashes: [String(repeating: "0", count: 40)], port: port)
        defer { _ = tracker }
        let listed = try btxJSON(peer, ["trackers", "refused.bin", "--reannounce"])
        let entry = try XCTUnwrap((listed["trackers"] as? [[String: Any]])?.first)
        XCTAssertEqual(entry["state"] as? String, "error", "\(entry)")
        XCTAssertTrue((entry["message"] as? String ?? "").contains("not authorized"), "\(entry)")
        XCTAssertNotNil(entry["last_announce"] as? Int, "\(entry)")
    }

    /// An http tracker in tier 0 and a udp one on the same host in tier 1
    /// stay so once added (libtorrent would put udp first).
    func testTrackerTiersKeepTheTorrentsOrder() throws {
        let scratch = try Scratch()
        try scratch.write("src/tiers.bin", randomData(30_000))
        let http = "http://127.0.0.1:1/announce", udp = "udp://127.0.0.1:2"
        let torrent = try makeTorrent(scratch.path + "/src/tiers.bin", scratch.path + "/tiers.torrent", ["-t", http, "-t", udp])
        let peer = try Peer(scratch, "peer")
        try startDaemon(peer, in: self)
        XCTAssertEqual(try btxRun(peer, ["add", torrent, "-o", scratch.path + "/src", "--detach", "--paused"]).status, 0)
        let listed = try btxJSON(peer, ["trackers", "tiers.bin"])["trackers"] as? [[String: Any]]
        XCTAssertEqual(listed?.map { $0["url"] as? String }, [http, udp])
        XCTAssertEqual(listed?.map { $0["tier"] as? Int }, [0, 1])
        let magnet = try XCTUnwrap(btxJSON(peer, ["info", "tiers.bin"])["magnet_uri"] as? String)
        let trackers = magnet.components(separatedBy: "&tr=").dropFirst().map { $0.removingPercentEncoding ?? $0 }
        XCTAssertEqual(trackers, [http, udp])
    }

    func testMoveDuringTheDownloadAndAfterIt() throws {
        let scratch = try Scratch()
        try scratch.write("src/moving.bin", randomData(6 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/moving.bin", scratch.path + "/moving.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src", extra: ["--max-up", "2M"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        XCTAssertEqual(try btxRun(leecher, ["add", torrent, "-o", scratch.path + "/first", "--peer", "127.0.0.1:\(port)",
                                            "--detach"]).status, 0)
        try waitUntil("some of the download") { (try torrentStatus(leecher, "moving.bin")["done"] as? Int ?? 0) > 0 }

        let moved = try btxJSON(leecher, ["move", "moving.bin", scratch.path + "/second/deeper"])
        XCTAssertEqual(moved["save_path"] as? String, scratch.path + "/second/deeper")
        try waitUntil("the download to finish where it went", timeout: 60) {
            try torrentStatus(leecher, "moving.bin")["progress"] as? Double == 1.0
        }
        XCTAssertEqual(try digests(scratch.path + "/second/deeper"), try digests(scratch.path + "/src"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/first/moving.bin"))

        // No session: the saved torrent moves, and its saved place follows.
        try stopDaemon(leecher)
        let result = try btxRun(leecher, ["move", "moving.bin", scratch.path + "/third"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.text, "moving.bin: moved to \(scratch.path)/third\n")
        XCTAssertEqual(try digests(scratch.path + "/third"), try digests(scratch.path + "/src"))
        XCTAssertEqual(try torrentStatus(leecher, "moving.bin")["save_path"] as? String, scratch.path + "/third")

        // A place that cannot hold it: one line, and the data stays.
        assertOneLineError(try btxRun(leecher, ["move", "moving.bin", "/proc/version/inside"]), status: 1, "/proc/version")
        XCTAssertEqual(try digests(scratch.path + "/third"), try digests(scratch.path + "/src"))
        XCTAssertEqual(try torrentStatus(leecher, "moving.bin")["save_path"] as? String, scratch.path + "/third")
    }

    func testSetCapsTheRateAndIsKeptAcrossRestarts() throws {
        let scratch = try Scratch()
        try scratch.write("src/capped.bin", randomData(12 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/capped.bin", scratch.path + "/capped.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        // Capped before the first byte, so the measurement sees only the cap.
        XCTAssertEqual(try btxRun(leecher, ["add", torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)",
                                            "--paused"]).status, 0)
        let set = try btxJSON(leecher, ["set", "capped.bin", "--max-down", "1M", "--max-peers", "7", "--sequential", "on"])
        let settings = try XCTUnwrap(set["settings"] as? [String: Any])
        XCTAssertEqual(settings["max_down"] as? Int, 1 << 20)
        XCTAssertEqual(settings["max_peers"] as? Int, 7)
        XCTAssertEqual(settings["sequential"] as? Bool, true)
        XCTAssertEqual(try btxRun(leecher, ["resume", "capped.bin"]).status, 0)
        try waitUntil("the capped download to start") { (try torrentStatus(leecher, "capped.bin")["done"] as? Int ?? 0) > 0 }
        let first = try torrentStatus(leecher, "capped.bin")["downloaded"] as! Int
        let started = Date()
        usleep(4_000_000)
        let rate = Double(try torrentStatus(leecher, "capped.bin")["downloaded"] as! Int - first) / Date().timeIntervalSince(started)
        // Within 20% above; below, only a machine too busy to keep up falls short.
        XCTAssertLessThan(rate, Double(1 << 20) * 1.2, "a 1 MiB/s cap averaged \(Int(rate)) B/s")
        XCTAssertGreaterThan(rate, Double(1 << 20) * 0.5, "a 1 MiB/s cap averaged \(Int(rate)) B/s")

        // Lifted live; the other choices survive a restart of the daemon.
        XCTAssertEqual(try btxRun(leecher, ["set", "capped.bin", "--max-down", "0"]).status, 0)
        try waitUntil("the uncapped download to finish") { try torrentStatus(leecher, "capped.bin")["progress"] as? Double == 1.0 }
        try stopDaemon(leecher)
        XCTAssertEqual(try btxRun(leecher, ["set", "capped.bin", "--max-up", "300k"]).status, 0)
        try startDaemon(leecher, in: self)
        let kept = try XCTUnwrap(try torrentStatus(leecher, "capped.bin")["settings"] as? [String: Any])
        XCTAssertTrue(kept["max_down"] is NSNull)
        XCTAssertEqual(kept["max_up"] as? Int, 300 << 10)
        XCTAssertEqual(kept["max_peers"] as? Int, 7)
        XCTAssertEqual(kept["sequential"] as? Bool, true)
    }

    /// Labels from add and set, filtered on and shown as a column, kept
    /// across restarts and offline; a seeding goal set after adding stops
    /// the torrent once met, and the config's goal is an add's default.
    func testLabelsAndSeedingGoalsAfterAdding() throws {
        let scratch = try Scratch()
        try scratch.write("src/tv.bin", randomData(1 << 20))
        try scratch.write("src/film.bin", randomData(1 << 20))
        let tv = try makeTorrent(scratch.path + "/src/tv.bin", scratch.path + "/tv.torrent")
        let film = try makeTorrent(scratch.path + "/src/film.bin", scratch.path + "/film.torrent")
        let peer = try Peer(scratch, "labels")
        try peer.appendConfig("seed-time = 2h\n")
        try startDaemon(peer, in: self)
        // Seeding what is already there: complete at once.
        XCTAssertEqual(try btxRun(peer, ["add", tv, "-o", scratch.path + "/src", "--detach", "--label", "tv", "-L", "hd"]).status, 0)
        XCTAssertEqual(try btxRun(peer, ["add", film, "-o", scratch.path + "/src", "--detach"]).status, 0)
        try waitUntil("both seeding") {
            try peer.savedTorrents().allSatisfy { $0["state"] as? String == "seeding" } && peer.savedTorrents().count == 2
        }
        var shown = try btxJSON(peer, ["status", "--label", "tv"])["torrents"] as! [[String: Any]]
        XCTAssertEqual(shown.map { $0["name"] as? String }, ["tv.bin"])
        XCTAssertEqual(shown[0]["labels"] as? [String], ["tv", "hd"])
        XCTAssertEqual((shown[0]["settings"] as? [String: Any])?["seed_time"] as? Int, 7200, "the config's goal")
        let table = try btxRun(peer, ["status"]).text
        XCTAssertTrue(table.contains("\ttv,hd\t"), table)
        // On a terminal: a header, and at 50 columns (COLUMNS) the least needed columns go, not the names.
        let wide = try btxOnTerminal(["status", "--state-dir", peer.state]).text
        XCTAssertTrue(wide.hasPrefix("HASH") && wide.contains("LABELS") && wide.contains("tv,hd"), wide)
        let narrow = try btxOnTerminal(["status", "--state-dir", peer.state], columns: 50).text
        let header = narrow.split(separator: "\n").first.map { $0.split(separator: " ").map(String.init) } ?? []
        XCTAssertTrue(header.starts(with: ["NAME"]) || header.starts(with: ["HASH", "NAME"]), narrow)
        XCTAssertTrue(header.contains("STATE") && header.contains("DONE") && !header.contains("PEERS"), narrow)
        XCTAssertTrue(narrow.contains("film.bin") && narrow.contains("tv.bin"), narrow)
        XCTAssertTrue(narrow.split(separator: "\n").allSatisfy { $0.count < 50 }, narrow)
        assertOneLineError(try btxRun(peer, ["set", "tv.bin", "--label", "a,b"]), status: 2, "is not a label")

        // set: one label off, one on; with no option it shows the settings.
        XCTAssertEqual(try btxRun(peer, ["set", "tv.bin", "--unlabel", "hd", "--label", "kids"]).status, 0)
        let settings = try btxRun(peer, ["set", "tv.bin"])
        XCTAssertEqual(settings.status, 0, settings.stderr)
        XCTAssertTrue(settings.text.contains("tv, kids") && settings.text.contains("2h"), settings.text)

        // A goal met already (ratio 0) stops the torrent at once; none clears it.
        let goal = try btxJSON(peer, ["set", "film.bin", "--seed-ratio", "0", "--seed-time", "none"])
        XCTAssertEqual((goal["settings"] as? [String: Any])?["seed_ratio"] as? Double, 0)
        try waitUntil("stopped at its goal") {
            let film = try torrentStatus(peer, "film.bin")
            return film["paused"] as? Bool == true && film["goal_reached"] as? Bool == true
        }
        XCTAssertEqual(try btxRun(peer, ["set", "film.bin", "--seed-ratio", "none"]).status, 0)

        // Kept across a restart, and changed offline the same way.
        try stopDaemon(peer)
        XCTAssertEqual(try btxRun(peer, ["set", "film.bin", "--label", "old"]).status, 0)
        // With no session, set's document is the saved state's, as status's is.
        let offline = try btxJSON(peer, ["set", "film.bin"])
        XCTAssertEqual(offline["running"] as? Bool, false)
        XCTAssertTrue(offline["blocked_peers"] is NSNull && offline["goal_reached"] is NSNull, "\(offline)")
        XCTAssertEqual(offline["state"] as? String, "paused", "stopped at its goal, saved paused")
        try startDaemon(peer, in: self)
        shown = try btxJSON(peer, ["status"])["torrents"] as! [[String: Any]]
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: shown.map { ($0["name"] as! String, $0["labels"] as! [String]) }),
                       ["tv.bin": ["tv", "kids"], "film.bin": ["old"]])
        let filmSettings = try XCTUnwrap(shown.first { $0["name"] as? String == "film.bin" }?["settings"] as? [String: Any])
        XCTAssertTrue(filmSettings["seed_ratio"] is NSNull && filmSettings["seed_time"] is NSNull, "\(filmSettings)")

        // Another name to show it by: found by it, kept across a restart, its files as they were; "" undoes it.
        XCTAssertEqual(try btxRun(peer, ["set", "film.bin", "--name", "Film (2001)"]).status, 0)
        XCTAssertEqual(try torrentStatus(peer, "Film (2001)")["name"] as? String, "Film (2001)")
        // Found by name in one lookup: the old name is let go, and a name two hold is theirs until one lets it go.
        assertOneLineError(try btxRun(peer, ["status", "film.bin"]), status: 3, "no torrent matches")
        let tvHash = try XCTUnwrap(try torrentStatus(peer, "tv.bin")["info_hash"] as? String)
        XCTAssertEqual(try btxRun(peer, ["set", "tv.bin", "--name", "Film (2001)"]).status, 0)
        XCTAssertTrue(try btxRun(peer, ["status", "Film (2001)"]).stderr.contains("matches 2 torrents"))
        XCTAssertEqual(try btxRun(peer, ["set", tvHash, "--name", ""]).status, 0)
        XCTAssertEqual(try torrentStatus(peer, "Film (2001)")["name"] as? String, "Film (2001)")
        XCTAssertEqual(try torrentStatus(peer, "tv.bin")["info_hash"] as? String, tvHash)
        assertOneLineError(try btxRun(peer, ["set", "tv.bin", "--name", "two\nlines"]), status: 2, "one line")
        try stopDaemon(peer)
        XCTAssertTrue(try btxRun(peer, ["status"]).text.contains("Film (2001)"), "offline too")
        try startDaemon(peer, in: self)
        XCTAssertEqual(try torrentStatus(peer, "Film (2001)")["name"] as? String, "Film (2001)")
        XCTAssertTrue(scratch.exists("src/film.bin"))
        XCTAssertEqual(try btxRun(peer, ["set", "Film (2001)", "--name", ""]).status, 0)
        XCTAssertEqual(try torrentStatus(peer, "film.bin")["name"] as? String, "film.bin")
    }

    func testFilePrioritiesAfterAddingAndThePieceMapOfAHalfDoneTorrent() throws {
        let scratch = try Scratch()
        try scratch.write("src/pair/first.bin", randomData(1 << 20))
        try scratch.write("src/pair/second.bin", randomData(1 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/pair", scratch.path + "/pair.torrent", ["--piece-size", "65536"])
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src", extra: ["--max-up", "512k"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        // Saved state: the second file skipped before any byte moves.
        XCTAssertEqual(try leecher.add([torrent, "-o", scratch.path + "/dst", "--paused"]).status, 0)
        assertOneLineError(try btxRun(leecher, ["set", "pair", "--skip", "nothing-matches"]), status: 2, "matches no file")
        assertOneLineError(try btxRun(leecher, ["set", "pair", "--priority", "0=urgent"]), status: 2, "FILES=WORD")
        XCTAssertTrue(try btxRun(leecher, ["set", "pair"]).text.contains("sequential"), "no option: the settings")
        XCTAssertEqual(try btxRun(leecher, ["set", "pair", "--skip", "second.bin", "--priority", "0=high"]).status, 0)
        let files = try btxJSON(leecher, ["files", "pair"])["files"] as! [[String: Any]]
        XCTAssertEqual(files.map { $0["priority"] as? String }, ["high", "skip"])

        let add = try leecher.add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(add.status, 0, add.stderr)
        let map = try XCTUnwrap(try torrentStatus(leecher, "pair")["piece_map"] as? [String: Any])
        XCTAssertEqual(map["pieces"] as? Int, 32)
        XCTAssertEqual(map["bitfield"] as? String, "ffff0000")
        let text = try btxOnTerminal(["status", "pair", "--state-dir", leecher.state]).text
        XCTAssertTrue(text.contains("pieces ▕"), text)
        XCTAssertTrue(text.contains("█") && text.contains("░") && text.contains("16/32"), text)

        // Live: the skipped file wanted again, and availability comes along
        // while it downloads (the seeder has every piece).
        try startDaemon(leecher, in: self)
        XCTAssertEqual(try btxRun(leecher, ["add", torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)",
                                            "--detach"]).status, 0)
        XCTAssertEqual(try btxRun(leecher, ["set", "pair", "--want", "1"]).status, 0)
        var sawAvailability = false
        try waitUntil("the second file") {
            let live = try torrentStatus(leecher, "pair")
            let availability = (live["piece_map"] as? [String: Any])?["availability"] as? [Int] ?? []
            sawAvailability = sawAvailability || (availability.count == 32 && availability.allSatisfy { $0 >= 1 })
            return live["progress"] as? Double == 1.0 && live["wanted"] as? Int == 2 << 20
        }
        XCTAssertTrue(sawAvailability, "no piece map showed the seeder's pieces")
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
    }

    func testQueueRunsTwoOfFiveAndPauseAllStopsEveryOne() throws {
        let scratch = try Scratch()
        var torrents: [String] = []
        for index in 0..<5 {
            try scratch.write("src/q\(index).bin", randomData(2 << 20))
            torrents.append(try makeTorrent(scratch.path + "/src/q\(index).bin", scratch.path + "/q\(index).torrent"))
        }
        let (seeder, port) = try Peer(scratch, "seeder").seed(torrents, from: scratch.path + "/src", extra: ["--max-up", "64k"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, ["--max-active-downloads", "2"], in: self)
        XCTAssertEqual(try btxRun(leecher, ["add"] + torrents + ["-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)",
                                                                "--detach"]).status, 0)
        func states() throws -> [String: String] {
            let torrents = try btxJSON(leecher, ["status"])["torrents"] as! [[String: Any]]
            return Dictionary(uniqueKeysWithValues: torrents.map { ($0["name"] as! String, $0["state"] as! String) })
        }
        func count(_ state: String, _ all: [String: String]) -> Int { all.values.filter { $0 == state }.count }
        try waitUntil("two running, three queued") {
            let all = try states()
            return count("downloading", all) == 2 && count("queued", all) == 3
        }
        let positions = try (btxJSON(leecher, ["status"])["torrents"] as! [[String: Any]]).compactMap { $0["queue_position"] as? Int }
        XCTAssertEqual(positions.sorted(), [0, 1, 2, 3, 4])
        // With torrents waiting, the table shows where each is in line.
        let shown = try btxOnTerminal(["status", "--state-dir", leecher.state]).text
        XCTAssertTrue(shown.split(separator: "\n").first?.split(separator: " ").contains("POS") == true, shown)

        let queued = try states().first { $0.value == "queued" }!.key
        let moved = try btxJSON(leecher, ["queue", queued, "top"])
        XCTAssertEqual(moved["queue_position"] as? Int, 0)
        // With no arguments, queue lists the queue in order.
        let listed = try btxJSON(leecher, ["queue"])["torrents"] as! [[String: Any]]
        XCTAssertEqual(listed.map { $0["queue_position"] as? Int }, [0, 1, 2, 3, 4])
        XCTAssertEqual(listed.first?["name"] as? String, queued)
        let table = try btxRun(leecher, ["queue"]).text
        XCTAssertTrue(table.hasPrefix("0\t") && table.contains("\t" + queued + "\n"), table)
        try waitUntil("the torrent moved to the top to run") { try states()[queued] == "downloading" }
        XCTAssertEqual(count("downloading", try states()), 2)

        // A paused torrent leaves the queue and another takes its place.
        XCTAssertEqual(try btxRun(leecher, ["pause", queued]).status, 0)
        try waitUntil("another to take its place") {
            let all = try states()
            return all[queued] == "paused" && count("downloading", all) == 2 && count("queued", all) == 2
        }
        XCTAssertEqual(try btxRun(leecher, ["pause", "--all"]).status, 0)
        try waitUntil("every torrent paused") { count("paused", try states()) == 5 }
        XCTAssertEqual(try btxRun(leecher, ["resume", "--all"]).status, 0)
        try waitUntil("two running again") {
            let all = try states()
            return count("downloading", all) == 2 && count("queued", all) == 3
        }
        assertOneLineError(try btxRun(leecher, ["queue", queued, "sideways"]), status: 2, "is not up, down, top or bottom")
    }

    func testQueueNeedsAQueueingSession() throws {
        let scratch = try Scratch()
        try scratch.write("src/alone.bin", randomData(64 << 10))
        let torrent = try makeTorrent(scratch.path + "/src/alone.bin", scratch.path + "/alone.torrent")
        let peer = try Peer(scratch, "peer")
        XCTAssertEqual(try peer.add([torrent, "-o", scratch.path + "/dst", "--paused"]).status, 0)
        assertOneLineError(try btxRun(peer, ["queue", "alone.bin", "up"]), status: 4, "no btx session is running")
        assertOneLineError(try btxRun(peer, ["daemon", "--max-active-downloads", "many"]), status: 2, "is not a count")
        try startDaemon(peer, in: self)
        assertOneLineError(try btxRun(peer, ["queue", "alone.bin", "up"]), status: 1, "keeps no queue")
    }
}
