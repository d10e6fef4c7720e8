import CBTX
import Foundation
import TorrentKit
import XCTest

/// The shim's IP filter and gzip calls: bad input is an error code with a
/// reason, never a crash.
final class IPFilterTests: XCTestCase {
    func testAddressesPrintAndSortByFamilyThenValue() {
        let low = IPAddress(v4: 0x7F00_0002), high = IPAddress(v4: 0xFFFF_FFFF), six = IPAddress(v6High: 0, low: 1)
        XCTAssertEqual(low.description, "127.0.0.2")
        XCTAssertEqual(six.description, "::1")
        XCTAssertEqual([six, high, low].sorted(), [low, high, six])
        XCTAssertNil(high.successor)
        XCTAssertEqual(IPAddress(v6High: 0, low: .max).successor, IPAddress(v6High: 1, low: 0))
        XCTAssertNil(IPRange(first: high, last: low))
        XCTAssertNil(IPRange(first: low, last: six))
    }

    func testFilterRangesAreCheckedAndASessionTakesThem() throws {
        var session: OpaquePointer?
        XCTAssertEqual(btx_session_new(nil, 0, nil, 0, &session), 0)
        defer { btx_session_free(session) }
        XCTAssertEqual(btx_session_set_ip_filter(nil, nil, 0), BTX_ERR_BAD_HANDLE.rawValue)
        XCTAssertEqual(btx_session_set_ip_filter(session, nil, 1), BTX_ERR_INVALID_ARG.rawValue)
        var range = btx_ip_range()
        range.family = 5
        XCTAssertEqual(btx_session_set_ip_filter(session, &range, 1), BTX_ERR_INVALID_ARG.rawValue)
        range.family = 4
        range.first.0 = 10
        XCTAssertEqual(btx_session_set_ip_filter(session, &range, 1), BTX_ERR_INVALID_ARG.rawValue)
        XCTAssertTrue(String(cString: btx_last_error()).contains("ends before it starts"))
        range.last.0 = 10
        XCTAssertEqual(btx_session_set_ip_filter(session, &range, 1), 0)
        XCTAssertEqual(btx_session_set_ip_filter(session, nil, 0), 0, "an empty list lifts the filter")

        let swift = try Session()
        try swift.setIPFilter([IPRange(first: IPAddress(v4: 1), last: IPAddress(v4: 2))!,
                               IPRange(first: IPAddress(v6High: 1, low: 0), last: IPAddress(v6High: 1, low: 9))!])
    }

    func testGunzipReadsMembersAndRefusesDamageAndBombs() throws {
        let path = NSTemporaryDirectory() + "btx-gunzip-" + UUID().uuidString
        try Data(repeating: 0x41, count: 100_000).write(to: URL(fileURLWithPath: path))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [path]
        try gzip.run()
        gzip.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: path + ".gz") }
        let packed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))

        XCTAssertEqual(try gunzip(packed, limit: 1 << 20), [UInt8](repeating: 0x41, count: 100_000))
        XCTAssertEqual(try gunzip(packed + packed + [0, 0, 0], limit: 1 << 20).count, 200_000)
        XCTAssertThrowsError(try gunzip(packed, limit: 99_999)) { XCTAssertEqual(($0 as? TorrentKitError)?.code, .invalidArgument) }
        XCTAssertThrowsError(try gunzip(Array(packed.dropLast(8)), limit: 1 << 20)) {
            XCTAssertEqual(($0 as? TorrentKitError)?.code, .parse)
        }
        XCTAssertThrowsError(try gunzip([], limit: 1 << 20)) { XCTAssertEqual(($0 as? TorrentKitError)?.code, .parse) }
        XCTAssertThrowsError(try gunzip(Array("not gzip".utf8), limit: 1 << 20)) {
            XCTAssertEqual(($0 as? TorrentKitError)?.code, .parse)
        }
    }
}
