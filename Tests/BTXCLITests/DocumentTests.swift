@testable import BTXSession
import XCTest

/// The typed documents read back what they write, hold to their contract
/// (the schemas and the man page come from it), and refuse a document that
/// lacks a field rather than reading it as zero.
final class DocumentTests: XCTestCase {
    private static let torrent = #"{"info_hash":"0123456789abcdef0123456789abcdef01234567","info_hash_v1":"0123456789abcdef0123456789abcdef01234567","info_hash_v2":null,"name":"movie.bin","state":"downloading","running":true,"paused":false,"queue_position":0,"has_metadata":true,"progress":0.5,"size":1048576,"wanted":1048576,"done":524288,"pieces":4,"pieces_done":2,"downloaded":524288,"uploaded":0,"session_downloaded":524288,"session_uploaded":0,"ratio":0.0,"download_rate":65536,"upload_rate":0,"peers":1,"seeds":1,"blocked_peers":0,"eta":8,"save_path":"/tmp/dl","destination":"/srv/done","error":null,"added_time":1700000000,"completed_time":null,"labels":["tv"],"settings":{"max_down":null,"max_up":1000,"max_peers":null,"max_uploads":null,"sequential":true,"super_seed":false,"upload_only":false,"seed":false,"seed_ratio":1.5,"seed_time":null,"seed_idle":null},"goal_reached":false,"stream":{"file":0,"path":"movie.bin","offset":1000,"end":2000,"window_pieces":4,"readers":2},"follows":{"link":"magnet:?xs=urn:btpk:abababababababababababababababababababababababababababababababab","public_key":"abababababababababababababababababababababababababababababababab","seq":3},"piece_map":{"pieces":4,"piece_length":262144,"bitfield":"c0","downloading":"20","availability":[1,1,1,0]}}"#
    private static let peer = #"{"address":"127.0.0.1:6881","client":"btx/1.0","flags":"I-i-S-UR","progress":1.0,"download_rate":100,"upload_rate":0,"downloaded":4096,"uploaded":0}"#
    private static let file = #"{"index":2,"path":"a/b.bin","size":10,"offset":20,"root":"efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef","done":5,"progress":0.5,"priority":"high"}"#
    private static let metainfoFile = #"{"index":0,"path":"a.bin","size":10,"offset":0,"root":null}"#
    private static let tracker = #"{"url":"http://127.0.0.1:6969/announce","tier":1,"state":"working","message":null,"last_announce":1700000000,"next_announce":null,"seeds":3,"peers":null,"downloaded":7}"#

    private func roundTrip<T>(_ text: String, _ read: (JSON) throws -> T, _ write: (T) -> JSON,
                              contract: JSONObject, file: StaticString = #filePath, line: UInt = #line) throws {
        let json = try JSON(parsing: text)
        let document = try read(json)
        XCTAssertEqual(write(document).text, text, "written differs from read", file: file, line: line)
        let keys = (json.objectFields ?? []).map(\.0)
        XCTAssertEqual(keys, contract.fields.map(\.name).filter(keys.contains), "keys out of the contract's order",
                       file: file, line: line)
        XCTAssertEqual(Set(keys), Set(contract.fields.map(\.name)), "keys differ from the contract", file: file, line: line)
    }

    func testEveryDocumentReadsBackWhatItWritesAndFollowsItsContract() throws {
        try roundTrip(Self.torrent, TorrentDocument.init(json:), \.json, contract: TorrentDocument.contract)
        XCTAssertEqual(try Array(Self.torrent.utf8).withUnsafeBytes(TorrentDocument.init(text:)),
                       try TorrentDocument(json: JSON(parsing: Self.torrent)), "read from its text in place")
        try roundTrip(Self.peer, PeerDocument.init(json:), \.json, contract: PeerDocument.contract)
        try roundTrip(Self.file, FileDocument.init(json:), \.json, contract: FileDocument.contract)
        try roundTrip(Self.tracker, TrackerDocument.init(json:), \.json, contract: TrackerDocument.contract)
        let sub = try TorrentDocument(json: JSON(parsing: Self.torrent))
        XCTAssertEqual(sub.settings.json.objectFields?.map(\.0), TorrentSettings.contract.fields.map(\.name))
        XCTAssertEqual(sub.stream?.json.objectFields?.map(\.0), StreamDocument.contract.fields.map(\.name))
        XCTAssertEqual(sub.pieceMap?.json.objectFields?.map(\.0), PieceMapDocument.contract.fields.map(\.name))
        XCTAssertEqual(sub.settings.seeding.ratio, 1.5)
        XCTAssertEqual(sub.pieceMap?.availability, [1, 1, 1, 0])
    }

    func testOptionalPartsAreLeftOutOrNull() throws {
        var torrent = try TorrentDocument(json: JSON(parsing: Self.torrent))
        torrent.pieceMap = nil
        torrent.stream = nil
        XCTAssertNil(torrent.json["piece_map"], "piece_map is only there when asked for")
        XCTAssertEqual(torrent.json["stream"].map { if case .null = $0 { true } else { false } }, true)
        XCTAssertEqual(try TorrentDocument(json: torrent.json), torrent)
        let metainfo = try FileDocument(json: JSON(parsing: Self.metainfoFile))
        XCTAssertNil(metainfo.progress)
        XCTAssertEqual(metainfo.json.text, Self.metainfoFile)
    }

    /// A field renamed on one side is an error naming it on the other, never a zero.
    func testAMissingOrMistypedFieldIsAnErrorThatNamesIt() throws {
        for (text, read) in [(Self.torrent, { _ = try TorrentDocument(json: $0) }), (Self.peer, { _ = try PeerDocument(json: $0) }),
                             (Self.tracker, { _ = try TrackerDocument(json: $0) })] as [(String, (JSON) throws -> Void)] {
            let fields = try JSON(parsing: text).objectFields ?? []
            // piece_map comes only when asked for; labels, destination and follows may be absent from an older daemon's.
            for (index, field) in fields.enumerated() where !["piece_map", "labels", "destination", "follows"].contains(field.0) {
                var missing = fields
                missing.remove(at: index)
                XCTAssertThrowsError(try read(.object(missing)), "without \(field.0)") { error in
                    XCTAssertTrue((error as? BTXError)?.message.contains("\"\(field.0)\"") == true, "\(error)")
                }
                var mistyped = fields
                // An array where one belongs is mistyped by an object.
                mistyped[index].1 = field.1.arrayValue == nil ? .array([]) : .object([])
                XCTAssertThrowsError(try read(.object(mistyped)), "\(field.0) mistyped")
            }
        }
    }

    func testEveryControlMethodIsAnsweredByName() {
        XCTAssertEqual(Set(ControlMethod.allCases.map(\.rawValue)).count, ControlMethod.allCases.count)
        XCTAssertEqual(ControlMethod(rawValue: "stream_end"), .streamEnd)
        XCTAssertEqual(ControlMethod.status.request([("torrents", .array([]))]).text,
                       #"{"method":"status","params":{"torrents":[]}}"#)
    }
}
