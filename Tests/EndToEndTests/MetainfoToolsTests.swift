import Foundation
import XCTest

/// `btx edit` and `btx verify FILE.torrent DIR`: the .torrent tools that
/// need no session, cross-checked with python3-libtorrent.
final class MetainfoToolsTests: XCTestCase {
    /// What python-libtorrent reads from a .torrent: hashes, the info
    /// section's bytes (hex), trackers, web seeds, comment, private flag.
    /// torrent_info shuffles each tier (BEP 12), so the trackers' order is
    /// the file's, read with libtorrent's bdecode, once they match as sets.
    private let reader = """
        import json, sys, libtorrent as lt
        ti = lt.torrent_info(sys.argv[1])
        h = ti.info_hashes()
        raw = lt.bdecode(open(sys.argv[1], "rb").read())
        tiers = raw.get(b"announce-list") or ([[raw[b"announce"]]] if raw.get(b"announce") else [])
        trackers = [[url.decode(), tier] for tier, urls in enumerate(tiers) for url in urls]
        assert sorted(trackers) == sorted([t.url, t.tier] for t in ti.trackers()), "torrent_info reads other trackers"
        print(json.dumps({"v1": str(h.v1) if h.has_v1() else None, "v2": str(h.v2) if h.has_v2() else None,
                          "info": ti.info_section().hex(), "private": ti.priv(), "comment": ti.comment(),
                          "trackers": trackers, "web_seeds": [w["url"] for w in ti.web_seeds()]}))
        """

    /// The pieces python-libtorrent's own check finds missing or bad in DIR.
    private let checker = """
        import json, sys, time, libtorrent as lt
        s = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                        "enable_upnp": False, "enable_natpmp": False})
        p = lt.add_torrent_params(); p.ti = lt.torrent_info(sys.argv[1]); p.save_path = sys.argv[2]
        p.flags = lt.torrent_flags.paused
        h = s.add_torrent(p)
        h.force_recheck(); h.resume()
        deadline = time.time() + 60
        while time.time() < deadline:
            st = h.status()
            if st.state not in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data): break
            time.sleep(0.02)
        print(json.dumps([i for i, have in enumerate(h.status().pieces) if not have]))
        """

    private func read(_ path: String) throws -> [String: Any] {
        let result = try python(reader, [path])
        guard result.status == 0 else { throw TestFailure("python could not read \(path): \(result.stderr)") }
        return try result.json()
    }

    private func album(_ scratch: Scratch) throws {
        try scratch.write("data/album/a.bin", randomData(3_000_000))
        try scratch.write("data/album/b.bin", randomData(200_000))
        try scratch.write("data/album/sub/c.bin", randomData(300_000))
        try scratch.write("data/album/d.txt", Data("notes\n".utf8))
    }

    // MARK: edit

    /// A file's v2 root is what libtorrent computes, the same in every
    /// torrent holding those bytes, from a .torrent and from a running
    /// session alike; a v1 torrent and an empty file have none.
    func testFilesShowEachFilesV2RootAsLibtorrentHasIt() throws {
        let scratch = try Scratch()
        let shared = randomData(100_000)
        try scratch.write("data/one/a.bin", shared)
        try scratch.write("data/one/b.bin", randomData(40_000))
        try scratch.write("data/one/empty.txt", Data())
        try scratch.write("data/two/renamed.bin", shared)
        try scratch.write("data/two/other.bin", randomData(70_000))
        let one = try makeTorrent(scratch.path + "/data/one", scratch.path + "/one.torrent", ["--hybrid"])
        let two = try makeTorrent(scratch.path + "/data/two", scratch.path + "/two.torrent", ["--v2"])
        let v1 = try makeTorrent(scratch.path + "/data/one", scratch.path + "/v1.torrent")
        func roots(_ result: ProcessResult) throws -> [String: String?] {
            XCTAssertEqual(result.status, 0, result.stderr)
            let files = try result.json()["files"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: files.map { ($0["path"] as! String, $0["root"] as? String) })
        }
        let listed = try roots(btx("files", one, "--json"))
        let libtorrent = try python("""
            import json, sys, libtorrent as lt
            fs = lt.torrent_info(sys.argv[1]).files()
            print(json.dumps({fs.file_path(i): str(fs.root(i)) for i in range(fs.num_files())
                              if not fs.file_flags(i) & fs.flag_pad_file and fs.file_size(i) > 0}))
            """, [one])
        XCTAssertEqual(libtorrent.status, 0, libtorrent.stderr)
        let expected = try JSONSerialization.jsonObject(with: Data(libtorrent.text.utf8)) as! [String: String]
        XCTAssertEqual(listed["one/a.bin"], expected["one/a.bin"])
        XCTAssertEqual(listed["one/b.bin"], expected["one/b.bin"])
        XCTAssertEqual(listed.count, 3)
        XCTAssertEqual(listed["one/empty.txt"], .some(nil), "an empty file has no root")
        XCTAssertEqual(try roots(btx("files", two, "--json"))["two/renamed.bin"], expected["one/a.bin"], "the same bytes, the same root")
        XCTAssertTrue(try roots(btx("files", v1, "--json")).values.allSatisfy { $0 == nil }, "a v1 torrent has no roots")

        // A running session's files show them too.
        let peer = try Peer(scratch, "peer")
        try startDaemon(peer, in: self)
        let added = try spawn(btxPath, ["add", "--detach", "-q", one, "-o", scratch.path + "/data"] + peer.common)
        XCTAssertEqual(added.status, 0, added.stderr)
        let live = try roots(spawn(btxPath, ["files", "--json", "--state-dir", peer.state, "one"]))
        XCTAssertEqual(live["one/a.bin"], expected["one/a.bin"])
        XCTAssertEqual(live["one/b.bin"], expected["one/b.bin"])
    }

