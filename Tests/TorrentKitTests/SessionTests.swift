import TorrentKit
import XCTest
import TestSupport

/// Two real libtorrent sessions on 127.0.0.1 driven through TorrentKit.
final class SessionTests: XCTestCase {
    func testLeecherDownloadsFromSeederOverLoopback() throws {
        let dir = try TemporaryDirectory()
        let payload = pseudoRandomBytes(3 << 20, seed: 7)
        try dir.write("seed/pack/data.bin", bytes: payload)
        try dir.write("seed/pack/notes.txt", bytes: Array("hello".utf8))
        try dir.mkdir("leech")
        let metainfo = try TorrentCreator.create(try TorrentContent.scan(dir.path + "/seed/pack"), options: TorrentOptions())

        let seeder = try Session(settings: loopbackSettings)
        var seedOptions = AddOptions(savePath: dir.path + "/seed")
        seedOptions.seedMode = true
        let seeding = try seeder.add(.metainfo(metainfo), options: seedOptions)
        let port = try waitFor("seeder to listen") { seeder.listenPort > 0 ? seeder.listenPort : nil }

        let leecher = try Session(settings: loopbackSettings)
        var leechOptions = AddOptions(savePath: dir.path + "/leech")
        leechOptions.peers = ["127.0.0.1:\(port)"]
        let leeching = try leecher.add(.metainfo(metainfo), options: leechOptions)

        var sawAdded = false
        _ = try waitFor("download to finish", timeout: 60) { () -> Bool? in
            for event in try leecher.events(timeout: 0.2) {
                if case .added(let t) = event, t == leeching { sawAdded = true }
                if case .finished(let t) = event, t == leeching { return true }
            }
            return nil
        }
        XCTAssertTrue(sawAdded)
        let status = try leecher.status(leeching)
        XCTAssertEqual(status.progress, 1)
        XCTAssertEqual(status.totalDone, Int64(payload.count + 5))
        XCTAssertEqual(try Array(Data(contentsOf: URL(fileURLWithPath: dir.path + "/leech/pack/data.bin"))), payload)

        let files = try leecher.files(leeching)
        XCTAssertEqual(files.map(\.path), ["pack/data.bin", "pack/notes.txt"])
        XCTAssertEqual(files.map(\.done), [Int64(payload.count), 5])
        XCTAssertEqual(try seeder.statuses().map(\.torrent), [seeding])
        XCTAssertEqual(try seeder.find(infoHash: status.infoHash), seeding)

        // Resume data arrives as an event that libtorrent can read back.
        try leecher.requestResumeData(leeching)
        let (resume, pieces) = try waitFor("resume data") { () -> ([UInt8], Int)? in
            for case .resumeData(let t, _, let data, let pieces) in try leecher.events(timeout: 0.2) where t == leeching {
                return (data, pieces)
            }
            return nil
        }
        XCTAssertEqual(pieces, try SavedTorrent(resumeData: resume).status.piecesDone)
        XCTAssertEqual(pieces, status.piecesDone)
        try leecher.remove(leeching)
        XCTAssertThrowsError(try leecher.status(leeching)) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .badHandle)
        }
        let readded = try leecher.add(.resumeData(resume), options: AddOptions())
        XCTAssertEqual(try leecher.status(readded).savePath, dir.path + "/leech")
    }

    func testMagnetWithoutMetadataHasNoFiles() throws {
        let session = try Session(settings: loopbackSettings)
        let torrent = try session.add(.magnet("magnet:?xt=urn:btih:" + String(repeating: "ab", count: 20)),
                                      options: AddOptions(savePath: NSTemporaryDirectory()))
        XCTAssertThrowsError(try session.files(torrent)) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .noMetadata)
        }
        // Adding the same torrent again gives back the handle it already has.
        let again = try session.add(.magnet("magnet:?xt=urn:btih:" + String(repeating: "ab", count: 20)),
                                    options: AddOptions(savePath: NSTemporaryDirectory()))
        XCTAssertEqual(again, torrent)
    }
}
