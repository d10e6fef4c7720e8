import Foundation
import XCTest
import TestSupport

/// A download bigger than its disk: one clear error, the torrent paused with
/// it, and once space is freed the same torrent completes, byte for byte.
/// Needs a small tmpfs, so root; skipped with the reason otherwise.
final class FullDiskTests: XCTestCase {
    /// A tmpfs of `size` at `path`, unmounted when the test ends.
    private func smallDisk(_ path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard getuid() == 0 else { throw XCTSkip("a full disk needs a tmpfs mount, and mounting needs root") }
        let mounted = try spawn("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard mounted.status == 0 else { throw XCTSkip("cannot mount a tmpfs here: \(mounted.stderr)") }
        addTeardownBlock { _ = try? spawn("/bin/umount", ["-l", path]) }
    }

    private func grow(_ path: String) throws {
        XCTAssertEqual(try spawn("/bin/mount", ["-o", "remount,size=64m", path]).status, 0)
    }

    func testAFullDiskStopsWithOneErrorAndTheTorrentCompletesOnceThereIsRoom() throws {
        let scratch = try Scratch()
        try scratch.write("src/big.bin", randomData(12_000_000))
        let torrent = try makeTorrent(scratch.path + "/src/big.bin", scratch.path + "/big.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        let disk = scratch.path + "/disk"
        try smallDisk(disk, size: "8m")
        let leecher = try Peer(scratch, "leecher")
        let arguments = [torrent, "-o", disk, "--peer", "127.0.0.1:\(port)"]

        // Running the session itself: an error event, exit 1, one line on stderr.
        let full = try leecher.add(arguments)
        XCTAssertEqual(full.status, 1, full.stderr)
        XCTAssertTrue(full.stderr.hasPrefix("btx: big.bin: \(disk)/big.bin: No space left on device ("), full.stderr)
        XCTAssertEqual(full.stderr.split(separator: "\n").count, 1, full.stderr)
        XCTAssertEqual(full.events.filter { $0.type == "error" }.count, 1)
        XCTAssertEqual(full.events.last?.data["code"] as? Int, 1)
        // Without a session, status still says why it stopped.
        let saved = try XCTUnwrap(try leecher.savedTorrents().first)
        XCTAssertEqual(saved["state"] as? String, "error")
        XCTAssertTrue((saved["error"] as? String ?? "").contains("No space left on device"), "\(saved)")

        try grow(disk)
        let again = try leecher.add(arguments)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(try leecher.savedTorrents().first?["error"] is NSNull, "a new run clears the error")
        XCTAssertEqual(try digests(disk), try digests(scratch.path + "/src"))
        _ = seeder
    }

    func testADaemonPausesAFullTorrentWithItsErrorAndResumeCompletesIt() throws {
        let scratch = try Scratch()
        try scratch.write("src/big.bin", randomData(12_000_000))
        let torrent = try makeTorrent(scratch.path + "/src/big.bin", scratch.path + "/big.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        let disk = scratch.path + "/disk"
        try smallDisk(disk, size: "8m")
        let leecher = try Peer(scratch, "leecher")
        let state = ["--state-dir", leecher.state]
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--listen", "127.0.0.1:0", "--no-dht"] + state).status, 0)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop"] + state) }

        let followed = try spawn(btxPath, ["add", torrent, "-o", disk, "--peer", "127.0.0.1:\(port)"] + state)
        XCTAssertEqual(followed.status, 1)
        XCTAssertTrue(followed.stderr.contains("No space left on device"), followed.stderr)
        var status = try XCTUnwrap(try leecher.savedTorrents().first)
        XCTAssertEqual(status["state"] as? String, "error")
        XCTAssertEqual(status["paused"] as? Bool, true)
        XCTAssertTrue((status["error"] as? String ?? "").contains("No space left on device"), "\(status)")

        try grow(disk)
        XCTAssertEqual(try spawn(btxPath, ["resume", "big.bin"] + state).status, 0)
        try waitUntil("the resumed torrent to complete", timeout: 60) {
            status = try XCTUnwrap(try leecher.savedTorrents().first)
            return status["state"] as? String == "seeding"
        }
        XCTAssertTrue(status["error"] is NSNull, "\(status)")
        XCTAssertEqual(try digests(disk), try digests(scratch.path + "/src"))
        _ = seeder
    }
}
