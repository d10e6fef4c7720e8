import Foundation
import TestSupport
import XCTest

/// Turtle mode: the config's alternate caps, switched by hand (set --alt,
/// transmission's alt-speed-enabled, qBittorrent's toggle) or by alt-schedule.
final class AltSpeedsTests: XCTestCase {
    /// Turns it off, and says what that left.
    private func turnOff(_ peer: Peer) throws -> [String: Any] {
        try spawn(btxPath, ["set", "--alt", "off", "--json", "--state-dir", peer.state]).json()
    }

    func testByHandAndOverBothRPCs() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "daemon")
        try peer.appendConfig("max-down = 2M\nalt-max-down = 100k\nalt-max-up = 50k\n")
        let port = freePort()
        try startDaemon(peer, ["--rpc", String(port)], in: self)
        let on = try spawn(btxPath, ["set", "--alt", "on", "--json", "--state-dir", peer.state])
        XCTAssertEqual(on.status, 0, on.stderr)
        XCTAssertEqual(try on.json()["alt"] as? Bool, true)
        XCTAssertEqual(try on.json()["alt_max_down"] as? Int, 102_400)
        XCTAssertEqual(try on.json()["max_down"] as? Int, 2 << 20, "the session's own caps are kept for later")
        let said = try btxOnTerminal(["set", "--alt", "on", "--state-dir", peer.state]).text
        XCTAssertTrue(said.contains("alternate speeds on: down 100 KiB/s, up 50 KiB/s"), said)

        // Transmission's session-get and session-set, qBittorrent's mode and toggle.
        let session = try spawn("/usr/bin/transmission-remote", ["127.0.0.1:\(port)", "-si"]).text
        XCTAssertTrue(session.contains("Turtle mode") || session.contains("102 kB/s") || session.contains("100 kB/s"), session)
        XCTAssertEqual(try spawn("/usr/bin/transmission-remote", ["127.0.0.1:\(port)", "--no-alt-speed"]).status, 0)
        XCTAssertEqual(try spawn(btxPath, ["set", "--alt", "on", "--json", "--state-dir", peer.state]).json()["alt"] as? Bool, true)
        XCTAssertEqual(try spawn("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/api/v2/transfer/speedLimitsMode"]).text, "1")
        XCTAssertEqual(try spawn("/usr/bin/curl", ["-s", "-X", "POST", "http://127.0.0.1:\(port)/api/v2/transfer/toggleSpeedLimitsMode"]).status, 0)
        XCTAssertEqual(try spawn("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/api/v2/transfer/speedLimitsMode"]).text, "0")
        XCTAssertEqual(try turnOff(peer)["alt"] as? Bool, false)

        // Refused where it means nothing.
        let torrent = try spawn(btxPath, ["set", "something", "--alt", "on", "--state-dir", peer.state])
        XCTAssertEqual(torrent.status, 2)
        XCTAssertTrue(torrent.stderr.contains("--alt is the session's"), torrent.stderr)
    }

    /// What the config says of the schedule, the idle goal and the
    /// incomplete folder, as both RPCs show it; their idle goal set over each.
    func testBothRPCsShowTheScheduleAndTheSessionGoals() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "daemon")
        try peer.appendConfig("alt-max-down = 1M\nalt-schedule = Sat,Sun 10:30-02:00\nseed-idle = 2h\n")
        let port = freePort()
        try startDaemon(peer, ["--rpc", String(port), "--incomplete-dir", scratch.path + "/incomplete"], in: self)
        let client = RPCClient(port: port)
        func session() throws -> [String: Any] {
            try client.post(#"{"method":"session-get"}"#).json["arguments"] as? [String: Any] ?? [:]
        }
        let shown = try session()
        XCTAssertEqual(shown["alt-speed-time-begin"] as? Int, 630)
        XCTAssertEqual(shown["alt-speed-time-end"] as? Int, 120)
        XCTAssertEqual(shown["alt-speed-time-day"] as? Int, 65, "Saturday and Sunday")
        XCTAssertEqual(shown["idle-seeding-limit"] as? Int, 120)
        XCTAssertEqual(shown["idle-seeding-limit-enabled"] as? Bool, true)
        XCTAssertEqual(shown["incomplete-dir"] as? String, scratch.path + "/incomplete")
        XCTAssertEqual(shown["incomplete-dir-enabled"] as? Bool, true)
        let preferences = try JSONSerialization.jsonObject(with: Data(spawn("/usr/bin/curl", [
            "-s", "http://127.0.0.1:\(port)/api/v2/app/preferences"]).text.utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(preferences["schedule_from_hour"] as? Int, 10)
        XCTAssertEqual(preferences["schedule_from_min"] as? Int, 30)
        XCTAssertEqual(preferences["scheduler_days"] as? Int, 2, "weekends")
        XCTAssertEqual(preferences["max_inactive_seeding_time"] as? Int, 120)
        XCTAssertEqual(preferences["temp_path"] as? String, scratch.path + "/incomplete")

        let set = try client.post(#"{"method":"session-set","arguments":{"idle-seeding-limit":45}}"#)
        XCTAssertEqual(set.json["result"] as? String, "success", "\(set.json)")
        XCTAssertEqual(try session()["idle-seeding-limit"] as? Int, 45)
        XCTAssertTrue(try String(contentsOfFile: peer.state + "/config", encoding: .utf8).contains("seed-idle = 2700s"))
        let off = try spawn("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode",
                                              #"json={"max_inactive_seeding_time_enabled":false}"#,
                                              "http://127.0.0.1:\(port)/api/v2/app/setPreferences"])
        XCTAssertEqual(off.text, "200")
        XCTAssertEqual(try session()["idle-seeding-limit-enabled"] as? Bool, false)
    }

    func testTheScheduleSwitchesItAndBadOnesStopTheStart() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "daemon")
        try peer.appendConfig("alt-max-up = 10k\nalt-schedule = * 00:00-24:00\n")
        try startDaemon(peer, in: self)
        var status = ""
        try waitUntil("the schedule to turn it on") {
            status = try btxOnTerminal(["status", "--state-dir", peer.state]).text
            return status.contains("alternate speeds on")
        }
        XCTAssertTrue(status.contains("up 10 KiB/s (alt-schedule)"), status)

        let other = try Peer(scratch, "bad")
        try other.appendConfig("alt-max-down = 1M\nalt-schedule = Funday 08:00-09:00\n")
        let bad = try spawn(btxPath, ["daemon"] + other.common)
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("alt-schedule: 'Funday 08:00-09:00' is not DAYS HH:MM-HH:MM"), bad.stderr)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
    }
}
