import TorrentKit
import XCTest
import TestSupport

/// Edits of .torrent bytes: what changes, where new keys and tiers go, and
/// what is refused.
final class MetainfoEditTests: XCTestCase {
    private func torrent(_ trackers: [[String]] = [], webSeeds: [String] = []) throws -> [UInt8] {
        let dir = try TemporaryDirectory()
        try dir.write("content/a.bin", bytes: pseudoRandomBytes(20_000, seed: 3))
        var options = TorrentOptions()
        options.trackerTiers = trackers
        options.webSeeds = webSeeds
        return try TorrentCreator.create(try TorrentContent.scan(dir.path + "/content"), options: options)
    }

    private func tiers(_ bytes: [UInt8]) throws -> [[String]] {
        let info = try TorrentInfo(bytes: bytes)
        return Dictionary(grouping: info.trackers, by: \.tier).sorted { $0.key < $1.key }.map { $0.value.map(\.url) }
    }

    func testAddedTrackersGoToNewTiersOrTheTierNamed() throws {
        let original = try torrent([["udp://a:1"], ["udp://b:1", "udp://c:1"]])
        var edit = MetainfoEdit()
        edit.addTrackers = ["udp://d:1", "udp://e:1", "udp://a:1"]
        XCTAssertEqual(try tiers(edit.apply(to: original)), [["udp://a:1"], ["udp://b:1", "udp://c:1"], ["udp://d:1"], ["udp://e:1"]])
        edit.addTier = 1
        XCTAssertEqual(try tiers(edit.apply(to: original)), [["udp://a:1"], ["udp://b:1", "udp://c:1", "udp://d:1", "udp://e:1"]])
        edit.addTier = 7
        XCTAssertEqual(try tiers(edit.apply(to: original)), [["udp://a:1"], ["udp://b:1", "udp://c:1"], ["udp://d:1", "udp://e:1"]])

        edit = MetainfoEdit()
        edit.removeTrackers = ["udp://a:1"]
        XCTAssertEqual(try tiers(edit.apply(to: original)), [["udp://b:1", "udp://c:1"]], "an emptied tier goes")
        edit.removeTrackers = ["udp://b:1", "udp://c:1", "udp://a:1"]
        let bare = try edit.apply(to: original)
        XCTAssertEqual(try tiers(bare), [])
        XCTAssertNil(RawBencodeDictionary(bencoded: bare)?["announce"])
        XCTAssertNil(RawBencodeDictionary(bencoded: bare)?["announce-list"])

        // One tracker: a plain announce key, no list.
        edit = MetainfoEdit()
        edit.addTrackers = ["http://only/announce"]
        let one = try edit.apply(to: try torrent())
        XCTAssertEqual(RawBencodeDictionary(bencoded: one)?.value("announce")?.text, "http://only/announce")
        XCTAssertNil(RawBencodeDictionary(bencoded: one)?["announce-list"])
    }

    func testWhatCannotBeDoneIsRefused() throws {
        let original = try torrent([["udp://a:1"]], webSeeds: ["http://s/"])
        func refused(_ change: (inout MetainfoEdit) -> Void, _ code: TorrentKitError.Code) {
            var edit = MetainfoEdit()
            change(&edit)
            XCTAssertThrowsError(try edit.apply(to: original), "\(edit)") { error in
                XCTAssertEqual((error as? TorrentKitError)?.code, code, "\(edit)")
            }
        }
        refused({ $0.removeTrackers = ["udp://z:1"] }, .notFound)
        refused({ $0.removeWebSeeds = ["http://z/"] }, .notFound)
        refused({ $0.addTrackers = ["wss://t/"] }, .invalidArgument)
        refused({ $0.replaceTrackers = [["udp://ok:1", "mailto:x"]] }, .invalidArgument)
        refused({ $0.addWebSeeds = ["ftp://s/"] }, .invalidArgument)
        refused({ $0.addTrackers = ["udp://b:1"]; $0.addTier = -1 }, .invalidArgument)
        XCTAssertThrowsError(try MetainfoEdit().apply(to: Array("d4:infoi1ee".utf8))) { error in
            XCTAssertEqual((error as? TorrentKitError)?.code, .parse)
        }
        XCTAssertTrue(MetainfoEdit().isEmpty)
    }

    func testARawDictionaryKeepsOrderAndInsertsSorted() throws {
        var dictionary = try XCTUnwrap(RawBencodeDictionary(bencoded: Array("d1:zi1e1:bi02e1:ai3ee".utf8)))
        dictionary.set("m", Array("1:x".utf8))
        XCTAssertEqual(String(decoding: dictionary.bencoded, as: UTF8.self), "d1:m1:x1:zi1e1:bi02e1:ai3ee",
                       "the old entries keep their order and bytes; the new key goes before the first greater one")
        dictionary = try XCTUnwrap(RawBencodeDictionary(bencoded: Array("d1:ai1e1:ci3ee".utf8)))
        dictionary.set("b", Array("i2e".utf8))
        dictionary.set("c", nil)
        XCTAssertEqual(String(decoding: dictionary.bencoded, as: UTF8.self), "d1:ai1e1:bi2ee")
        XCTAssertNil(RawBencodeDictionary(bencoded: Array("d1:ai1e".utf8)))
        XCTAssertNil(RawBencodeDictionary(bencoded: Array("d1:ai1eexx".utf8)))
        XCTAssertNil(RawBencodeDictionary(bencoded: Array("li1ee".utf8)))
    }
}
