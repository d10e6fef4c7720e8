import Foundation
import XCTest
import TestSupport

/// SIGKILL at ten moments of a download, some of them while resume data is
/// being written: every restart loads the state the last save left, loses
/// no more than the save interval's worth, and the data ends byte-identical.
/// The leecher saves every second (`save-interval = 1` in its config), so
/// ten kills take seconds, not minutes; the default is 5 s. The seeder's
/// upload cap keeps the download going for the whole test.
final class CrashSafetyTests: XCTestCase {
    private let rate = 2 << 20
    private let saveInterval = 1.0

    private struct Fixture {
        let scratch: Scratch
        let torrent: String
        let tracker: RunningProcess
        let seeder: RunningProcess
        let port: Int
        let leecher: Peer
        var destination: String { scratch.path + "/dst" }
    }

    /// A seeder and an opentracker: a restarted daemon finds its peer the
    /// way it would on a real network (libtorrent keeps no --peer endpoint
    /// of its own in resume data).
    private func fixture() throws -> Fixture {
        let scratch = try Scratch()
        try scratch.write("src/crash.bin", randomData(12 << 20))
        let trackerPort = freePort()
        let torrent = try makeTorrent(scratch.path + "/src/crash.bin", scratch.path + "/crash.torrent",
                                      ["-t", "http://127.0.0.1:\(trackerPort)/announce"])
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String
        let (tracker, _) = try startTracker(scratch, hashes: [hash], port: trackerPort)
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src",
                                                              extra: ["--max-up", "\(rate)"])
        try seeder.waitForEvent("tracker_reply")
        let leecher = try Peer(scratch, "leecher")
        let config = leecher.state + "/config"
        try (String(contentsOfFile: config, encoding: .utf8) + "save-interval = \(saveInterval)\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        return Fixture(scratch: scratch, torrent: torrent, tracker: tracker, seeder: seeder, port: port, leecher: leecher)
    }

