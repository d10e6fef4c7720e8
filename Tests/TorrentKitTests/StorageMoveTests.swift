import Foundation
import TorrentKit
import XCTest
import TestSupport

/// Moving a torrent's data while it downloads and once it is done; what
/// cannot work fails at once, or in an event, with the data left in place.
final class StorageMoveTests: XCTestCase {
    private func moved(_ session: Session, _ torrent: Torrent) throws -> String {
        try waitForEvent(session, "the move to end") { event -> Result<String, TorrentKitError>? in
            switch event {
            case .storageMoved(torrent, let path): return .success(path)
            case .storageMoveFailed(torrent, let message): return .failure(TorrentKitError(.io, message))
            default: return nil
            }
        }.get()
    }

    func testMovesDuringAndAfterADownloadWithDataIntact() throws {
        let swarm = try LocalSwarm([("pack/a.bin", 3 << 20), ("pack/sub/b.bin", 100_000)], pieceLength: 64 << 10)
        let (_, _, port) = try swarm.seeder()
        let (leecher, torrent) = try swarm.leecher(peers: ["127.0.0.1:\(port)"]) { $0.downloadLimit = 1 << 20 }
        try waitFor("part of the download") { () -> Bool? in
            _ = try leecher.events(timeout: 0.05)
            return try leecher.status(torrent).totalDone > 0 ? true : nil
        }
        let first = swarm.dir.path + "/first"
        try swarm.dir.mkdir("first")
        try leecher.moveStorage(torrent, to: first)
        XCTAssertEqual(try moved(leecher, torrent), first)
        XCTAssertEqual(try leecher.status(torrent).savePath, first)
        XCTAssertLessThan(try leecher.status(torrent).progress, 1, "moved while it was still downloading")
        try leecher.setLimits(torrent, TorrentLimits())
        try waitUntilFinished(leecher, torrent)
        // libtorrent hashes blocks still in its store buffer: it may call the
        // torrent finished a moment before the disk thread has written them.
        try waitUntil("the data whole in the folder it moved to", timeout: 10) { swarm.isComplete(in: first) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: swarm.dir.path + "/leech/pack"), "the old folder is gone")

        // Across file systems (a tmpfs), where libtorrent copies.
        let second = swarm.dir.path + "/second"
        try mountTmpfs(self, at: second, options: "size=16m")
        try leecher.moveStorage(torrent, to: second)
        XCTAssertEqual(try moved(leecher, torrent), second)
        XCTAssertTrue(swarm.isComplete(in: second))
        XCTAssertFalse(FileManager.default.fileExists(atPath: first + "/pack/a.bin"))
        // libtorrent agrees: a recheck finds every piece.
        try leecher.recheck(torrent)
        try waitForEvent(leecher, "the recheck") { event -> Bool? in
            if case .checked(torrent) = event { return true }
            return nil
        }
        XCTAssertEqual(try leecher.status(torrent).progress, 1)
    }

    func testWhatCannotWorkFailsAndLeavesTheDataWhereItIs() throws {
        let swarm = try LocalSwarm([("pack/a.bin", 2 << 20)], pieceLength: 64 << 10)
        let (session, torrent, _) = try swarm.seeder()
        func refused(_ directory: String, _ code: TorrentKitError.Code, _ words: String) {
            XCTAssertThrowsError(try session.moveStorage(torrent, to: directory), directory) { error in
                let error = error as? TorrentKitError
                XCTAssertEqual(error?.code, code, directory)
                XCTAssertTrue(error?.message.contains(words) == true, "\(directory): \(error?.message ?? "")")
            }
        }
        refused("relative/dir", .invalidArgument, "not an absolute path")
        refused(swarm.dir.path + "/nowhere", .io, "No such file or directory")
        try swarm.dir.write("a-file", bytes: [1])
        refused(swarm.dir.path + "/a-file", .io, "Not a directory")
        refused(swarm.seedPath, .invalidArgument, "already in")
        refused(swarm.seedPath + "/../seed/", .invalidArgument, "already in")

        let readOnly = swarm.dir.path + "/read-only"
        try mountTmpfs(self, at: readOnly, options: "ro,size=16m")
        refused(readOnly, .io, "Read-only file system")
        let small = swarm.dir.path + "/small"
        try mountTmpfs(self, at: small, options: "size=1m")
        refused(small, .io, "No space left on device")

        // A file of the same name in the way: nothing moves, nothing is overwritten.
        try swarm.dir.write("occupied/pack/a.bin", bytes: Array("mine".utf8))
        try session.moveStorage(torrent, to: swarm.dir.path + "/occupied")
        XCTAssertThrowsError(try moved(session, torrent)) { error in
            XCTAssertTrue("\(error)".contains("File exists"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: swarm.dir.path + "/occupied/pack/a.bin", encoding: .utf8), "mine")
        XCTAssertEqual(try session.status(torrent).savePath, swarm.seedPath)
        XCTAssertTrue(swarm.isComplete(in: swarm.seedPath))
    }
}
