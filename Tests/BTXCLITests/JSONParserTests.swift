import BTXSession
import XCTest

/// The control socket's JSON reader: strings without escapes are taken
/// whole, the rest byte by byte; both must read what the writer wrote.
final class JSONParserTests: XCTestCase {
    func testStringsReadBackWhatWasWritten() throws {
        for text in ["", "plain", "ünïcödé ✓ 日本", "quote \" backslash \\ slash /", "line\nfeed\ttab\r\u{08}\u{0C}",
                     "\u{01}\u{1F} control", "emoji 🦀 after", "ends with escape\n"] {
            let written = JSON.object([("k", .string(text))]).text
            XCTAssertEqual(try JSON(parsing: written)["k"]?.stringValue, text, written)
        }
    }

    func testEscapesOfEveryKind() throws {
        let parsed = try JSON(parsing: #"["\u00e9\u0041", "a\/b", "\ud800", "x\"y", "\b\f\n\r\t\\", "é\nü ✓\t"]"#)
            .arrayValue?.map(\.stringValue)
        // A lone surrogate cannot be a scalar: it reads as U+FFFD.
        XCTAssertEqual(parsed, ["éA", "a/b", "\u{FFFD}", "x\"y", "\u{08}\u{0C}\n\r\t\\", "é\nü ✓\t"])
    }

    func testMalformedStringsAreErrorsNotGuesses() {
        for bad: [UInt8] in [Array(#"["abc"#.utf8), Array("[\"a\u{01}b\"]".utf8), [0x5B, 0x22, 0xFF, 0x22, 0x5D],
                             [0x5B, 0x22, 0xC3, 0x22, 0x5D], Array(#"["\u12"]"#.utf8), [0x5B, 0x22, 0x5C, 0xC3, 0xA9, 0x22, 0x5D],
                             // Invalid UTF-8 after an escape, and a lead byte cut off by one.
                             [0x5B, 0x22, 0x5C, 0x6E, 0xFF, 0x22, 0x5D], [0x5B, 0x22, 0xC3, 0x5C, 0x6E, 0x22, 0x5D]] {
            XCTAssertThrowsError(try JSON(parsing: bad), String(decoding: bad, as: UTF8.self))
        }
    }

    func testADocumentOfManyObjectsReadsWhole() throws {
        let torrents = (0..<500).map { i in
            JSON.object([("name", .string("item-\(i) ✓")), ("done", .int(Int64(i))), ("ratio", .double(0.5)),
                         ("paused", .bool(i % 2 == 0)), ("error", .null)])
        }
        let parsed = try JSON(parsing: JSON.object([("torrents", .array(torrents))]).bytes)
        XCTAssertEqual(parsed["torrents"]?.arrayValue?.count, 500)
        XCTAssertEqual(parsed["torrents"]?.arrayValue?.last?["name"]?.stringValue, "item-499 ✓")
        XCTAssertEqual(parsed["torrents"]?.arrayValue?.last?["done"]?.intValue, 499)
    }
}