    /// Waits for one of ten kill moments: a resume-data write under way
    /// (its temporary file in resume/), or a random time into the run,
    /// calling `sample` meanwhile.
    private func waitForKillMoment(_ round: Int, state: String, sample: () -> Void) {
        let started = Date()
        if round % 3 == 0 {
            let resume = state + "/resume"
            while Date().timeIntervalSince(started) < 5 {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: resume)) ?? []
                if names.contains(where: { $0.hasPrefix(".btx-") }) { return }
                usleep(200)
            }
            return
        }
        let delay = Double.random(in: 0.2...(3 * saveInterval))
        while Date().timeIntervalSince(started) < delay {
            sample()
            usleep(20_000)
        }
    }

    private func hasSavedState(_ peer: Peer) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: peer.state + "/resume")) ?? []).contains { $0.hasSuffix(".resume") }
    }

    private func savedDone(_ peer: Peer) throws -> Int {
        let saved = try peer.savedTorrents()
        return saved.first?["done"] as? Int ?? 0
    }

    /// What the kill cost: verified bytes the run had shown minus those its
    /// resume data kept, at most the save interval's worth (plus the
    /// one-second lag of what it showed and a piece in flight).
    private func checkLoss(shown: Int, saved: Int, round: Int) {
        let allowed = Int((saveInterval + 1) * Double(rate)) + (1 << 20)
        XCTAssertLessThanOrEqual(shown - saved, allowed, "round \(round): the restart lost \(shown - saved) bytes")
    }

    func testKillingAddTenTimesLosesOnlyTheLastSecondsAndEndsIdentical() throws {
        let f = try fixture()
        let arguments = [f.torrent, "-o", f.destination, "--peer", "127.0.0.1:\(f.port)"]
        var savedBefore = 0
        for round in 0..<10 {
            let hadState = hasSavedState(f.leecher)
            let add = try f.leecher.start(arguments)
            let added = try add.waitForEvent("added")
            XCTAssertEqual(added["resumed"] as? Bool, hadState, "round \(round) loads its state")
            let first = try add.waitForEvent("progress") { !["resuming", "checking"].contains($0["state"] as? String ?? "") }
            XCTAssertGreaterThanOrEqual(first["done"] as? Int ?? 0, savedBefore, "round \(round) starts from its save")
            waitForKillMoment(round, state: f.leecher.state) {}
            add.signal(SIGKILL)
            _ = try add.wait()
            let shown = add.events.last { $0.type == "progress" }?.data["done"] as? Int ?? 0
            savedBefore = try savedDone(f.leecher)
            checkLoss(shown: shown, saved: savedBefore, round: round)
            if add.events.contains(where: { $0.type == "finished" }) { break }
        }
        let last = try f.leecher.add(arguments)
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertEqual(try digests(f.destination), try digests(f.scratch.path + "/src"))
        _ = f.tracker
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: f.leecher.state + "/resume").filter { $0.hasPrefix(".btx-") }
        XCTAssertEqual(leftovers, [], "a killed write's temporary file is cleaned up")
        _ = f.seeder
    }

    /// Saved once its files are checked, not at the first periodic save
    /// (5 s): an add killed a second in restarts from its resume data
    /// rather than checking its files again.
    func testAnAddKilledInItsFirstSecondRestartsWithoutARecheck() throws {
        let scratch = try Scratch()
        try scratch.write("src/early.bin", randomData(12 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/early.bin", scratch.path + "/early.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src",
                                                              extra: ["--max-up", "\(rate)"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        let arguments = [torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"]
        let started = Date()
        let add = try leecher.start(arguments)
        _ = try add.waitForEvent("progress") { ($0["done"] as? Int ?? 0) > 0 }
        while Date().timeIntervalSince(started) < 1 { usleep(20_000) }
        add.signal(SIGKILL)
        _ = try add.wait()
        XCTAssertTrue(hasSavedState(leecher), "killed after \(Date().timeIntervalSince(started)) s, nothing saved")
        let again = try leecher.start(arguments)
        defer { again.signal(SIGTERM); _ = try? again.wait() }
        XCTAssertEqual(try again.waitForEvent("added")["resumed"] as? Bool, true)
        _ = try again.waitForEvent("progress") { ["downloading", "finished", "seeding"].contains($0["state"] as? String ?? "") }
        let states = again.events.filter { $0.type == "progress" }.compactMap { $0.data["state"] as? String }
        XCTAssertFalse(states.contains("checking"), "the restart checked its files again: \(states)")
    }

    func testKillingTheDaemonTenTimesLosesOnlyTheLastSecondsAndEndsIdentical() throws {
        let f = try fixture()
        let daemon = ["daemon", "--foreground", "--json", "--state-dir", f.leecher.state, "--listen", "127.0.0.1:0", "--no-dht"]
        func live() throws -> [String: Any]? {
            let result = try spawn(btxPath, ["status", "--json", "--state-dir", f.leecher.state])
            return (try? result.json()["torrents"] as? [[String: Any]])??.first
        }
        var savedBefore = 0
        for round in 0..<10 {
            let session = try RunningProcess(btxPath, daemon)
            try waitUntil("the daemon to answer") { FileManager.default.fileExists(atPath: f.leecher.state + "/run/control.sock") }
            if round == 0 {
                let added = try spawn(btxPath, ["add", "--detach", "--state-dir", f.leecher.state, f.torrent, "-o", f.destination])
                XCTAssertEqual(added.status, 0, added.stderr)
            } else {
                // The daemon resumes the saved torrent and asks the tracker for its peer.
                try waitUntil("round \(round) to load its state") { try live()?["running"] as? Bool == true }
                XCTAssertGreaterThanOrEqual(try live()?["done"] as? Int ?? 0, savedBefore, "round \(round) starts from its save")
            }
            // What it showed when: under load a save lands late, and the
            // rate limiter lets bursts through, so the loss is judged in
            // seconds of download, not in bytes.
            var shown = [(at: Date(), done: (try? live()?["done"] as? Int ?? 0) ?? 0)]
            waitForKillMoment(round, state: f.leecher.state) {
                if let done = try? live()?["done"] as? Int { shown.append((Date(), done)) }
            }
            session.signal(SIGKILL)
            let killed = Date()
            _ = try session.wait()
            savedBefore = try savedDone(f.leecher)
            // How old the restart's state is: the time since it first showed more.
            let age = shown.first(where: { $0.done > savedBefore }).map { killed.timeIntervalSince($0.at) } ?? 0
            XCTAssertLessThanOrEqual(age, saveInterval + 1, "round \(round): the restart lost the last \(age) s")
        }
        let session = try RunningProcess(btxPath, daemon)
        try waitUntil("the download to complete", timeout: 60) { try live()?["state"] as? String == "seeding" }
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--stop", "--state-dir", f.leecher.state]).status, 0)
        _ = try session.wait()
        XCTAssertEqual(try digests(f.destination), try digests(f.scratch.path + "/src"))
        _ = f.seeder
    }
}
