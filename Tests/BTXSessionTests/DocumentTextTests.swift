@testable import BTXSession
import XCTest

/// A table or the RPC's mirror reads each status document from its text in
/// place (TorrentDocument(text:)), not through JSON values: whatever the
/// text, it must read what TorrentDocument(json:) reads, or fail as it does.
final class DocumentTextTests: XCTestCase {
    private static let written: [UInt8] = {
        var fields: [(String, JSON)] = [
            ("info_hash", .string(String(repeating: "ab", count: 20))), ("info_hash_v1", .string(String(repeating: "ab", count: 20))),
            ("info_hash_v2", .null), ("name", .string("a \"quoted\" é 中文 😀 \u{1}")), ("state", .string("downloading")),
            ("running", .bool(true)), ("paused", .bool(false)), ("queue_position", .int(-1)), ("has_metadata", .bool(true)),
            ("progress", .double(0.25)), ("size", .int(Int64.max)), ("wanted", .null), ("done", .int(0)), ("pieces", .int(3)),
            ("pieces_done", .int(1)), ("downloaded", .int(Int64.min)), ("uploaded", .int(12345)), ("session_downloaded", .int(9)),
            ("session_uploaded", .int(0)), ("ratio", .double(1)), ("download_rate", .int(1)), ("upload_rate", .int(10)),
            ("peers", .int(100)), ("seeds", .int(7)), ("blocked_peers", .null), ("eta", .int(86400)), ("save_path", .string("/data")),
            ("destination", .null), ("error", .null), ("added_time", .int(1_796_578_368)), ("completed_time", .null),
            ("labels", .array([.string("tv"), .string("x\ty")])),
            ("settings", .object([("max_down", .int(1000)), ("max_up", .null), ("max_peers", .int(50)), ("max_uploads", .null),
                                  ("sequential", .bool(true)), ("super_seed", .bool(false)), ("upload_only", .bool(false)),
                                  ("seed", .bool(true)), ("seed_ratio", .double(1.5)), ("seed_time", .null), ("seed_idle", .int(600))])),
            ("goal_reached", .bool(false)), ("stream", .null), ("follows", .null),
        ]
        return JSON.object(fields).bytes
    }()

    private func read(_ text: String) throws -> TorrentDocument {
        try Array(text.utf8).withUnsafeBytes(TorrentDocument.init(text:))
    }

    private func fields(_ edit: (inout [(String, JSON)]) -> Void) throws -> String {
        var fields = try JSON(parsing: Self.written).objectFields!
        edit(&fields)
        return JSON.object(fields).text
    }

    func testTextReadsAsItsValueWhateverTheOrderSpacingOrKeysMissingOrAdded() throws {
        let expected = try TorrentDocument(json: JSON(parsing: Self.written))
        let text = String(decoding: Self.written, as: UTF8.self)
        XCTAssertEqual(try read(text), expected)
        // Space between every token, as another writer may put it.
        let spaced = text.replacingOccurrences(of: ",\"", with: " ,\n \"").replacingOccurrences(of: "\":", with: "\" :\t")
        XCTAssertEqual(try read(" " + spaced + "\n"), expected)
        // Keys in another order: read from the parsed object instead.
        let reordered = try fields { $0.reverse() }
        XCTAssertEqual(try read(reordered), try TorrentDocument(json: JSON(parsing: reordered)))
        // A daemon older than labels, destination, following and idle goals.
        let older = try fields { fields in
            fields.removeAll { ["labels", "destination", "follows"].contains($0.0) }
            if let at = fields.firstIndex(where: { $0.0 == "settings" }), var settings = fields[at].1.objectFields {
                settings.removeAll { $0.0 == "seed_idle" }
                fields[at].1 = .object(settings)
            }
        }
        XCTAssertEqual(try read(older), try TorrentDocument(json: JSON(parsing: older)))
        XCTAssertEqual(try read(older).settings.labels, [])
        // A newer daemon's keys, in the middle and at the end, are passed over.
        let newer = try fields { fields in
            fields.insert(("new_field", .object([("nested", .array([.string("]}"), .int(1)]))])), at: 3)
            fields.append(("later", .string("\\\"")))
        }
        XCTAssertEqual(try read(newer), expected)
    }

    func testNumbersReadAsTheParserReadsThem() throws {
        for (written, value) in [("1.0", 1.0), ("-0.0", -0.0), ("2.50", 2.5), ("1e3", 1000), ("0.1", 0.1), ("7", 7)] {
            let text = try fields { fields in
                if let at = fields.firstIndex(where: { $0.0 == "ratio" }) { fields[at].1 = .string("RATIO") }
            }.replacingOccurrences(of: "\"RATIO\"", with: written)
            let document = try read(text)
            XCTAssertEqual(document.ratio, value, written)
            XCTAssertEqual(document.ratio.sign, value.sign, written)
        }
    }

    func testBadTextIsAnErrorNamingWhatIsWrong() throws {
        let text = String(decoding: Self.written, as: UTF8.self)
        XCTAssertThrowsError(try read(text.replacingOccurrences(of: "\"peers\":100", with: "\"peers\":\"100\""))) { error in
            XCTAssertTrue("\(error)".contains("\"peers\" is not an integer"), "\(error)")
        }
        XCTAssertThrowsError(try read(text.replacingOccurrences(of: "\"name\":", with: "\"nom\":"))) { error in
            XCTAssertTrue("\(error)".contains("\"name\""), "\(error)")
        }
        // Cut anywhere, with more after it, or not an object: an error, never a crash or a half read document.
        for length in stride(from: 0, to: text.utf8.count, by: 7) {
            XCTAssertThrowsError(try read(String(decoding: Self.written[..<length], as: UTF8.self)), "cut at \(length)")
        }
        XCTAssertThrowsError(try read(text + "{}"))
        XCTAssertThrowsError(try read("[" + text + "]"))
        XCTAssertThrowsError(try read(text.replacingOccurrences(of: "\"done\":0", with: "\"done\":0,")))
    }
}
