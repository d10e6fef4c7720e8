import Foundation
import XCTest
import TestSupport

/// The man page's jq recipes, run as written against a live daemon: a
/// torrent nobody seeds (stalled), one downloading slowly through a local
/// tracker, then a small one added from the recipe itself.
final class JQRecipeTests: XCTestCase {
    private static let manPage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("man/btx.1")

    /// The example command under the paragraph that starts with `start`, as
    /// the reader sees it (roff escapes undone).
    private func recipe(_ start: String) throws -> String {
        let lines = try String(contentsOf: Self.manPage, encoding: .utf8).split(separator: "\n").map(String.init)
        let unescaped = { (line: String) in line.replacingOccurrences(of: "\\-", with: "-").replacingOccurrences(of: "\\e", with: "\\") }
        let at = try XCTUnwrap(lines.firstIndex { unescaped($0).hasPrefix(start) }, "no '\(start)' in the man page")
        let example = try XCTUnwrap(lines[at...].firstIndex(of: ".EX"), start) + 1
        return String(unescaped(lines[example]).dropFirst(2))
    }

    func testRecipesAnswerAgainstALiveSession() throws {
        let scratch = try Scratch()
        try scratch.write("src/moving/data.bin", randomData(3 << 20))
        try scratch.write("src/small/data.bin", randomData(100_000))
        try scratch.write("nowhere/stalled/data.bin", randomData(100_000))
        let trackerPort = freePort()
        let tracker = "http://127.0.0.1:\(trackerPort)/announce"
        var hashes: [String] = []
        for (path, name) in [("src/moving", "moving"), ("src/small", "small"), ("nowhere/stalled", "stalled")] {
            try makeTorrent(scratch.path + "/" + path, scratch.path + "/\(name).torrent", ["-t", tracker])
            hashes.append(try spawn(btxPath, ["info", "--json", scratch.path + "/\(name).torrent"]).json()["info_hash"] as! String)
        }
        try scratch.write("recipe4/small.torrent", try scratch.contents("small.torrent"))
        try scratch.write("tracker/whitelist", Data(hashes.joined(separator: "\n").utf8 + [0x0A]))
        let opentracker = try RunningProcess("/usr/bin/opentracker", ["-i", "127.0.0.1", "-p", "\(trackerPort)",
                                                                      "-d", scratch.path + "/tracker", "-w", "whitelist"])
        try waitUntil("opentracker to listen") { canConnect(port: trackerPort) }
        let (seeder, _) = try Peer(scratch, "seeder").seed([scratch.path + "/moving.torrent", scratch.path + "/small.torrent"],
                                                           from: scratch.path + "/src")
        try waitUntil("the seeder's two announces") { seeder.events.filter { $0.type == "tracker_reply" }.count >= 2 }

        let leecher = try Peer(scratch, "leecher")
        let state = ["--state-dir", leecher.state]
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--listen", "127.0.0.1:0", "--no-dht"] + state).status, 0)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop"] + state) }
        for (name, extra) in [("stalled", [String]()), ("moving", ["--max-down", "512k"])] {
            let added = try spawn(btxPath, ["add", scratch.path + "/\(name).torrent", "-o", scratch.path + "/dst", "--detach"]
                                  + extra + state)
            XCTAssertEqual(added.status, 0, added.stderr)
        }
        let environment = ["PATH": (btxPath as NSString).deletingLastPathComponent + ":/usr/bin:/bin", "BTX_STATE_DIR": leecher.state]
        func sh(_ command: String, cwd: String? = nil, timeout: TimeInterval = 30) throws -> ProcessResult {
            try spawn("/bin/sh", ["-c", command], cwd: cwd, environment: environment, timeout: timeout)
        }

        let stalled = try recipe("The names of stalled torrents")
        try waitUntil("only 'stalled' listed as stalled") { try sh(stalled).text == "stalled\n" }
        let rate = try sh(try recipe("The session's total download rate"))
        XCTAssertEqual(rate.status, 0, rate.stderr)
        XCTAssertGreaterThan(Int(rate.text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 0, rate.text)

        XCTAssertEqual(try spawn(btxPath, ["remove", "stalled"] + state).status, 0)
        let wait = try sh(try recipe("Wait until every torrent is complete"), timeout: 60)
        XCTAssertEqual(wait.status, 0, wait.stderr)
        let torrents = try leecher.savedTorrents()
        XCTAssertEqual(torrents.map { $0["progress"] as? Double }, [1.0], "\(torrents)")

        let finished = try sh(try recipe("Each torrent's name as it completes"), cwd: scratch.path + "/recipe4", timeout: 60)
        XCTAssertEqual(finished.text, "small\n", finished.stderr)
        _ = (opentracker, seeder)
    }
}
