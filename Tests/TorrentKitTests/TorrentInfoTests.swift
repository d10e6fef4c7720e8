import TorrentKit
import XCTest
import TestSupport

final class TorrentInfoTests: XCTestCase {
    func testMalformedMetainfoIsAParseError() {
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("random bytes", pseudoRandomBytes(512, seed: 11)),
            ("bencoded non-torrent", Array("d3:foo3:bare".utf8)),
            ("bencoded list", Array("li1ei2ee".utf8)),
            ("truncated", Array("d8:announce".utf8)),
            ("negative length", Array("d4:infod6:lengthi-1e4:name1:a12:piece lengthi16384e6:pieces0:ee".utf8)),
        ]
        for (name, bytes) in cases {
            XCTAssertThrowsError(try TorrentInfo(bytes: bytes), name) { error in
                XCTAssertEqual((error as? TorrentKitError)?.code, .parse, "\(name): \(error)")
            }
        }
    }

    func testTruncatedRealTorrentIsAParseError() throws {
        let dir = try TemporaryDirectory()
        try dir.write("x.bin", bytes: pseudoRandomBytes(50_000, seed: 5))
        let bytes = try TorrentCreator.create(try TorrentContent.scan(dir.path + "/x.bin"), options: TorrentOptions())
        XCTAssertNoThrow(try TorrentInfo(bytes: bytes))
        for cut in [1, bytes.count / 2, bytes.count - 1] {
            XCTAssertThrowsError(try TorrentInfo(bytes: Array(bytes.prefix(cut)))) { error in
                XCTAssertEqual((error as? TorrentKitError)?.code, .parse)
            }
        }
    }
}
