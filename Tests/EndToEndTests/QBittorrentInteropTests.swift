import Foundation
import TestSupport
import XCTest

/// btx and qbittorrent-nox 4.5.2 (libtorrent 2.0.8 too), both ways: hybrid
/// torrents through a tracker that refuses one of their two hashes and
/// hands out stale peers, and uTP-only peers.
final class QBittorrentInteropTests: XCTestCase {
    /// A hybrid torrent of `data` named `name` announcing to `tracker`, and its two hashes.
    private func hybrid(_ scratch: Scratch, _ name: String, _ data: Data, tracker: String) throws -> (String, v1: String, v2: String) {
        try scratch.write("src/" + name, data)
        let torrent = try makeTorrent(scratch.path + "/src/" + name, scratch.path + "/\(name).torrent", ["--hybrid", "-t", tracker])
        let info = try spawn(btxPath, ["info", "--json", torrent]).json()
        return (torrent, info["info_hash_v1"] as! String, info["info_hash_v2"] as! String)
    }

    /// Announces peers on closed ports for each hash, as runs long gone left them.
    private func announceStalePeers(_ announce: String, hashes: [String]) throws {
        for hash in hashes {
            let encoded = stride(from: 0, to: 40, by: 2).map { i -> String in
                "%" + hash[hash.index(hash.startIndex, offsetBy: i)..<hash.index(hash.startIndex, offsetBy: i + 2)]
            }.joined()
            for port in 40_001...40_004 {
                _ = try spawn("/usr/bin/curl", ["-s", "--max-time", "5", announce + "?info_hash=\(encoded)&peer_id=-XX0001-\(port)stale1"
                                                + "&port=\(port)&uploaded=0&downloaded=0&left=0&compact=1&event=started"])
            }
        }
    }

    /// For each of the two hashes refused in turn: qBittorrent seeds, the
    /// tracker knows stale peers and btx itself, and btx downloads; then
    /// btx, listening on every interface, seeds to qBittorrent.
    func testHybridTransfersThroughATrackerThatRefusesOneHash() throws {
        for refused in ["v2", "v1"] {
            let scratch = try Scratch()
            let trackerPort = freePort()
            let announce = "http://127.0.0.1:\(trackerPort)/announce"
            let data = randomData(6 << 20)
            let (torrent, v1, v2) = try hybrid(scratch, "hybrid.bin", data, tracker: announce)
            let served = refused == "v2" ? v1 : String(v2.prefix(40))
            let (tracker, _) = try startTracker(scratch, hashes: [served], port: trackerPort)
            defer { tracker.signal(SIGKILL); _ = try? tracker.wait() }
            try announceStalePeers(announce, hashes: [v1, String(v2.prefix(40))])

            let qbt = try QBittorrent(scratch, transport: "TCP", in: self)
            try scratch.write("qbt/save/hybrid.bin", data)
            try qbt.add(torrent)
            try qbt.waitUntilSeeding()

            let leecher = try Peer(scratch, "leecher")
            let started = Date()
            let result = try leecher.add([torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(qbt.port)"], timeout: 60)
            XCTAssertEqual(result.status, 0, "\(refused) refused: \(result.stderr)")
            XCTAssertEqual(try scratch.contents("dl/hybrid.bin"), data, refused)
            print("hybrid from qBittorrent, tracker refusing \(refused): " + String(format: "%.2f s", Date().timeIntervalSince(started)))
            // The refusal names the hash it is about: the other announce works.
            let warnings = result.events.filter { $0.type == "warning" }.compactMap { $0.data["message"] as? String }
            XCTAssertTrue(warnings.contains { $0.contains("(\(refused) announce)") }, "\(warnings)")

            // btx seeding from every interface (one connection per address would
            // let the tracker's echo of btx's own address ban all of 127.0.0.1).
            let downloader = try QBittorrent(scratch, "qbt-leech", transport: "TCP", in: self)
            let seedPort = freePort()
            let seeder = try RunningProcess(btxPath, ["add", "--json", "--state-dir", leecher.state, "--listen", String(seedPort),
                                                      "--no-dht", torrent, "-o", scratch.path + "/dl", "--seed"])
            defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
            _ = try seeder.waitForEvent("finished")
            try downloader.add(torrent)
            try downloader.addPeer(String(v2.prefix(40)), "127.0.0.1:\(seedPort)")
            try waitUntil("qBittorrent downloads from btx (\(refused) refused)", timeout: 60) {
                try downloader.torrent()?["progress"] as? Double == 1
            }
            XCTAssertEqual(try scratch.contents("qbt-leech/save/hybrid.bin"), data, refused)
        }
    }

    /// qBittorrent set to uTP only: btx with uTP on downloads from it and seeds to it.
    func testUTPOnlyQBittorrentBothWays() throws {
        let scratch = try Scratch()
        let data = randomData(8 << 20)
        try scratch.write("src/utp.bin", data)
        let torrent = try makeTorrent(scratch.path + "/src/utp.bin", scratch.path + "/utp.torrent")
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String

        let seedingQBT = try QBittorrent(scratch, "qbt-seed", transport: "UTP", in: self)
        try scratch.write("qbt-seed/save/utp.bin", data)
        try seedingQBT.add(torrent)
        try seedingQBT.waitUntilSeeding()
        let leecher = try Peer(scratch, "leecher")
        try leecher.appendConfig("utp = on\n")
        let started = Date()
        let result = try leecher.add([torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(seedingQBT.port)"], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try scratch.contents("dl/utp.bin"), data)
        print("uTP-only qBittorrent to btx: " + String(format: "%.2f s", Date().timeIntervalSince(started)))

        let leechingQBT = try QBittorrent(scratch, "qbt-leech", transport: "UTP", in: self)
        let (seeder, port) = try leecher.seed([torrent], from: scratch.path + "/dl")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        try leechingQBT.add(torrent)
        try leechingQBT.addPeer(hash, "127.0.0.1:\(port)")
        try waitUntil("uTP-only qBittorrent downloads from btx", timeout: 60) { try leechingQBT.torrent()?["progress"] as? Double == 1 }
        XCTAssertEqual(try scratch.contents("qbt-leech/save/utp.bin"), data)
    }
}