    func testEditsOutsideInfoKeepTheHashAndLibtorrentReadsThem() throws {
        let scratch = try Scratch()
        try album(scratch)
        let file = try makeTorrent(scratch.path + "/data/album", scratch.path + "/album.torrent",
                                   ["--hybrid", "-t", "http://127.0.0.1:1/announce", "-w", "http://127.0.0.1:9/old/"])
        let before = try read(file)
        chmod(file, 0o600)

        var result = try btx("edit", file, "--add-tracker", "udp://127.0.0.1:2", "--add-tracker", "http://127.0.0.1:3/announce",
                             "--add-web-seed", "http://127.0.0.1:9/new/", "--remove-web-seed", "http://127.0.0.1:9/old/",
                             "--comment", "edited ✓", "--json")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "", "no warning: the info-hash did not change")
        let printed = try result.json()
        XCTAssertEqual(printed["info_hash_changed"] as? Bool, false)
        XCTAssertEqual(printed["info_hash_v1"] as? String, before["v1"] as? String)
        var after = try read(file)
        XCTAssertEqual(after["info"] as? String, before["info"] as? String, "the info dictionary's bytes are untouched")
        XCTAssertEqual(after["v2"] as? String, before["v2"] as? String)
        XCTAssertEqual(after["trackers"] as? [[AnyHashable]],
                       [["http://127.0.0.1:1/announce", 0], ["udp://127.0.0.1:2", 1], ["http://127.0.0.1:3/announce", 2]])
        XCTAssertEqual(after["web_seeds"] as? [String], ["http://127.0.0.1:9/new/"])
        XCTAssertEqual(after["comment"] as? String, "edited ✓")
        var st = stat()
        stat(file, &st)
        XCTAssertEqual(st.st_mode & 0o777, 0o600, "edited in place, the file keeps its permissions")

