import Foundation
import TestSupport
import XCTest

/// A web seed (BEP 19) whose server ignores Range, as `python3 -m
/// http.server` does (200 and the whole file for every request): libtorrent
/// refuses its answers and tries again every 30 s. btx says so, once, and
/// `trackers` shows the web seed's error.
final class WebSeedTests: XCTestCase {
    func testAWebSeedThatIgnoresRangeIsReportedNotSilent() throws {
        let scratch = try Scratch()
        try scratch.write("src/film.bin", randomData(24 << 20))
        let port = freePort()
        let url = "http://127.0.0.1:\(port)/"
        let torrent = try makeTorrent(scratch.path + "/src/film.bin", scratch.path + "/film.torrent",
                                      ["--piece-size", "256k", "-w", url])
        let server = try RunningProcess("/usr/bin/python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1",
                                                             "--directory", scratch.path + "/src"])
        try waitUntil("the web server to listen") { canConnect(port: port) }
        let leecher = try Peer(scratch, "leecher")
        let add = try leecher.start([torrent, "-o", scratch.path + "/dl"])
        defer { add.signal(SIGINT); _ = try? add.wait() }
        let warning = try add.waitForEvent("warning", timeout: 30) { ($0["message"] as? String ?? "").contains("web seed") }
        let message = warning["message"] as? String ?? ""
        XCTAssertTrue(message.contains(url) && message.contains("ignores Range"), message)

        let listed = try spawn(btxPath, ["trackers", "film.bin", "--json", "--state-dir", leecher.state]).json()
        let errors = try XCTUnwrap(listed["web_seed_errors"] as? [[String: Any]])
        XCTAssertEqual(errors.first?["url"] as? String, url)
        XCTAssertTrue((errors.first?["message"] as? String ?? "").contains("ignores Range"))
        let text = try btxOnTerminal(["trackers", "film.bin", "--state-dir", leecher.state])
        XCTAssertTrue(text.text.contains("web seed  \(url)  (failed: the server ignores Range"), text.text)
        _ = server
    }
}
