@testable import BTXSession
import TorrentKit
import XCTest

/// BEP 46 links and items, read and written without a DHT.
final class MutableTorrentLinkTests: XCTestCase {
    private let key = String(repeating: "0f", count: 32)

    func testALinkReadsBackAsItWasWritten() throws {
        let salted = try MutableTorrentLink(publicKey: key.uppercased(), salt: Array("site".utf8))
        XCTAssertEqual(salted.magnet, "magnet:?xs=urn:btpk:\(key)&s=73697465")
        XCTAssertEqual(try MutableTorrentLink(magnet: salted.magnet), salted)
        let bare = try MutableTorrentLink(publicKey: key, salt: [])
        XCTAssertEqual(bare.magnet, "magnet:?xs=urn:btpk:\(key)")
        let named = try XCTUnwrap(try MutableTorrentLink(magnet: "magnet:?dn=x&xs=urn%3Abtpk%3A\(key)&tr=udp%3A%2F%2Fa"))
        XCTAssertEqual(named.publicKey, key)
        XCTAssertEqual(named.extras, ["dn=x", "tr=udp%3A%2F%2Fa"])
        let v1 = String(repeating: "12", count: 20)
        XCTAssertEqual(try named.versionMagnet(fromValue: MutableTorrentLink.value(infoHashV1: v1, infoHashV2: nil)),
                       "magnet:?xt=urn:btih:\(v1)&dn=x&tr=udp%3A%2F%2Fa", "a version's magnet keeps the link's name and trackers")
        XCTAssertNil(try MutableTorrentLink(magnet: "magnet:?xt=urn:btih:" + String(repeating: "a", count: 40)))
        XCTAssertNil(try MutableTorrentLink(magnet: "site.torrent"))
    }

    func testBadKeysAndSaltsAreRefused() {
        for magnet in ["magnet:?xs=urn:btpk:abc", "magnet:?xs=urn:btpk:" + String(repeating: "zz", count: 32),
                       "magnet:?xs=urn:btpk:\(key)&s=abc", "magnet:?xs=urn:btpk:\(key)&s=+1",
                       "magnet:?xs=urn:btpk:\(key)&s=" + String(repeating: "00", count: 65)] {
            XCTAssertThrowsError(try MutableTorrentLink(magnet: magnet), magnet) { error in
                XCTAssertEqual((error as? BTXError)?.exitCode, .usage, magnet)
            }
        }
    }

    func testAnItemNamesTheVersionItsInfoHashIs() throws {
        let v1 = String(repeating: "12", count: 20), v2 = String(repeating: "34", count: 32)
        let hybrid = MutableTorrentLink.value(infoHashV1: v1, infoHashV2: v2)
        XCTAssertEqual(hybrid, Array("d2:ih20:".utf8) + hexBytes(v1)! + Array("e".utf8))
        let link = try MutableTorrentLink(publicKey: key, salt: [])
        XCTAssertEqual(try link.versionMagnet(fromValue: hybrid), "magnet:?xt=urn:btih:\(v1)")
        let v2Only = MutableTorrentLink.value(infoHashV1: nil, infoHashV2: v2)
        XCTAssertEqual(try link.versionMagnet(fromValue: v2Only), "magnet:?xt=urn:btmh:1220\(v2)")
        for junk in [Array("11:just a text".utf8), Array("d2:ih3:abce".utf8), Array("d2:xx20:".utf8) + hexBytes(v1)! + Array("e".utf8),
                     Array("i5e".utf8), []] {
            XCTAssertThrowsError(try link.versionMagnet(fromValue: junk))
        }
    }
}
