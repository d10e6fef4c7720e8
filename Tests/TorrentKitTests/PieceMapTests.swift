import Foundation
import TorrentKit
import XCTest
import TestSupport

/// Which pieces a torrent has, which are arriving and how many peers have
/// each; piece priorities and deadlines.
final class PieceMapTests: XCTestCase {
    func testBitfieldHexPacksLikeTheBitfieldMessage() {
        let have = [true, false, false, false, false, false, false, true, true, false, true]
        let map = PieceMap(have: have, downloading: have.map { _ in false }, availability: have.map { _ in 0 })
        XCTAssertEqual(map.bitfieldHex, "81a0")
        XCTAssertEqual(PieceMap(have: [], downloading: [], availability: []).bitfieldHex, "")
        XCTAssertEqual(PieceMap(have: Array(repeating: true, count: 8), downloading: [], availability: []).bitfieldHex, "ff")
    }

    func testAHalfDoneTorrentsMapOnBothSides() throws {
        let pieces = 16
        let swarm = try LocalSwarm([("half.bin", pieces * (16 << 10))])
        // A finished leecher and a seed would otherwise part ways: neither wants anything.
        let keep = [("close_redundant_connections", "false")]
        let (seeder, seeding, port) = try swarm.seeder(keep)
        let (leecher, torrent) = try swarm.leecher(peers: ["127.0.0.1:\(port)"], extra: keep) { $0.paused = true }
        // Every other piece; the rest skipped.
        let wanted = (0..<pieces).map { $0 % 2 == 0 }
        try leecher.setPiecePriorities(torrent, wanted.map { $0 ? 7 : 0 })
        try leecher.resume(torrent)
        try waitUntilFinished(leecher, torrent)
        let status = try leecher.status(torrent)
        XCTAssertEqual(status.state, .finished)
        XCTAssertEqual(status.piecesDone, pieces / 2)

        let map = try waitFor("the leecher's map") { () -> PieceMap? in
            _ = try leecher.events(timeout: 0.05)
            let map = try leecher.pieceMap(torrent)
            return map.availability.allSatisfy { $0 == 1 } ? map : nil
        }
        XCTAssertEqual(map.have, wanted)
        XCTAssertEqual(map.downloading, Array(repeating: false, count: pieces))
        XCTAssertEqual(map.bitfieldHex, "aaaa")
        // A seed has no piece picker: its availability comes from the peers' bitfields.
        let seen = try waitFor("the seeder to see the leecher's pieces") { () -> PieceMap? in
            _ = try seeder.events(timeout: 0.05)
            let map = try seeder.pieceMap(seeding)
            return map.availability == wanted.map { $0 ? 1 : 0 } ? map : nil
        }
        XCTAssertEqual(seen.have, Array(repeating: true, count: pieces))
        XCTAssertEqual(seen.bitfieldHex, "ffff")

        // Deadlines: a skipped piece asked for within a second arrives.
        try leecher.setPieceDeadline(torrent, piece: 1, milliseconds: 1000)
        try waitFor("the piece with a deadline") { () -> Bool? in
            _ = try leecher.events(timeout: 0.05)
            return try leecher.pieceMap(torrent).have[1] ? true : nil
        }
        try leecher.clearPieceDeadlines(torrent)
        for (piece, ms) in [(-1, 10), (pieces, 10), (0, -5)] {
            XCTAssertThrowsError(try leecher.setPieceDeadline(torrent, piece: piece, milliseconds: ms)) { error in
                XCTAssertEqual((error as? TorrentKitError)?.code, .invalidArgument)
            }
        }
        for bad in [[UInt8](repeating: 4, count: pieces - 1), [UInt8](repeating: 8, count: pieces)] {
            XCTAssertThrowsError(try leecher.setPiecePriorities(torrent, bad)) { error in
                XCTAssertEqual((error as? TorrentKitError)?.code, .invalidArgument)
            }
        }
    }

    func testAMagnetHasNoMapUntilItsMetadataArrives() throws {
        let session = try Session(settings: loopbackSettings)
        let torrent = try session.add(.magnet("magnet:?xt=urn:btih:" + String(repeating: "cd", count: 20)),
                                      options: AddOptions(savePath: NSTemporaryDirectory()))
        for call in [{ _ = try session.pieceMap(torrent) }, { try session.setPiecePriorities(torrent, [1]) },
                     { try session.setPieceDeadline(torrent, piece: 0, milliseconds: 1) }] {
            XCTAssertThrowsError(try call()) { error in
                XCTAssertEqual((error as? TorrentKitError)?.code, .noMetadata)
            }
        }
    }
}
