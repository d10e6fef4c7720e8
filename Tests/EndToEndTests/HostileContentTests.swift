import Foundation
import XCTest

/// Torrents made to write outside the download directory ("..", absolute
/// paths, NUL, "/" in a name, names over 255 bytes, reserved names, symlink
/// entries) and download directories that already hold a symlink leading
/// out: nothing is ever written outside `-o`, and `files`/`info` show the
/// paths that are written.
final class HostileContentTests: XCTestCase {
    /// A v1 torrent written by hand (btx create would never make these):
    /// each file is its path components, however hostile, and its content;
    /// a symlink entry (BEP 47) has a target instead.
    private struct Entry {
        let path: [String]
        var content = ""
        var symlink: [String]?
    }

    private func craftTorrent(_ path: String, name: String, files: [Entry]?, single: String? = nil) throws {
        let spec: [String: Any] = [
            "name": name,
            "single": single ?? NSNull(),
            "files": (files ?? []).map { ["path": $0.path, "data": $0.content, "symlink": $0.symlink ?? NSNull()] as [String: Any] },
        ]
        let script = """
            import hashlib, json, sys
            """ + pythonBencode + """
            spec = json.loads(sys.argv[2])
            info = {"name": spec["name"], "piece length": 16384}
            if spec["single"] is not None:
                blob = spec["single"].encode()
                info["length"] = len(blob)
            else:
                blob = b"".join(f["data"].encode() for f in spec["files"])
                info["files"] = []
                for f in spec["files"]:
                    entry = {"path": f["path"], "length": len(f["data"].encode())}
                    if f["symlink"] is not None: entry.update({"attr": "l", "symlink path": f["symlink"]})
                    info["files"].append(entry)
            info["pieces"] = b"".join(hashlib.sha1(blob[i:i + 16384]).digest() for i in range(0, len(blob), 16384))
            open(sys.argv[1], "wb").write(be({"info": info}))
            """
        let result = try python(script, [path, String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)])
        guard result.status == 0 else { throw TestFailure("crafting \(path): \(result.stderr)") }
    }

    /// Every entry under `directory` (files and symlinks), by relative path.
    private func entries(_ directory: String) throws -> [String: FileAttributeType] {
        var found: [String: FileAttributeType] = [:]
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return found }
        while let relative = walker.nextObject() as? String {
            let type = walker.fileAttributes?[.type] as? FileAttributeType
            if type != .typeDirectory { found[relative] = type }
        }
        return found
    }

    private func filesJSON(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try spawn(btxPath, ["files", "--json"] + arguments)
        guard result.status == 0 else { throw TestFailure("btx files \(arguments): \(result.stderr)") }
        return try result.json()["files"] as! [[String: Any]]
    }

    func testHostileNamesAreWrittenInsideTheSaveDirectoryWhereFilesSaysTheyAre() throws {
        let scratch = try Scratch()
        let tag = UUID().uuidString
        let outsideScratch = NSTemporaryDirectory() + "btx-escaped-" + tag
        let long = String(repeating: "é", count: 200) + ".txt"  // 404 bytes
        var files: [Entry] = [
            Entry(path: ["..", "..", "btx-escaped-" + tag], content: "dotdot"),
            Entry(path: [outsideScratch, "absolute"], content: "absolute"),
            Entry(path: ["nul\u{0}byte"], content: "nul"),
            Entry(path: ["slash/inside", "name"], content: "slash"),
            Entry(path: [long], content: "long"),
            Entry(path: ["new\nline\u{1B}[31m"], content: "control"),
            Entry(path: ["..."], content: "dots"),
            Entry(path: ["link"], symlink: ["..", "..", "..", "etc"]),
            Entry(path: ["abslink"], symlink: ["/etc", "passwd"]),
        ]
        for reserved in ["CON", "NUL", "aux.txt", "com1.log", "LPT9"] { files.append(Entry(path: [reserved], content: reserved)) }
        let torrent = scratch.path + "/hostile.torrent"
        try craftTorrent(torrent, name: "../up/hostile", files: files)
        let single = scratch.path + "/single.torrent"
        try craftTorrent(single, name: "/" + outsideScratch + "-single", files: nil, single: "single file")

        // What btx says will be written: sanitized by libtorrent, and kept short.
        let listed = try filesJSON([torrent])
        let paths = listed.map { $0["path"] as! String }
        let name = try spawn(btxPath, ["info", "--json", torrent]).json()["name"] as! String
        XCTAssertFalse(name.contains("/") || name == ".." || name.isEmpty, name)
        for path in paths {
            XCTAssertTrue(path.hasPrefix(name + "/"), path)
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            XCTAssertFalse(components.contains { $0 == ".." || $0 == "." || $0.isEmpty }, path)
            XCTAssertFalse(path.unicodeScalars.contains { $0.value < 0x20 }, "control characters in \(path.debugDescription)")
            XCTAssertTrue(components.allSatisfy { $0.utf8.count <= 255 }, path)
        }
        XCTAssertTrue(paths.contains(name + "/CON") && paths.contains(name + "/aux.txt"), "reserved names are fine on Linux: \(paths)")

        // A seeder holding the data exactly where `files` says finds it all...
        let src = scratch.path + "/src"
        for (entry, path) in zip(files, paths) where entry.symlink == nil {
            try scratch.write("src/" + path, Data(entry.content.utf8))
        }
        let singleName = try filesJSON([single])[0]["path"] as! String
        XCTAssertFalse(singleName.contains("/"), singleName)
        try scratch.write("src/" + singleName, Data("single file".utf8))
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent, single], from: src)

        // ...and a leecher writes there too, and nowhere else.
        let leecher = try Peer(scratch, "leecher")
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.path) + ["dst"]
        let result = try leecher.add([torrent, single, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        _ = seeder
        let written = try entries(scratch.path + "/dst")
        XCTAssertEqual(Set(written.keys), Set(paths + [singleName]))
        for (entry, path) in zip(files, paths) {
            if entry.symlink == nil {
                XCTAssertEqual(try scratch.contents("dst/" + path), Data(entry.content.utf8), path)
            } else {
                // libtorrent points a link that would leave the torrent at itself.
                XCTAssertEqual(written[path], .typeSymbolicLink, path)
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path + "/dst/" + path)
                XCTAssertFalse(target.hasPrefix("/") || target.split(separator: "/").contains(".."), target)
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted(), before.sorted())
        for escaped in [outsideScratch, outsideScratch + "-single", scratch.path + "/btx-escaped-" + tag] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: escaped), escaped)
        }

        // The saved torrent lists the same paths as the .torrent file.
        let saved = try filesJSON(["--state-dir", leecher.state, String((try leecher.savedTorrents()
            .first { $0["name"] as? String == name }!["info_hash"] as! String).prefix(12))])
        XCTAssertEqual(saved.map { $0["path"] as! String }, paths)
    }

    /// A torrent "evil" with these files, seeded over loopback; its port and
    /// torrent path.
    private func evilSwarm(_ scratch: Scratch) throws -> (RunningProcess, Int, String) {
        try scratch.write("src/evil/x.bin", randomData(40_000))
        try scratch.write("src/evil/sub/y.bin", randomData(20_000))
        try scratch.write("src/evil/empty", Data())
        let torrent = try makeTorrent(scratch.path + "/src/evil", scratch.path + "/evil.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        return (seeder, port, torrent)
    }

    func testASymlinkInTheSaveDirectoryThatLeadsOutIsNeverWrittenThrough() throws {
        let scratch = try Scratch()
        let (seeder, port, torrent) = try evilSwarm(scratch)
        let outside = scratch.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/dst", withIntermediateDirectories: true)
        XCTAssertEqual(symlink(outside, scratch.path + "/dst/evil"), 0)
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String

        // libtorrent 2.0.8 alone writes x.bin, sub/y.bin and the empty file into `outside`.
        for source in [torrent, "magnet:?xt=urn:btih:\(hash)"] {
            let leecher = try Peer(scratch, "leecher-\(source.count)")
            let result = try leecher.add([source, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"], timeout: 60)
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains("would be written through the symlink \(scratch.path)/dst/evil to \(outside), "
                                                 + "outside the save path \(scratch.path)/dst"), result.stderr)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [], source)
            XCTAssertEqual(try leecher.savedTorrents().first?["progress"] as? Double, 0, source)
        }

        // A link to a file outside is not written through either, nor one that leads nowhere.
        try FileManager.default.removeItem(atPath: scratch.path + "/dst/evil")
        try FileManager.default.createDirectory(atPath: scratch.path + "/dst/evil/sub", withIntermediateDirectories: true)
        try scratch.write("outside/precious", Data("precious".utf8))
        XCTAssertEqual(symlink(outside + "/precious", scratch.path + "/dst/evil/x.bin"), 0)
        XCTAssertEqual(symlink(outside + "/created", scratch.path + "/dst/evil/sub/y.bin"), 0)
        let fileLink = try Peer(scratch, "leecher-file").add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(fileLink.status, 1, fileLink.stderr)
        XCTAssertTrue(fileLink.stderr.contains("would be written through the symlink \(scratch.path)/dst/evil/"), fileLink.stderr)
        XCTAssertEqual(try scratch.contents("outside/precious"), Data("precious".utf8))
        XCTAssertFalse(scratch.exists("outside/created"))

        // Once the links are gone, the same torrent downloads.
        try FileManager.default.removeItem(atPath: scratch.path + "/dst/evil")
        let fixed = try Peer(scratch, "leecher-file").add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeder
    }

    func testSymlinksThatStayInsideTheSaveDirectoryAreFollowed() throws {
        let scratch = try Scratch()
        let (seeder, port, torrent) = try evilSwarm(scratch)
        try FileManager.default.createDirectory(atPath: scratch.path + "/real/dst/elsewhere", withIntermediateDirectories: true)
        // The save directory may itself be a link; inside it, a link to a folder of its own is fine.
        XCTAssertEqual(symlink(scratch.path + "/real/dst", scratch.path + "/dst"), 0)
        XCTAssertEqual(symlink("elsewhere", scratch.path + "/real/dst/evil"), 0)
        let result = try Peer(scratch, "leecher").add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try digests(scratch.path + "/real/dst/elsewhere"), try digests(scratch.path + "/src/evil"))
        _ = seeder
    }

    func testCreateSkipsSymlinksThatLeadOutOfItsInput() throws {
        let scratch = try Scratch()
        try scratch.write("secret.txt", Data("not for sharing".utf8))
        try scratch.write("tree/a.txt", Data("shared".utf8))
        XCTAssertEqual(symlink(scratch.path + "/secret.txt", scratch.path + "/tree/secret.txt"), 0)
        XCTAssertEqual(symlink("..", scratch.path + "/tree/parent"), 0)
        XCTAssertEqual(symlink("a.txt", scratch.path + "/tree/alias.txt"), 0)
        let result = try spawn(btxPath, ["create", "tree", "-o", "tree.torrent", "--no-date"], cwd: scratch.path)
        XCTAssertEqual(result.status, 0, result.stderr)
        let real = URL(fileURLWithPath: scratch.path).resolvingSymlinksInPath().path
        XCTAssertTrue(result.stderr.contains("btx: warning: skipped secret.txt: symlink to \(real)/secret.txt, outside the tree"),
                      result.stderr)
        XCTAssertTrue(result.stderr.contains("btx: warning: skipped parent: symlink to \(real), outside the tree"), result.stderr)
        XCTAssertEqual(try filesJSON([scratch.path + "/tree.torrent"]).map { $0["path"] as! String },
                       ["tree/a.txt", "tree/alias.txt"])
    }
}

/// A bencode writer for python scripts that craft torrents by hand (keys
/// sorted, as BEP 3 asks): `be(value)` gives its bytes. Whole lines, to go
/// between two parts of a script.
let pythonBencode = "\n" + """
    def be(x):
        if isinstance(x, int): return b"i%de" % x
        if isinstance(x, str): x = x.encode()
        if isinstance(x, bytes): return b"%d:%s" % (len(x), x)
        if isinstance(x, list): return b"l" + b"".join(map(be, x)) + b"e"
        return b"d" + b"".join(be(k) + be(v) for k, v in sorted((k.encode(), v) for k, v in x.items())) + b"e"
    """ + "\n"
