import Foundation
import XCTest
import TestSupport

/// A daemon holding hundreds of torrents: requests find a torrent without
/// asking libtorrent for everyone's status, and the status of all of them,
/// whose documents the session keeps encoded between requests, shows every
/// change at once.
final class ScaleTests: XCTestCase {
    func testADaemonOfManyTorrentsFindsEachAndShowsEveryChangeAtOnce() throws {
        let scratch = try Scratch()
        let count = 300
        let torrents = try makeSmallTorrents(count, in: scratch.path)
        // And one hybrid torrent, to be named by its v2 hash.
        try scratch.write("data/hybrid.bin", randomData(40_000))
        let hybrid = try makeTorrent(scratch.path + "/data/hybrid.bin", scratch.path + "/hybrid.torrent", ["--hybrid"])
        let hybridInfo = try spawn(btxPath, ["info", "--json", hybrid]).json()
        let v1 = try XCTUnwrap(hybridInfo["info_hash_v1"] as? String), v2 = try XCTUnwrap(hybridInfo["info_hash_v2"] as? String)

        let peer = try Peer(scratch, "peer")
        try startDaemon(peer, in: self)
        let added = try spawn(btxPath, ["add", "--detach", "-q", "--state-dir", peer.state, "-o", scratch.path + "/data"]
                              + torrents + [hybrid])
        XCTAssertEqual(added.status, 0, added.stderr)

        func everyTorrent() throws -> [[String: Any]] {
            let status = try peer.status()
            XCTAssertEqual(status.status, 0, status.stderr)
            return try XCTUnwrap(try status.json()["torrents"] as? [[String: Any]])
        }
        func shown(_ hash: String) throws -> [String: Any] {
            try XCTUnwrap(try everyTorrent().first { $0["info_hash"] as? String == hash })
        }
        try waitUntil("every torrent checked and seeding") {
            let all = try everyTorrent()
            return all.count == count + 1 && all.allSatisfy { $0["state"] as? String == "seeding" }
        }
        // Unchanged torrents, unchanged documents, byte for byte.
        let first = try peer.status().stdout, second = try peer.status().stdout
        XCTAssertEqual(first, second, differences(first, second))

        // A whole v1 or v2 hash, a prefix and a unique name each find their one torrent.
        for query in [v1, v2, String(v1.prefix(7)), "hybrid.bin", "item-123.bin"] {
            let one = try peer.status(query)
            XCTAssertEqual(one.status, 0, "\(query): \(one.stderr)")
            let names = (try one.json()["torrents"] as? [[String: Any]])?.map { $0["name"] as? String }
            XCTAssertEqual(names, [query == "item-123.bin" ? "item-123.bin" : "hybrid.bin"], query)
        }
        let ambiguous = try peer.status("item-1")
        XCTAssertEqual(ambiguous.status, 2, "'item-1' starts 100 names")
        XCTAssertEqual(try peer.status(String(repeating: "0", count: 40)).status, 3)

        // Each change shows in the status of all at once, not at the next poll.
        XCTAssertEqual(try spawn(btxPath, ["pause", "hybrid.bin", "--state-dir", peer.state]).status, 0)
        XCTAssertEqual(try shown(v1)["state"] as? String, "paused")
        XCTAssertEqual(try spawn(btxPath, ["set", v2, "--max-down", "1M", "--state-dir", peer.state]).status, 0)
        XCTAssertEqual((try shown(v1)["settings"] as? [String: Any])?["max_down"] as? Int, 1 << 20)
        XCTAssertEqual(try spawn(btxPath, ["resume", String(v1.prefix(8)), "--state-dir", peer.state]).status, 0)
        XCTAssertEqual(try shown(v1)["paused"] as? Bool, false)
        XCTAssertEqual(try spawn(btxPath, ["remove", "item-000.bin", "--state-dir", peer.state]).status, 0)
        let left = try everyTorrent()
        XCTAssertEqual(left.count, count)
        XCTAssertFalse(left.contains { $0["name"] as? String == "item-000.bin" })
    }

