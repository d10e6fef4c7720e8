import Foundation
import XCTest

/// `btx create` checked by independent readers: Debian's python3-libtorrent
/// (which also re-hashes every piece from disk) and transmission-show.
final class CreateTests: XCTestCase {
    /// Prints what python-libtorrent reads from a .torrent, and whether
    /// every piece's hash matches the data on disk.
    private let reader = """
        import json, sys, libtorrent as lt
        ti = lt.torrent_info(sys.argv[1])
        fs = ti.files()
        files = [(fs.file_path(i), fs.file_size(i)) for i in range(fs.num_files())
                 if not fs.file_flags(i) & lt.file_storage.flag_pad_file]
        v1 = str(ti.info_hashes().v1) if ti.info_hashes().has_v1() else None
        v2 = str(ti.info_hashes().v2) if ti.info_hashes().has_v2() else None
        # Recheck against the files with a real session (loopback only, no DHT/LSD/UPnP).
        s = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                        "enable_upnp": False, "enable_natpmp": False})
        p = lt.add_torrent_params(); p.ti = ti; p.save_path = sys.argv[2]
        h = s.add_torrent(p)
        # Seeding means every piece on disk matched its hash; give up after 30 s.
        import time
        deadline = time.time() + 30
        while h.status().state != lt.torrent_status.seeding and time.time() < deadline:
            time.sleep(0.02)
        print(json.dumps({"v1": v1, "v2": v2, "name": ti.name(), "pieces": ti.num_pieces(),
                          "piece_length": ti.piece_length(), "files": files, "verified": h.status().num_pieces,
                          "private": ti.priv(), "comment": ti.comment(), "creator": ti.creator(),
                          "trackers": [(t.url, t.tier) for t in ti.trackers()],
                          "web_seeds": [w["url"] for w in ti.web_seeds()]}))
        """

    private func makeTree(in scratch: Scratch) throws {
        try scratch.write("tree/big.bin", randomData(1_500_000))
        try scratch.write("tree/small.txt", Data("hello\n".utf8))
        try scratch.write("tree/sub dir/ünïcødé ☃.dat", randomData(70_001))
        try scratch.write("tree/empty.txt", Data())
        try FileManager.default.createDirectory(atPath: scratch.path + "/tree/empty-dir", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path + "/tree/link.bin", withDestinationPath: "big.bin")
    }

    private func roundTrip(format: String) throws {
        let scratch = try Scratch()
        try makeTree(in: scratch)
        let result = try btx("create", "tree", "--\(format)", "-o", "out.torrent", "--json", "--no-date",
                             "-t", "http://127.0.0.1:1/announce,http://127.0.0.1:2/announce", "-t", "udp://127.0.0.1:3",
                             "-w", "http://127.0.0.1:4/files/", "--private", "--comment", "round trip",
                             "--source", "BTX", cwd: scratch.path)
        XCTAssertEqual(result.status, 0, result.stderr)
        let created = try result.json()
        let read = try python(reader, [scratch.path + "/out.torrent", scratch.path]).json()

        XCTAssertEqual(read["v1"] as? String, created["info_hash_v1"] as? String)
        XCTAssertEqual(read["v2"] as? String, created["info_hash_v2"] as? String)
        XCTAssertEqual(format == "v2", created["info_hash_v1"] is NSNull)
        XCTAssertEqual(format == "v1", created["info_hash_v2"] is NSNull)
        XCTAssertEqual(read["pieces"] as? Int, created["pieces"] as? Int)
        XCTAssertEqual(read["verified"] as? Int, created["pieces"] as? Int, "every piece hash matches the data")
        XCTAssertEqual(read["name"] as? String, "tree")
        let files = (read["files"] as? [[Any]])?.map { "\($0[0]):\($0[1])" }.sorted()
        XCTAssertEqual(files, ["tree/big.bin:1500000", "tree/empty.txt:0", "tree/link.bin:1500000",
                               "tree/small.txt:6", "tree/sub dir/ünïcødé ☃.dat:70001"])
        XCTAssertEqual(read["private"] as? Bool, true)
        XCTAssertEqual(read["comment"] as? String, "round trip")
        // libtorrent shuffles trackers within a tier (BEP 12), so compare sorted.
        XCTAssertEqual((read["trackers"] as? [[Any]])?.map { "\($0[1]) \($0[0])" }.sorted(),
                       ["0 http://127.0.0.1:1/announce", "0 http://127.0.0.1:2/announce", "1 udp://127.0.0.1:3"])
        XCTAssertEqual(read["web_seeds"] as? [String], ["http://127.0.0.1:4/files/"])
        XCTAssertTrue((created["magnet_uri"] as? String ?? "").hasPrefix("magnet:?xt=urn:bt"))

        // transmission 3.00 reads no v2 metadata, and rejects hybrid torrents
        // made by libtorrent 2.0.8 itself (python binding included), so it
        // only checks v1 torrents.
        if format == "v1" {
            let show = try spawn("/usr/bin/transmission-show", [scratch.path + "/out.torrent"])
            XCTAssertEqual(show.status, 0, show.stderr)
            XCTAssertTrue(show.text.contains("Hash: \(created["info_hash_v1"] as? String ?? "?")"), show.text)
        }
    }

