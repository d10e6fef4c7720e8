@testable import BTXSession
import XCTest

/// Status documents are written field by field through JSONWriter, not
/// built as JSON values: what it writes must be byte for byte what
/// JSON.write writes for the same document, whatever the values hold.
final class DocumentWriterTests: XCTestCase {
    func testAWrittenDocumentIsWhatJSONWriteWritesForItsValues() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{7} \u{1F} é 中文 😀"
        let long = String(repeating: "\u{1}", count: 5000)
        for (name, labels, ratio, stream, pieceMap) in [
            ("plain.iso", [String](), JSON.double(0), JSON.null, nil),
            (awkward, ["a", awkward, long], .double(1e-05), .object([("file", .int(0)), ("path", .string(awkward)), ("offset", .int(5)),
                                                                    ("end", .int(9)), ("window_pieces", .int(4)), ("readers", .int(2))]),
             JSON.object([("pieces", .int(3)), ("piece_length", .int(16384)), ("bitfield", .string("a0")), ("downloading", .null),
                          ("availability", .array([.int(1), .int(0), .int(2)]))])),
            (long, ["x"], .double(123.456), .null, nil),
        ] as [(String, [String], JSON, JSON, JSON?)] {
            var fields: [(String, JSON)] = [
                ("info_hash", .string(String(repeating: "ab", count: 20))), ("info_hash_v1", .string(String(repeating: "ab", count: 20))),
                ("info_hash_v2", .null), ("name", .string(name)), ("state", .string("downloading")), ("running", .bool(true)),
                ("paused", .bool(false)), ("queue_position", .int(-1)), ("has_metadata", .bool(true)), ("progress", .double(0.25)),
                ("size", .int(Int64.max)), ("wanted", .null), ("done", .int(0)), ("pieces", .int(3)), ("pieces_done", .int(1)),
                ("downloaded", .int(Int64.min)), ("uploaded", .int(12345)), ("session_downloaded", .int(9)), ("session_uploaded", .int(0)),
                ("ratio", ratio), ("download_rate", .int(1)), ("upload_rate", .int(10)), ("peers", .int(100)), ("seeds", .int(7)),
                ("blocked_peers", .null), ("eta", .int(86400)), ("save_path", .string("/data/" + name)), ("destination", .null),
                ("error", .string(awkward)), ("added_time", .int(1_796_578_368)), ("completed_time", .null),
                ("labels", .array(labels.map(JSON.string))),
                ("settings", .object([("max_down", .int(1000)), ("max_up", .null), ("max_peers", .int(50)), ("max_uploads", .null),
                                      ("sequential", .bool(true)), ("super_seed", .bool(false)), ("upload_only", .bool(false)),
                                      ("seed", .bool(true)), ("seed_ratio", .double(1.5)), ("seed_time", .null), ("seed_idle", .int(600))])),
                ("goal_reached", .bool(false)), ("stream", stream),
                ("follows", stream.objectFields == nil ? .null : .object([("link", .string("magnet:?xs=urn:btpk:" + String(repeating: "cd", count: 32))),
                                                              ("public_key", .string(String(repeating: "cd", count: 32))),
                                                              ("seq", .int(Int64.max))])),
            ]
            if let pieceMap { fields.append(("piece_map", pieceMap)) }
            let expected = JSON.object(fields).bytes
            let document = try TorrentDocument(json: try JSON(parsing: expected))
            XCTAssertEqual(try expected.withUnsafeBytes(TorrentDocument.init(text:)), document, "read from its text in place")
            var written: [UInt8] = []
            document.write(into: &written)
            XCTAssertEqual(String(decoding: written, as: UTF8.self), String(decoding: expected, as: UTF8.self))
            XCTAssertEqual(document.json.bytes, expected)
        }
    }
}