    /// A daemon learns of uploads from libtorrent's state updates, not by
    /// polling every torrent: it still stops seeding at the ratio it was given.
    func testADaemonSeesItsUploadsAndStopsAtItsSeedRatio() throws {
        let scratch = try Scratch()
        try scratch.write("src/shared.bin", randomData(400_000))
        let torrent = try makeTorrent(scratch.path + "/src/shared.bin", scratch.path + "/shared.torrent")
        let seeder = try Peer(scratch, "seeder"), port = freePort()
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--state-dir", seeder.state, "--listen", "127.0.0.1:\(port)", "--no-dht"]).status, 0)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", seeder.state]) }
        let added = try spawn(btxPath, ["add", "--detach", "--seed-ratio", "0.5", "--state-dir", seeder.state, torrent,
                                        "-o", scratch.path + "/src"])
        XCTAssertEqual(added.status, 0, added.stderr)
        func seeded() throws -> [String: Any]? { (try seeder.status().json()["torrents"] as? [[String: Any]])?.first }
        try waitUntil("the daemon to seed") { try seeded()?["state"] as? String == "seeding" }

        let leecher = try Peer(scratch, "leecher")
        let download = try leecher.add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(download.status, 0, download.stderr)
        try waitUntil("the seeding goal to pause the torrent", timeout: 20) {
            let shown = try seeded()
            return shown?["paused"] as? Bool == true && shown?["goal_reached"] as? Bool == true
        }
        XCTAssertGreaterThanOrEqual(try seeded()?["uploaded"] as? Int ?? 0, 200_000)
    }

    /// A foreground add of many torrents that finish at once: the session
    /// handles their events a slice at a time, and the ones left over when
    /// it stops (the answers to its saves among them) are handled, not
    /// waited for: 7 runs in 20 of 100 such torrents waited 10 s at exit
    /// for saves already answered, then warned that they were not saved
    /// (this test failed 5 times in 8 that way). Every torrent's saved state is complete.
    func testAForegroundAddOfManyTorrentsSavesEachAndStopsAtOnce() throws {
        let scratch = try Scratch()
        let torrents = try makeSmallTorrents(200, in: scratch.path, bytes: 16 << 10)
        let (seeder, port) = try Peer(scratch, "seeder").seed(torrents, from: scratch.path + "/data")
        defer { withExtendedLifetime(seeder) {} }

        let leecher = try Peer(scratch, "leecher")
        let download = try leecher.add(torrents + ["-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(download.status, 0, download.stderr)
        XCTAssertEqual(download.events.filter { $0.type == "warning" }.map { $0.data["message"] as? String }, [])
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/data"))
        let saved = try leecher.savedTorrents()
        XCTAssertEqual(saved.count, 200)
        XCTAssertEqual(saved.filter { $0["state"] as? String != "complete" }.map { $0["name"] as? String }, [])
    }

    /// A daemon that stops writes again only the torrents that changed since
    /// their last save: a daemon of 2,000 idle torrents took 2.2 s to stop,
    /// an fsync each, and at 10,000 it would have run out of the 10 s it has.
    func testADaemonStoppingRewritesOnlyWhatChanged() throws {
        let scratch = try Scratch()
        let torrents = try makeSmallTorrents(40, in: scratch.path, bytes: 64 << 10)
        let seeder = try Peer(scratch, "seeder"), port = freePort()
        func startDaemon() throws {
            let started = try spawn(btxPath, ["daemon", "--state-dir", seeder.state, "--listen", "127.0.0.1:\(port)", "--no-dht"])
            XCTAssertEqual(started.status, 0, started.stderr)
        }
        func waitForSeeding() throws {
            try waitUntil("every torrent seeding") {
                let all = try seeder.savedTorrents()
                return all.count == torrents.count && all.allSatisfy { $0["state"] as? String == "seeding" }
            }
        }
        defer { _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", seeder.state]) }
        try startDaemon()
        let added = try spawn(btxPath, ["add", "--detach", "-q", "--state-dir", seeder.state, "-o", scratch.path + "/data"] + torrents)
        XCTAssertEqual(added.status, 0, added.stderr)
        try waitForSeeding()
        try stopDaemon(seeder)
        let resume = seeder.state + "/resume"
        // A rewrite is a new file renamed into place: a new inode, or (ext4
        // reuses freed ones) the same inode with a new modification time.
        func identities() throws -> [String: [Int]] {
            var found: [String: [Int]] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: resume) where name.hasSuffix(".resume") {
                var info = stat()
                XCTAssertEqual(stat(resume + "/" + name, &info), 0, name)
                found[name] = [Int(info.st_ino), info.st_mtim.tv_sec, info.st_mtim.tv_nsec]
            }
            return found
        }
        let before = try identities()
        XCTAssertEqual(before.count, torrents.count)

        // Restarted, one torrent uploads; the rest only sit there.
        try startDaemon()
        try waitForSeeding()
        let leecher = try Peer(scratch, "leecher")
        let download = try leecher.add([torrents[0], "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(download.status, 0, download.stderr)
        try stopDaemon(seeder)

        let after = try identities()
        let rewritten = before.keys.filter { before[$0] != after[$0] }
        let uploaded = try seeder.savedTorrents().first { $0["name"] as? String == "item-000.bin" }
        XCTAssertEqual(rewritten.count, 1, "rewritten: \(rewritten.sorted().prefix(3))…")
        XCTAssertGreaterThanOrEqual(uploaded?["uploaded"] as? Int ?? 0, 64 << 10)
    }


    /// 20,000 saved seeding torrents, written as libtorrent writes resume
    /// data (a btx add of that many would spend most of a minute on
    /// fsyncs): the daemon answers, loads them all, stops, and the next
    /// start trusts what the stop left. No resume file is written again in
    /// that second run, which a recheck or a lost piece would have caused.
    func testTwentyThousandTorrentsStartStopAndRestartWithNothingRechecked() throws {
        let scratch = try Scratch()
        let count = 20_000
        let peer = try Peer(scratch, "daemon")
        // The info dictionaries are written here: libtorrent's create_torrent
        // starts a disk thread pool per torrent (34 s for these 20,000). With
        // no time added or completed, libtorrent would set both at load and
        // btx would save every torrent again (most of a minute of fsyncs).
        let made = try python("""
            import hashlib, os, sys, time, libtorrent as lt
            count, data, resume = int(sys.argv[1]), sys.argv[2], sys.argv[3]
            os.makedirs(data); os.makedirs(resume, exist_ok=True)
            now = int(time.time())
            for i in range(count):
                name = "item-%05d.bin" % i
                payload = os.urandom(1024)
                with open(os.path.join(data, name), "wb") as f: f.write(payload)
                info = {"name": name, "length": len(payload), "piece length": 16384, "pieces": hashlib.sha1(payload).digest()}
                atp = lt.add_torrent_params(); atp.ti = lt.torrent_info({"info": info}); atp.save_path = data
                atp.have_pieces = [True]; atp.flags = lt.torrent_flags.update_subscribe
                atp.added_time = atp.completed_time = now
                with open(os.path.join(resume, str(atp.ti.info_hash()) + ".resume"), "wb") as f:
                    f.write(lt.write_resume_data_buf(atp))
            """, ["\(count)", scratch.path + "/data", peer.state + "/resume"])
        XCTAssertEqual(made.status, 0, made.stderr)

        func everySeeding() throws -> Bool {
            // Counted by python: spawn() holds every btx --json document to
            // its schema, 10 s for these 17 MB, and this one's is checked once, at the end.
            // A status of all waits for all to load, and a debug build on a
            // busy machine took 20-30 s for the first: past the client's 30 s.
            let counted = try python("""
                import json, subprocess, sys
                status = subprocess.run([sys.argv[1], "status", "--json", "--state-dir", sys.argv[2]], capture_output=True)
                torrents = json.loads(status.stdout)["torrents"] if status.returncode == 0 else []
                print(len(torrents), sum(t["state"] == "seeding" for t in torrents))
                """, [btxPath, peer.state])
            return counted.text == "\(count) \(count)\n"
        }
        try startDaemon(peer, in: self)
        try waitUntil("all loaded and seeding", timeout: 180, everySeeding)
        try stopDaemon(peer)
        func resumeTimes() throws -> [String: Date] {
            let folder = peer.state + "/resume"
            return try Dictionary(uniqueKeysWithValues: FileManager.default.contentsOfDirectory(atPath: folder).map {
                ($0, try FileManager.default.attributesOfItem(atPath: folder + "/" + $0)[.modificationDate] as? Date ?? .distantPast)
            })
        }
        let afterFirstRun = try resumeTimes()

        try startDaemon(peer, in: self)
        // One named by its hash is taken up ahead of the rest and answers while they load.
        let named = String(afterFirstRun.keys.filter { $0.hasSuffix(".resume") }.sorted().last!.dropLast(".resume".count))
        let one = try peer.status(named)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertEqual((try one.json()["torrents"] as? [[String: Any]])?.first?["info_hash"] as? String, named)
        let ping = try python("""
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'{"method":"ping"}\\n')
            print(s.makefile().readline())
            """, [peer.state + "/run/control.sock"])
        XCTAssertTrue(ping.text.contains("\"loading\""), "answered only once all were loaded: \(ping.text)")
        try waitUntil("all loaded and seeding again", timeout: 180, everySeeding)
        XCTAssertEqual(try peer.savedTorrents().count, count)
        try stopDaemon(peer)
        let rewritten = try resumeTimes().filter { afterFirstRun[$0.key] != $0.value }.keys.sorted()
        XCTAssertEqual(rewritten.count, 0, "written again: \(rewritten.prefix(5))")
    }
}

/// Where two status documents differ, torrent by torrent and key by key, for a failure message.
private func differences(_ a: Data, _ b: Data) -> String {
    func torrents(_ text: Data) -> [[String: Any]] {
        let document = try? JSONSerialization.jsonObject(with: text) as? [String: Any]
        return document?["torrents"] as? [[String: Any]] ?? []
    }
    return zip(torrents(a), torrents(b)).flatMap { left, right in
        left.keys.filter { left[$0] as? NSObject != right[$0] as? NSObject }
            .map { "\(left["name"] ?? "?") \($0): \(left[$0] ?? "nil") -> \(right[$0] ?? "nil")" }
    }.prefix(5).joined(separator: "; ")
}
