import Foundation
import TestSupport
import XCTest

/// A torrent added paused holds none of libtorrent's peer plugins (480
/// bytes a torrent in a daemon of 100,000 paused ones); it is given them
/// before it first runs. A paused magnet, once resumed, fetches its metadata
/// (ut_metadata) and tells a later peer where its seeder is (ut_pex).
final class PeerPluginTests: XCTestCase {
    func testTorrentsAddedPausedFetchMetadataAndExchangePeersOnceResumed() throws {
        let scratch = try Scratch()
        try scratch.write("src/payload.bin", randomData(4 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/payload.bin", scratch.path + "/payload.torrent")
        let info = try spawn(btxPath, ["info", "--json", torrent]).json()
        let magnet = try XCTUnwrap(info["magnet_uri"] as? String)
        let hash = try XCTUnwrap(info["info_hash"] as? String)
        let seederPeer = try Peer(scratch, "seeder")
        let (seeder, seederPort) = try seederPeer.seed([torrent], from: scratch.path + "/src")
        defer { withExtendedLifetime(seeder) {} }

        let middlePort = freePort(), middle = try Peer(scratch, "middle", port: middlePort)
        try startDaemon(middle, in: self)
        // Both download slowly: a peer that completes drops the seeder
        // (seeds do not stay connected), and the last one must still want it.
        try addPausedAndResume(middle, magnet, hash, peer: seederPort, into: scratch.path + "/middle", maxDown: "64k")
        try waitUntil("the middle peer to fetch the metadata", timeout: 30) {
            (try? torrentStatus(middle, hash))?["has_metadata"] as? Bool == true
        }

        // The last peer knows only the middle one.
        let last = try Peer(scratch, "last")
        try startDaemon(last, in: self)
        try addPausedAndResume(last, magnet, hash, peer: middlePort, into: scratch.path + "/last", maxDown: "64k")
        // Only PEX through the middle peer can bring the last one and the
        // seeder together: it dials the seeder, or the seeder, told of it
        // the same way, dials it. Either way the seeder has a second peer.
        var addresses: [String] = []
        do {
            try waitUntil("the last peer and the seeder to meet through the middle one", timeout: 30) {
                let peers = try? spawn(btxPath, ["peers", hash, "--json", "--state-dir", seederPeer.state]).json()["peers"]
                addresses = ((peers as? [[String: Any]]) ?? []).compactMap { $0["address"] as? String }
                return addresses.count >= 2
            }
        } catch {
            throw TestFailure("\(error); the seeder's peers: \(addresses), seeder on \(seederPort), middle on \(middlePort)")
        }
    }

    private func addPausedAndResume(_ peer: Peer, _ magnet: String, _ hash: String, peer port: Int, into directory: String,
                                    maxDown: String? = nil) throws {
        let added = try spawn(btxPath, ["add", "--detach", "--paused", "-q", "--state-dir", peer.state, magnet,
                                        "--peer", "127.0.0.1:\(port)", "-o", directory])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertEqual(try torrentStatus(peer, hash)["state"] as? String, "paused")
        if let maxDown {
            let set = try spawn(btxPath, ["set", hash, "--max-down", maxDown, "--state-dir", peer.state])
            XCTAssertEqual(set.status, 0, set.stderr)
        }
        let resumed = try spawn(btxPath, ["resume", hash, "--state-dir", peer.state])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }
}
