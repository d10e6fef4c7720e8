import Foundation
import XCTest

/// Bad input gets one clear line on stderr and a documented exit code:
/// never a crash, never a partial output file.
final class BadInputTests: XCTestCase {
    private func assertFails(_ arguments: [String], in scratch: Scratch, status: Int32, mentions: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try scratch.listing()
        let result = try spawn(btxPath, arguments, cwd: scratch.path)
        XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("btx: ") == true, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(mentions), "\(arguments): \(result.stderr)", file: file, line: line)
        XCTAssertLessThanOrEqual(lines.count, 2, "one message (plus a usage hint): \(result.stderr)", file: file, line: line)
        XCTAssertEqual(try scratch.listing(), before, "no file left behind", file: file, line: line)
    }

    func testMalformedTorrentFiles() throws {
        let scratch = try Scratch()
        let good = try { () -> Data in
            try scratch.write("content.bin", randomData(50_000))
            XCTAssertEqual(try btx("create", "content.bin", "-o", "good.torrent", cwd: scratch.path).status, 0)
            return try scratch.contents("good.torrent")
        }()
        try scratch.write("truncated.torrent", good.prefix(good.count / 2))
        try scratch.write("random.torrent", randomData(4096))
        try scratch.write("dict.torrent", Data("d3:foo3:bare".utf8))
        try scratch.write("empty.torrent", Data())
        try FileManager.default.createDirectory(atPath: scratch.path + "/folder.torrent", withIntermediateDirectories: false)
        for command in ["info", "files"] {
            for name in ["truncated", "random", "dict", "empty"] {
                try assertFails([command, "\(name).torrent"], in: scratch, status: 1, mentions: "not a valid torrent")
            }
            try assertFails([command, "folder.torrent"], in: scratch, status: 1, mentions: "is a directory")
            try assertFails([command, "missing.torrent"], in: scratch, status: 3, mentions: "No such file")
        }
        let json = try btx("info", "random.torrent", "--json", cwd: scratch.path)
        let error = try json.json()["error"] as? [String: Any]
        XCTAssertEqual(error?["code"] as? String, "failed")
    }

    /// BEP 3's canonical integers: a torrent with i05e, i+5e or i-0e in it is refused by every command.
    func testNonCanonicalIntegersAreRefused() throws {
        let scratch = try Scratch()
        try scratch.write("content.bin", randomData(50_000))
        XCTAssertEqual(try btx("create", "content.bin", "-o", "good.torrent", "--no-date", cwd: scratch.path).status, 0)
        let good = try scratch.contents("good.torrent")
        // Bytes, not text: the piece hashes are binary.
        func replacing(_ old: String, _ new: String) throws -> Data {
            let range = try XCTUnwrap(good.range(of: Data(old.utf8)), "no \(old) in the torrent")
            var bytes = good
            bytes.replaceSubrange(range, with: Data(new.utf8))
            return bytes
        }
        // libtorrent's own decoder refuses the plus sign; btx the rest.
        for (name, integer, why) in [("zero", "i050000e", "not canonical bencode"), ("plus", "i+50000e", "not a valid torrent")] {
            try scratch.write("\(name).torrent", try replacing("6:lengthi50000e", "6:length\(integer)"))
            for command in ["info", "files", "add"] {
                try assertFails([command, "\(name).torrent", "--state-dir", scratch.path + "/state"], in: scratch, status: 1,
                                mentions: why)
                try? FileManager.default.removeItem(atPath: scratch.path + "/state")
            }
        }
        try scratch.write("minus-zero.torrent", try replacing("6:lengthi50000e", "6:lengthi50000e1:xi-0e"))
        try assertFails(["info", "minus-zero.torrent"], in: scratch, status: 1, mentions: "i-0e")
    }

    /// A torrent of 300,000 files is shown, and added, under the same limits.
    func testATorrentOfManyFilesIsShownAndAdded() throws {
        let scratch = try Scratch()
        let count = 300_000, pieceLength = 1 << 20
        var files = "l"
        for index in 0..<count { files += "d6:lengthi1e4:pathl\(String(index).utf8.count + 2):f-\(index)ee" }
        files += "e"
        let pieces = (count + pieceLength - 1) / pieceLength
        var bytes = Data(("d4:infod5:files" + files + "4:name4:many12:piece lengthi\(pieceLength)e6:pieces\(pieces * 20):").utf8)
        bytes += randomData(pieces * 20)
        bytes += Data("ee".utf8)
        try scratch.write("many.torrent", bytes)
        let info = try btx("info", "many.torrent", "--json", cwd: scratch.path)
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertEqual(try info.json()["file_count"] as? Int, count)
        let added = try btx("add", "many.torrent", "--paused", "--state-dir", scratch.path + "/state", "-o", scratch.path + "/dst",
                            "--no-dht", "--listen", "127.0.0.1:0", cwd: scratch.path)
        XCTAssertEqual(added.status, 0, added.stderr)
        let status = try btx("status", "many", "--json", "--state-dir", scratch.path + "/state")
        XCTAssertEqual(status.status, 0, status.stderr)
    }

    func testCreateRejectsBadPathsAndOptions() throws {
        let scratch = try Scratch()
        try scratch.write("data.bin", randomData(1000))
        try scratch.write("only-empty/a", Data())
        try FileManager.default.createDirectory(atPath: scratch.path + "/no-files/sub", withIntermediateDirectories: true)
        try assertFails(["create", "missing"], in: scratch, status: 3, mentions: "No such file")
        try assertFails(["create", "only-empty"], in: scratch, status: 1, mentions: "no data")
        try assertFails(["create", "no-files"], in: scratch, status: 1, mentions: "no files")
        try assertFails(["create", "data.bin", "--piece-size", "1000"], in: scratch, status: 2, mentions: "power of two")
        try assertFails(["create", "data.bin", "-t", "not a url"], in: scratch, status: 2, mentions: "not a tracker URL")
        try assertFails(["create", "data.bin", "--v1", "--v2"], in: scratch, status: 2, mentions: "choose one")
        try assertFails(["create", "data.bin", "-o", "no/such/dir/x.torrent"], in: scratch, status: 3, mentions: "No such file")
    }

    func testCreateNamesTheOutputFileItCannotWrite() throws {
        let scratch = try Scratch()
        try scratch.write("data.bin", randomData(1000))
        try assertFails(["create", "data.bin", "-o", "no/such/dir/x.torrent"], in: scratch, status: 3,
                        mentions: "btx: cannot write no/such/dir/x.torrent: No such file")
        // /proc takes no new files; the error names the file, not /proc.
        let result = try spawn(btxPath, ["create", "data.bin", "-o", "/proc/nope.torrent"], cwd: scratch.path)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.hasPrefix("btx: cannot write /proc/nope.torrent: "), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
    }

    func testAddRefusesURLsBeforeAnySessionStarts() throws {
        let scratch = try Scratch()
        for url in ["http://example.invalid/x.torrent", "HTTPS://example.invalid/x.torrent"] {
            // The state directory would appear in the scratch folder if a session started.
            try assertFails(["add", "--state-dir", "state", "--no-dht", url], in: scratch, status: 2,
                            mentions: "btx: URLs are not supported: download the .torrent first (e.g. curl -O URL) and add the file")
        }
    }

    func testUnreadableFileFailsWithoutOutput() throws {
        let scratch = try Scratch()
        try scratch.write("d/secret.bin", randomData(1000))
        chmod(scratch.path + "/d/secret.bin", 0)
        // Root reads every file, so as root the check runs as nobody.
        let asNobody = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let argv = asNobody + [btxPath, "create", "d", "-o", "-"]
        let result = try spawn(argv[0], Array(argv.dropFirst()), cwd: scratch.path)
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("btx: cannot read"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Permission denied"), result.stderr)
        XCTAssertTrue(result.stdout.isEmpty, "no partial torrent on stdout")
    }

    func testUsageErrors() throws {
        let scratch = try Scratch()
        try assertFails(["create"], in: scratch, status: 2, mentions: "needs an argument")
        try assertFails(["create", "x", "--bogus"], in: scratch, status: 2, mentions: "unknown option --bogus")
        try assertFails(["create", "x", "-Z"], in: scratch, status: 2, mentions: "unknown option -Z")
        try assertFails(["create", "x", "-o"], in: scratch, status: 2, mentions: "needs a value")
        try assertFails(["frobnicate"], in: scratch, status: 2, mentions: "unknown command")
        try assertFails(["info", "a", "b"], in: scratch, status: 2, mentions: "takes one argument")
        try assertFails(["help", "nope"], in: scratch, status: 2, mentions: "unknown command")
    }

    func testHelpAndVersion() throws {
        let help = try btx("help")
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.text.contains("create"))
        let createHelp = try btx("create", "--help")
        XCTAssertTrue(createHelp.text.contains("--piece-size SIZE"))
        let version = try btx("version", "--json").json()
        XCTAssertEqual(version["version"] as? String, "0.1.0")
        XCTAssertTrue((version["libtorrent"] as? String ?? "").hasPrefix("2.0"))
        XCTAssertEqual(try btx("--version").status, 0)
    }
}
