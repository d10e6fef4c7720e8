import Foundation
import TestSupport
import XCTest

/// --incomplete-dir: data is there while it downloads and at its save path
/// once complete, byte for byte; a crash during the move loses nothing.
/// The save paths are on /dev/shm, another filesystem than the scratch
/// folder's, so the move copies and deletes as it would onto another disk.
final class IncompleteFolderTests: XCTestCase {
    /// A folder on /dev/shm, removed when the test ends.
    private func otherFilesystem() throws -> String {
        let path = "/dev/shm/btx-test-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// A three-file torrent of `each` bytes a file, and a seeder of it.
    private func album(_ scratch: Scratch, each: Int, seederCap: Int? = nil) throws -> (torrent: String, port: Int) {
        for name in ["a", "b", "c"] { try scratch.write("src/album/\(name).bin", randomData(each)) }
        let torrent = try makeTorrent(scratch.path + "/src/album", scratch.path + "/album.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src",
                                                              extra: seederCap.map { ["--max-up", "\($0)"] } ?? [])
        addTeardownBlock { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        return (torrent, port)
    }

    /// A foreground daemon (to be killed) given `torrent` once it answers.
    private func startAndAdd(_ daemon: [String], _ peer: Peer, _ torrent: String, to done: String, from port: Int) throws -> RunningProcess {
        let process = try RunningProcess(btxPath, daemon)
        try waitUntil("the daemon to answer") { FileManager.default.fileExists(atPath: peer.state + "/run/control.sock") }
        let added = try spawn(btxPath, ["add", "--detach", "--state-dir", peer.state, torrent, "-o", done, "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(added.status, 0, added.stderr)
        return process
    }

    private func dataFiles(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
            .filter { var isFolder: ObjCBool = false
                return FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &isFolder) && !isFolder.boolValue }
    }

    func testADaemonDownloadsIntoTheIncompleteFolderAndMovesWhenComplete() throws {
        let scratch = try Scratch()
        let (torrent, port) = try album(scratch, each: 4 << 20, seederCap: 4 << 20)
        let incomplete = scratch.path + "/incomplete", done = try otherFilesystem() + "/done"
        let peer = try Peer(scratch, "daemon")
        try startDaemon(peer, ["--incomplete-dir", incomplete], in: self)
        let added = try spawn(btxPath, ["add", "--detach", "--state-dir", peer.state, torrent, "-o", done,
                                        "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(added.status, 0, added.stderr)

        let midway = try waitFor("some of it downloaded") { () -> [String: Any]? in
            let status = try torrentStatus(peer, "album")
            let bytes = status["done"] as? Int ?? 0
            return bytes > 0 && bytes < 12 << 20 ? status : nil
        }
        XCTAssertEqual(midway["save_path"] as? String, incomplete)
        XCTAssertEqual(midway["destination"] as? String, done)
        XCTAssertFalse(dataFiles(incomplete).isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: done + "/album"), "nothing at the save path before it is complete")

        try waitUntil("complete and moved", timeout: 60) {
            let status = try torrentStatus(peer, "album")
            return status["state"] as? String == "seeding" && status["save_path"] as? String == done
        }
        XCTAssertTrue(try torrentStatus(peer, "album")["destination"] is NSNull, "arrived")
        XCTAssertEqual(try digests(done), try digests(scratch.path + "/src"))
        XCTAssertEqual(dataFiles(incomplete), [])
        let events = try spawn(btxPath, ["events", "--since", "0", "--no-wait", "--json", "--state-dir", peer.state])
        XCTAssertTrue(events.text.contains(#""type":"moved""#), events.text)

        // Restarted, it stays where it arrived.
        try stopDaemon(peer)
        try startDaemon(peer, ["--incomplete-dir", incomplete], in: self)
        try waitUntil("seeding again") { try torrentStatus(peer, "album")["state"] as? String == "seeding" }
        XCTAssertEqual(try torrentStatus(peer, "album")["save_path"] as? String, done)
    }

    /// SIGKILL as the first file shows up at the save path (mid-move, or
    /// just after), then a restart: the data is whole in one place, the
    /// save path, and nothing is downloaded again.
    func testADaemonKilledDuringTheMoveEndsWithTheDataWholeInOnePlace() throws {
        let scratch = try Scratch()
        let (torrent, port) = try album(scratch, each: 32 << 20)
        let incomplete = scratch.path + "/incomplete", done = try otherFilesystem() + "/done"
        let peer = try Peer(scratch, "daemon")
        let daemon = ["daemon", "--foreground", "--json", "--incomplete-dir", incomplete] + peer.common
        let first = try startAndAdd(daemon, peer, torrent, to: done, from: port)
        // Closer than waitUntil's 20 ms: a copy onto tmpfs is quick.
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: done + "/album") && Date() < deadline { usleep(500) }
        first.signal(SIGKILL)
        _ = try first.wait()

        let second = try RunningProcess(btxPath, daemon)
        defer { second.signal(SIGTERM); _ = try? second.wait() }
        do {
            try waitUntil("complete at its save path", timeout: 30) {
                guard let status = try? torrentStatus(peer, "album") else { return false }
                return status["state"] as? String == "seeding" && status["save_path"] as? String == done
            }
        } catch {
            throw TestFailure("\(error): \((try? torrentStatus(peer, "album")) ?? [:]); the daemon said \(second.output.suffix(8))")
        }
        XCTAssertEqual(try digests(done), try digests(scratch.path + "/src"))
        XCTAssertEqual(dataFiles(incomplete), [])
        let downloaded = try torrentStatus(peer, "album")["session_downloaded"] as? Int ?? 0
        XCTAssertLessThan(downloaded, 1 << 20, "the restart downloaded it again")
    }

    /// A file of the same name that shows up at the save path while the
    /// torrent still downloads is someone else's: a restart leaves it be,
    /// and the move that would replace it fails, the data kept whole.
    func testSameNamedFilesAtTheSavePathAreNeverTaken() throws {
        let scratch = try Scratch()
        let (torrent, port) = try album(scratch, each: 4 << 20, seederCap: 2 << 20)
        let incomplete = scratch.path + "/incomplete", done = scratch.path + "/done"
        let peer = try Peer(scratch, "daemon")
        let daemon = ["daemon", "--foreground", "--json", "--incomplete-dir", incomplete] + peer.common
        let first = try startAndAdd(daemon, peer, torrent, to: done, from: port)
        try waitUntil("some of it downloaded") { (try torrentStatus(peer, "album")["done"] as? Int ?? 0) > 0 }
        try scratch.write("done/album/a.bin", Data("mine".utf8))
        first.signal(SIGKILL)
        _ = try first.wait()

        let second = try RunningProcess(btxPath, daemon)
        defer { second.signal(SIGTERM); _ = try? second.wait() }
        try waitUntil("complete", timeout: 60) { try torrentStatus(peer, "album")["state"] as? String == "seeding" }
        XCTAssertEqual(try scratch.contents("done/album/a.bin"), Data("mine".utf8))
        try waitUntil("the move refused") { second.output.contains { $0.contains("stays in the incomplete folder") } }
        XCTAssertEqual(try torrentStatus(peer, "album")["save_path"] as? String, incomplete)
        XCTAssertEqual(try digests(incomplete), try digests(scratch.path + "/src"))
        XCTAssertEqual(try digests(done).keys.sorted(), ["album/a.bin"], "nothing moved beside it")
    }

    /// A foreground add exits once the data has moved, and its hook finds it there.
    func testAForegroundAddExitsAfterTheMoveAndItsHookSeesTheSavePath() throws {
        let scratch = try Scratch()
        let (torrent, port) = try album(scratch, each: 1 << 20)
        let incomplete = scratch.path + "/incomplete", done = try otherFilesystem() + "/done"
        try scratch.write("hook.sh", Data(#"printf '%s\n' "$BTX_SAVE_PATH" > "$1"; ls "$BTX_SAVE_PATH/album" >> "$1""#.utf8))
        let result = try Peer(scratch, "leecher").add([torrent, "-o", done, "--incomplete-dir", incomplete,
                                                       "--peer", "127.0.0.1:\(port)",
                                                       "--on-complete", "sh \(scratch.path)/hook.sh \(scratch.path)/hook.out"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try digests(done), try digests(scratch.path + "/src"))
        XCTAssertEqual(dataFiles(incomplete), [])
        XCTAssertEqual(try String(contentsOfFile: scratch.path + "/hook.out", encoding: .utf8), "\(done)\na.bin\nb.bin\nc.bin\n")
    }

    /// A folder that cannot be one stops the command before anything is added.
    func testAnIncompleteFolderThatCannotBeMadeIsOneLine() throws {
        let scratch = try Scratch()
        try scratch.write("file", Data("in the way".utf8))
        try scratch.write("src/x.bin", randomData(1000))
        let torrent = try makeTorrent(scratch.path + "/src/x.bin", scratch.path + "/x.torrent")
        let peer = try Peer(scratch, "peer")
        let add = try peer.add([torrent, "--incomplete-dir", scratch.path + "/file/sub"])
        assertOneLineError(add, status: 1, "incomplete-dir: ")
        try peer.appendConfig("incomplete-dir = \(scratch.path)/file\n")
        let daemon = try spawn(btxPath, ["daemon"] + peer.common)
        assertOneLineError(daemon, status: 1, "incomplete-dir: \(scratch.path)/file exists and is not a directory")
        XCTAssertEqual(try peer.savedTorrents().count, 0)
    }
}