        // Replace, then remove, then add into an existing tier.
        result = try btx("edit", file, "--replace-trackers", "http://127.0.0.1:4/announce,http://127.0.0.1:5/announce",
                         "--replace-trackers", "udp://127.0.0.1:6", "--remove-tracker", "http://127.0.0.1:5/announce",
                         "--add-tracker", "udp://127.0.0.1:7", "--tier", "0", "--comment", "")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.text.contains("tier 0"), result.text)
        after = try read(file)
        XCTAssertEqual(after["trackers"] as? [[AnyHashable]],
                       [["http://127.0.0.1:4/announce", 0], ["udp://127.0.0.1:7", 0], ["udp://127.0.0.1:6", 1]])
        XCTAssertEqual(after["comment"] as? String, "")
        XCTAssertEqual(after["info"] as? String, before["info"] as? String)

        // To another file, and to stdout; an empty --replace-trackers drops them all.
        result = try btx("edit", file, "--replace-trackers", "", "-o", scratch.path + "/bare.torrent")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try read(scratch.path + "/bare.torrent")["trackers"] as? [[AnyHashable]], [])
        XCTAssertEqual(try read(file)["trackers"] as? [[AnyHashable]] != [], true, "the input is left alone")
        result = try btx("edit", file, "--comment", "piped", "-o", "-")
        XCTAssertEqual(result.status, 0, result.stderr)
        try result.stdout.write(to: URL(fileURLWithPath: scratch.path + "/piped.torrent"))
        XCTAssertEqual(try read(scratch.path + "/piped.torrent")["comment"] as? String, "piped")
    }

    func testNonCanonicalInputKeepsItsInfoBytes() throws {
        let scratch = try Scratch()
        let payload = Data("twelve bytes".utf8)
        try scratch.write("data/odd.bin", payload)
        let piece = try python("import hashlib,sys; sys.stdout.buffer.write(hashlib.sha1(open(sys.argv[1],'rb').read()).digest())",
                               [scratch.path + "/data/odd.bin"]).stdout
        // Keys out of order, an unknown key and a zero-padded length: legal to
        // read, but anything that re-encoded the dictionary would change the hash.
        let info = Data("d6:pieces20:".utf8) + piece + Data("4:name7:odd.bin12:piece lengthi16384e6:lengthi12e1:zi7ee".utf8)
        let torrent = Data("d8:announce27:http://127.0.0.1:1/announce4:info".utf8) + info + Data("7:comment3:olde".utf8)
        let file = try scratch.write("odd.torrent", torrent)
        let before = try read(file)
        XCTAssertEqual(before["info"] as? String, info.map { String(format: "%02x", $0) }.joined())

        let result = try btx("edit", file, "--comment", "new", "--add-tracker", "udp://127.0.0.1:2", "--json")
        XCTAssertEqual(result.status, 0, result.stderr)
        let edited = try scratch.contents("odd.torrent")
        XCTAssertNotNil(edited.range(of: info), "the info dictionary is there byte for byte")
        let after = try read(file)
        XCTAssertEqual(after["v1"] as? String, before["v1"] as? String)
        XCTAssertEqual(after["comment"] as? String, "new")
        XCTAssertEqual(after["trackers"] as? [[AnyHashable]], [["http://127.0.0.1:1/announce", 0], ["udp://127.0.0.1:2", 1]])
        XCTAssertEqual(try btx("verify", file, scratch.path + "/data").status, 0)
    }

    func testPrivateAndSourceMakeANewInfoHashWithAWarning() throws {
        let scratch = try Scratch()
        try album(scratch)
        for format in ["v1", "hybrid", "v2"] {
            let file = try makeTorrent(scratch.path + "/data/album", scratch.path + "/\(format).torrent", ["--\(format)"])
            let before = try read(file)
            let result = try btx("edit", file, "--private", "--source", "TRACKER-X", "--json")
            XCTAssertEqual(result.status, 0, result.stderr)
            let printed = try result.json()
            let after = try read(file)
            XCTAssertEqual(printed["info_hash_changed"] as? Bool, true, format)
            XCTAssertEqual(printed["previous_info_hash"] as? String, (before["v1"] as? String) ?? (before["v2"] as? String))
            XCTAssertEqual(after["private"] as? Bool, true, format)
            XCTAssertEqual(printed["info_hash_v1"] as? String, after["v1"] as? String, format)
            XCTAssertEqual(printed["info_hash_v2"] as? String, after["v2"] as? String, format)
            XCTAssertNotEqual(after["info"] as? String, before["info"] as? String, format)
            XCTAssertTrue(result.stderr.hasPrefix("btx: warning: the info-hash changed from "), result.stderr)
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            // Off again, source removed: back to the same info dictionary bytes.
            XCTAssertEqual(try btx("edit", file, "--no-private", "--source", "").status, 0)
            XCTAssertEqual(try read(file)["info"] as? String, before["info"] as? String, format)
            // Still the same files: the data verifies against the edited torrent.
            XCTAssertEqual(try btx("verify", file, scratch.path + "/data").status, 0, format)
            // A flag, as in create: -o after it is the output, not its value.
            let copy = scratch.path + "/\(format)-private.torrent"
            XCTAssertEqual(try btx("edit", file, "--private", "-o", copy).status, 0, format)
            XCTAssertEqual(try read(copy)["private"] as? Bool, true, format)
        }
    }

    func testBadEditInputIsOneLineAndChangesNothing() throws {
        let scratch = try Scratch()
        try album(scratch)
        let file = try makeTorrent(scratch.path + "/data/album", scratch.path + "/album.torrent", ["-t", "udp://127.0.0.1:1"])
        let original = try scratch.contents("album.torrent")
        try scratch.write("taken.torrent", Data("mine".utf8))
        let cases: [([String], Int32, String)] = [
            ([scratch.path + "/nothere.torrent", "--comment", "x"], 3, "No such file"),
            ([scratch.path + "/data/album/d.txt", "--comment", "x"], 1, "is not a valid torrent"),
            ([file, "--remove-tracker", "udp://127.0.0.1:99"], 3, "has no tracker udp://127.0.0.1:99"),
            ([file, "--remove-web-seed", "http://127.0.0.1:9/"], 3, "has no web seed"),
            ([file, "--add-tracker", "ftp://127.0.0.1/announce"], 2, "is not a tracker URL"),
            ([file, "--add-tracker", "http://a b/announce"], 2, "is not a tracker URL"),
            ([file, "--add-web-seed", "udp://127.0.0.1:1/"], 2, "is not a web seed URL"),
            ([file], 2, "nothing to change"),
            ([file, "--tier", "1"], 2, "--tier goes with --add-tracker"),
            ([file, "--add-tracker", "udp://127.0.0.1:2", "--tier", "-1"], 2, "is not a tier number"),
            ([file, "--private", "--no-private"], 2, "contradict"),
            ([file, "--comment", "x", "-o", scratch.path + "/taken.torrent"], 1, "already exists"),
            (["-", "--comment", "x"], 2, "needs -o OUT"),
            ([file, "--comment", "a", "--comment", "b"], 2, "given twice"),
            ([file, "--comment", "a", "-o", "-", "--json"], 2, "leave out --json"),
        ]
        for (arguments, status, words) in cases {
            let result = try spawn(btxPath, ["edit"] + arguments, stdin: original)
            XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            XCTAssertTrue(lines.first?.hasPrefix("btx: ") == true && lines.first?.contains(words) == true,
                          "\(arguments): \(result.stderr)")
            XCTAssertLessThanOrEqual(lines.count, 2, "a line, and for usage errors where to find help: \(result.stderr)")
            // Only --json puts something on stdout: the error object.
            XCTAssertEqual(result.text.isEmpty, !arguments.contains("--json"), "\(arguments): \(result.text)")
        }
        XCTAssertEqual(try scratch.contents("album.torrent"), original, "the torrent is unchanged")
        XCTAssertEqual(try scratch.contents("taken.torrent"), Data("mine".utf8))
        XCTAssertEqual(try scratch.listing(), ["album.torrent", "data", "taken.torrent"], "no file left behind")
        let json = try btx("edit", file, "--remove-tracker", "udp://127.0.0.1:99", "--json")
        XCTAssertEqual(((try json.json())["error"] as? [String: Any])?["code"] as? String, "not_found")
    }

    // MARK: verify FILE.torrent DIR

    func testVerifyFindsWhatLibtorrentFindsOnADamagedCopy() throws {
        let scratch = try Scratch()
        try album(scratch)
        for format in ["v1", "hybrid", "v2"] {
            let file = try makeTorrent(scratch.path + "/data/album", scratch.path + "/\(format).torrent",
                                       ["--\(format)", "--piece-size", "64K"])
            let copy = scratch.path + "/\(format)"
            XCTAssertEqual(try spawn("/bin/cp", ["-r", scratch.path + "/data", copy]).status, 0)
            let whole = try btx("verify", file, copy, "--json")
            XCTAssertEqual(whole.status, 0, whole.stderr)
            let complete = try whole.json()
            XCTAssertEqual(complete["complete"] as? Bool, true)
            XCTAssertEqual(complete["hash"] as? String, format == "v2" ? "sha256" : "sha1")
            let files = (complete["files"] as! [[String: Any]]).reduce(into: [String: [String: Any]]()) {
                $0[$1["path"] as! String] = $1
            }
            XCTAssertEqual(files["album/a.bin"]?["first_piece"] as? Int, 0, format)

            // One flipped byte in a.bin, b.bin gone, c.bin cut short.
            let flip = 1_234_567
            let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: copy + "/album/a.bin"))
            try handle.seek(toOffset: UInt64(flip))
            let byte = try XCTUnwrap(handle.readData(ofLength: 1).first)
            try handle.seek(toOffset: UInt64(flip))
            handle.write(Data([byte ^ 0xff]))
            try handle.close()
            try FileManager.default.removeItem(atPath: copy + "/album/b.bin")
            XCTAssertEqual(truncate(copy + "/album/sub/c.bin", 100_000), 0)

            let result = try btx("verify", file, copy, "--json")
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix("btx: album: "), result.stderr)
            let damaged = try result.json()
            let bad = damaged["bad_pieces"] as! [Int], missing = damaged["missing_pieces"] as! [Int]
            // a.bin starts the torrent's data, so its byte N is in piece N / 64K.
            XCTAssertEqual(bad, [flip / 65536], format)
            let bFirst = files["album/b.bin"]!["first_piece"] as! Int, bPieces = files["album/b.bin"]!["pieces"] as! Int
            XCTAssertTrue(Set(bFirst..<(bFirst + bPieces)).isSubset(of: Set(missing)), "\(format): \(missing)")
            let states = (damaged["files"] as! [[String: Any]]).reduce(into: [String: String]()) {
                $0[$1["path"] as! String] = $1["state"] as? String
            }
            XCTAssertEqual(states["album/a.bin"], "bad", format)
            XCTAssertEqual(states["album/b.bin"], "missing", format)
            XCTAssertEqual(states["album/sub/c.bin"], "incomplete", format)
            let expected = try python(checker, [file, copy])
            XCTAssertEqual(expected.status, 0, expected.stderr)
            let libtorrent = try JSONSerialization.jsonObject(with: expected.stdout) as! [Int]
            XCTAssertEqual((bad + missing).sorted(), libtorrent, "\(format): libtorrent's check agrees")
        }
    }

    func testVerifyTakesTheContentItselfAndChangesNothing() throws {
        let scratch = try Scratch()
        try album(scratch)
        let multi = try makeTorrent(scratch.path + "/data/album", scratch.path + "/album.torrent")
        let single = try makeTorrent(scratch.path + "/data/album/a.bin", scratch.path + "/a.torrent")
        for (file, directory) in [(multi, "data"), (multi, "data/album"), (multi, "data/album/"), (single, "data/album"),
                                  (single, "data/album/a.bin")] {
            let result = try btx("verify", file, directory, cwd: scratch.path)
            XCTAssertEqual(result.status, 0, "\(directory): \(result.stderr)")
            XCTAssertTrue(result.text.contains("pieces good, 0 bad, 0 missing"), result.text)
            // A relative DIR, an absolute save_path, as in every other document.
            let document = try btx("verify", file, directory, "--json", cwd: scratch.path).json()
            XCTAssertTrue((document["save_path"] as? String ?? "").hasPrefix(scratch.path + "/data"), "\(document)")
        }
        // A v2 torrent without its piece layers has nothing to check pieces against.
        _ = try makeTorrent(scratch.path + "/data/album", scratch.path + "/v2.torrent", ["--v2"])
        let stripped = try python("import libtorrent as lt, sys; d = lt.bdecode(open(sys.argv[1], 'rb').read()); "
                                  + "del d[b'piece layers']; open(sys.argv[2], 'wb').write(lt.bencode(d))",
                                  [scratch.path + "/v2.torrent", scratch.path + "/bare.torrent"])
        XCTAssertEqual(stripped.status, 0, stripped.stderr)
        let listing = try FileManager.default.subpathsOfDirectory(atPath: scratch.path + "/data").sorted()
        let cases: [([String], Int32, String)] = [
            ([scratch.path + "/nothere.torrent", "data"], 3, "No such file"),
            ([multi, "nowhere"], 3, "nowhere: No such file or directory"),
            (["data/album/d.txt", "data"], 1, "is not a valid torrent"),
            ([single, "data/album/b.bin"], 1, "is a file, not a directory"),
            ([multi, "data", "extra"], 2, "at most 2 arguments"),
            (["bare.torrent", "data"], 1, "bare.torrent: the torrent has no piece layer for album/"),
        ]
        for (arguments, status, words) in cases {
            let result = try spawn(btxPath, ["verify"] + arguments, cwd: scratch.path)
            XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("btx: ") && result.stderr.contains(words), "\(arguments): \(result.stderr)")
        }
        // A check of an empty folder writes nothing into it.
        try FileManager.default.createDirectory(atPath: scratch.path + "/empty", withIntermediateDirectories: true)
        let empty = try btx("verify", multi, "empty", "--json", cwd: scratch.path)
        XCTAssertEqual(empty.status, 1)
        XCTAssertEqual(try empty.json()["pieces_done"] as? Int, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/empty"), [])
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: scratch.path + "/data").sorted(), listing)
    }
}