    func testV1RoundTripThroughLibtorrentAndTransmission() throws { try roundTrip(format: "v1") }
    func testV2RoundTripThroughLibtorrent() throws { try roundTrip(format: "v2") }
    func testHybridRoundTripThroughLibtorrent() throws { try roundTrip(format: "hybrid") }

    func testSingleFileWithDefaultsAndInfoAndFiles() throws {
        let scratch = try Scratch()
        try scratch.write("movie.mkv", randomData(300_000))
        let created = try btx("create", "movie.mkv", cwd: scratch.path)
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertTrue(scratch.exists("movie.mkv.torrent"))
        XCTAssertTrue(created.text.contains("magnet:?xt=urn:btih:"))
        XCTAssertTrue(created.stderr.isEmpty, "no progress on a pipe: \(created.stderr)")

        let info = try btx("info", "movie.mkv.torrent", "--json", cwd: scratch.path).json()
        XCTAssertEqual(info["name"] as? String, "movie.mkv")
        XCTAssertEqual(info["size"] as? Int, 300_000)
        XCTAssertEqual(info["piece_length"] as? Int, 16384)
        XCTAssertEqual(info["pieces"] as? Int, 19)
        XCTAssertEqual(info["created_by"] as? String, "btx 0.1.0")
        XCTAssertNotNil(info["creation_date"] as? Int)

        let files = try btx("files", "movie.mkv.torrent", "--json", cwd: scratch.path).json()
        let list = files["files"] as? [[String: Any]]
        XCTAssertEqual(list?.count, 1)
        XCTAssertEqual(list?.first?["path"] as? String, "movie.mkv")

        let table = try btx("files", "-", stdin: try scratch.contents("movie.mkv.torrent"))
        XCTAssertEqual(table.status, 0)
        // Off a terminal: tab-separated index, bytes, path.
        XCTAssertEqual(table.text.split(separator: "\n").first?.split(separator: "\t").count, 3, table.text)
        XCTAssertTrue(table.text.hasPrefix("0\t") && table.text.hasSuffix("\tmovie.mkv\n"), table.text)
    }

    func testExistingOutputIsKeptUnlessForced() throws {
        let scratch = try Scratch()
        try scratch.write("a.bin", randomData(20_000))
        try scratch.write("a.bin.torrent", Data("precious".utf8))
        let refused = try btx("create", "a.bin", cwd: scratch.path)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("btx: a.bin.torrent already exists"), refused.stderr)
        XCTAssertEqual(try scratch.contents("a.bin.torrent"), Data("precious".utf8))
        XCTAssertEqual(try btx("create", "a.bin", "--force", cwd: scratch.path).status, 0)
        XCTAssertNotEqual(try scratch.contents("a.bin.torrent"), Data("precious".utf8))
    }

    func testNoDateMakesReproducibleTorrentsAndStdoutOutputMatches() throws {
        let scratch = try Scratch()
        try scratch.write("d/x", randomData(100_000))
        XCTAssertEqual(try btx("create", "d", "--no-date", "-o", "one.torrent", cwd: scratch.path).status, 0)
        XCTAssertEqual(try btx("create", "d", "--no-date", "-o", "two.torrent", "--threads", "1", cwd: scratch.path).status, 0)
        let piped = try btx("create", "d", "--no-date", "-o", "-", cwd: scratch.path)
        XCTAssertEqual(piped.status, 0)
        XCTAssertEqual(try scratch.contents("one.torrent"), try scratch.contents("two.torrent"))
        XCTAssertEqual(piped.stdout, try scratch.contents("one.torrent"))
    }

    func testExcludeAndPieceSize() throws {
        let scratch = try Scratch()
        try scratch.write("d/keep.bin", randomData(200_000))
        try scratch.write("d/skip.log", randomData(10))
        let result = try btx("create", "d", "--exclude", "*.log", "--piece-size", "64K", "--json", cwd: scratch.path).json()
        XCTAssertEqual(result["file_count"] as? Int, 1)
        XCTAssertEqual(result["piece_length"] as? Int, 65536)
    }
}
