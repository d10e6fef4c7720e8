import Foundation
import TestSupport
import TorrentKit
import XCTest

/// Reads of many torrents made on libtorrent's thread in one hop.
final class BatchTests: XCTestCase {
    func testReadsInABatchMatchReadsOutsideAndErrorsComeBack() throws {
        let session = try Session(settings: loopbackSettings)
        var options = AddOptions(savePath: NSTemporaryDirectory())
        options.paused = true
        let torrents = try (1...20).map { index in
            try session.add(.magnet("magnet:?xt=urn:btih:" + String(format: "%040x", index) + "&tr=http://127.0.0.1:1/announce"),
                            options: options)
        }
        let outside = try torrents.map { try session.trackers($0).map(\.url) }
        let inside = try session.batch { try torrents.map { try session.trackers($0).map(\.url) } }
        XCTAssertEqual(inside, outside)
        XCTAssertEqual(inside.first, ["http://127.0.0.1:1/announce"])
        XCTAssertEqual(try session.batch { try session.status(torrents[3]).infoHash }, try session.status(torrents[3]).infoHash)
        // A read that fails inside (no metadata yet) throws out of the batch, and the session goes on.
        XCTAssertThrowsError(try session.batch { try session.files(torrents[0]) }) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .noMetadata)
        }
        XCTAssertEqual(try session.batch { 7 }, 7)
    }
}
