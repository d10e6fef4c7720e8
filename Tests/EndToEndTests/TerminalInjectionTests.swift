import Foundation
import XCTest

/// Strings a torrent, a magnet or a tracker carries reach the user's
/// terminal: ESC and OSC sequences, BEL, C1 controls, newlines and bidi
/// overrides in them are shown escaped in text output, never obeyed (a
/// cleared screen, a new window title, a faked line), while --json keeps
/// them exact (JSON escapes them).
final class TerminalInjectionTests: XCTestCase {
    private static let evil = "evil\u{1B}]0;pwned\u{07}\u{1B}[2J\nFAKE LINE\u{9B}31m\u{202E}gpj.exe"

    private func craft(_ path: String) throws {
        let script = """
            import hashlib, sys
            """ + pythonBencode + """
            evil = sys.argv[2]
            blob = b"payload"
            info = {"name": evil, "piece length": 16384, "files": [{"path": [evil, "a" + evil], "length": len(blob)}],
                    "pieces": hashlib.sha1(blob).digest()}
            open(sys.argv[1], "wb").write(be({"info": info, "comment": evil, "created by": evil, "announce":
                "http://127.0.0.1:9/" + evil, "url-list": ["http://127.0.0.1:9/" + evil]}))
            """
        let result = try python(script, [path, Self.evil])
        guard result.status == 0 else { throw TestFailure("crafting: \(result.stderr)") }
    }

    /// No raw control (C0 but newline and tab, DEL, C1) nor bidi character, and no line the torrent made up.
    /// (Tabs separate the cells of a table off a terminal; a tab in a cell is shown as \t.)
    private func assertInert(_ result: ProcessResult, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for (stream, text) in [("stdout", result.text), ("stderr", result.stderr)] {
            let raw = text.unicodeScalars.filter {
                ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
                    || (0x2066...0x2069).contains($0.value)
            }
            XCTAssertTrue(raw.isEmpty, "\(what) \(stream) has raw \(raw.map { String($0.value, radix: 16) }): \(text)",
                          file: file, line: line)
            XCTAssertFalse(text.split(separator: "\n").contains { $0.hasPrefix("FAKE LINE") }, "\(what) \(stream) faked a line",
                           file: file, line: line)
        }
    }

    func testHostileStringsAreShownEscapedInEveryTextOutput() throws {
        let scratch = try Scratch()
        let torrent = scratch.path + "/evil.torrent"
        try craft(torrent)
        let peer = try Peer(scratch, "peer")
        let state = ["--state-dir", peer.state]

        let info = try spawn(btxPath, ["info", torrent])
        XCTAssertEqual(info.status, 0, info.stderr)
        assertInert(info, "info")
        XCTAssertTrue(info.text.contains("evil\\x1B]0;pwned\\x07\\x1B[2J\\nFAKE LINE\\u009B31m\\u202Egpj.exe"), info.text)
        assertInert(try spawn(btxPath, ["files", torrent]), "files of the .torrent")

        let added = try spawn(btxPath, ["add", torrent, "--paused", "-o", scratch.path + "/dl"] + peer.common)
        XCTAssertEqual(added.status, 0, added.stderr)
        assertInert(added, "add")
        for command in [["status"], ["files", "evil"], ["trackers", "evil"], ["verify", "evil"]] {
            let result = try spawn(btxPath, command + state)
            assertInert(result, command.joined(separator: " "))
            // The tables as a person sees them (verify draws progress there, with its own escapes).
            guard command[0] != "verify" else { continue }
            let shown = try btxOnTerminal(command + state)
            assertInert(shown, command.joined(separator: " ") + " on a terminal")
            XCTAssertFalse(shown.text.contains("\t"), "a table on a terminal has no tabs: \(shown.text)")
        }

        // A magnet's name, before any metadata.
        let magnet = "magnet:?xt=urn:btih:" + String(repeating: "ab", count: 20) + "&dn=bad%1B%5D0%3Bt%07%0Afake%E2%80%AE"
        let fromMagnet = try spawn(btxPath, ["add", magnet, "--paused", "-o", scratch.path + "/dl"] + peer.common)
        XCTAssertEqual(fromMagnet.status, 0, fromMagnet.stderr)
        assertInert(fromMagnet, "add magnet")
        assertInert(try spawn(btxPath, ["status"] + state), "status with the magnet")

        // JSON keeps them exact (libtorrent itself replaces controls in names and paths).
        let json = try spawn(btxPath, ["info", "--json", torrent]).json()
        XCTAssertEqual(json["comment"] as? String, Self.evil)
        XCTAssertEqual(json["created_by"] as? String, Self.evil)
    }
}
