import Foundation
import XCTest

/// `btx doctor`: the directories, the running session as ping reports it,
/// and a failing check (exit 1) for each thing that would hurt btx.
final class DoctorTests: XCTestCase {
    private func doctor(_ state: String, json: Bool = true) throws -> ProcessResult {
        try spawn(btxPath, ["doctor", "--state-dir", state] + (json ? ["--json"] : []))
    }

    private func failing(_ result: ProcessResult) throws -> [String: String] {
        let checks = try result.json()["checks"] as! [[String: Any]]
        return Dictionary(uniqueKeysWithValues: checks.filter { $0["ok"] as? Bool == false }
            .map { ($0["name"] as! String, $0["message"] as! String) })
    }

    func testAFreshStateIsHealthyAndARunningDaemonIsDescribed() throws {
        let scratch = try Scratch()
        let state = scratch.path + "/state"
        let fresh = try doctor(state)
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        let document = try fresh.json()
        XCTAssertEqual(document["ok"] as? Bool, true)
        XCTAssertTrue(document["session"] is NSNull)
        XCTAssertEqual((document["directories"] as? [String: Any])?["state"] as? String, state)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state), "doctor changes nothing")

        try scratch.write("data/one.bin", randomData(40_000))
        let torrent = try makeTorrent(scratch.path + "/data/one.bin", scratch.path + "/one.torrent")
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--state-dir", state, "--listen", "127.0.0.1:0", "--bootstrap", "127.0.0.1:1"]).status, 0)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", state]) }
        XCTAssertEqual(try spawn(btxPath, ["add", torrent, "-o", scratch.path + "/data", "--detach", "--state-dir", state]).status, 0)
        let running = try doctor(state)
        XCTAssertEqual(running.status, 0, running.stderr)
        let session = try XCTUnwrap(try running.json()["session"] as? [String: Any])
        let pid = try String(contentsOfFile: state + "/daemon.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(session["pid"] as? Int, Int(pid))
        XCTAssertEqual(session["daemon"] as? Bool, true)
        XCTAssertEqual(session["torrents"] as? Int, 1)
        XCTAssertGreaterThan(session["listen_port"] as? Int ?? 0, 0)
        XCTAssertNotNil(session["dht_nodes"] as? Int, "the DHT is on: a count, not null")
        XCTAssertGreaterThanOrEqual(session["uptime"] as? Double ?? -1, 0)
        let text = try doctor(state, json: false).text
        XCTAssertTrue(text.contains("btx daemon, pid \(pid), up "), text)
        XCTAssertTrue(text.contains("✓ control socket  0600 in a 0700 folder"), text)
        XCTAssertTrue(text.contains("libtorrent 2.0"), text)
    }

    func testEachProblemFailsItsCheckAndExits1() throws {
        let scratch = try Scratch()
        let state = scratch.path + "/state"
        XCTAssertEqual(try spawn(btxPath, ["dht-keygen", "--state-dir", state]).status, 0)
        try scratch.write("state/resume/" + String(repeating: "ab", count: 20) + ".resume", Data("damaged".utf8))
        try scratch.write("state/config", Data("encryption = sometimes\n".utf8))
        try FileManager.default.createDirectory(atPath: state + "/daemon.log", withIntermediateDirectories: true)
        chmod(state + "/dht.key", 0o644)
        chmod(state + "/resume", 0o700)

        let result = try doctor(state)
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.text.split(separator: "\n").count, 1, "one document, no error object after it")
        XCTAssertEqual(try result.json()["ok"] as? Bool, false)
        let problems = try failing(result)
        XCTAssertEqual(Set(problems.keys), ["resume data", "config", "DHT key", "daemon log"], "\(problems)")
        XCTAssertTrue(problems["DHT key"]!.contains("chmod 600"), problems["DHT key"]!)
        XCTAssertTrue(problems["config"]!.contains("sometimes"), problems["config"]!)
        XCTAssertTrue(problems["resume data"]!.contains("1 unreadable"), problems["resume data"]!)
        XCTAssertEqual(result.stderr, "btx: 4 checks failed\n")

        chmod(state + "/dht.key", 0o600)
        chmod(state + "/resume", 0o755)
        XCTAssertEqual(Set(try failing(try doctor(state)).keys), ["resume data", "config", "daemon log"])
        let text = try doctor(state, json: false).text
        XCTAssertTrue(text.contains("✗ resume data") && text.contains("chmod 700"), text)
    }
}
