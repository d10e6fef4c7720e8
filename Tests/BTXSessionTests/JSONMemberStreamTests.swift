import BTXSession
import XCTest

/// A status reply is read as it arrives, in whatever pieces the socket
/// gives: every way of cutting it must hand over the same members and items.
final class JSONMemberStreamTests: XCTestCase {
    private let reply = #"""
        { "overview" : {"running":true,"labelled":false,"queued":false}, "count": 3,
          "torrents": [ {"name":"a, [b] {c}","n":[1,[2],{"x":"]"}]} , {"name":"quote \" and \\ and \\\""}, "plain", 7, [] ],
          "empty": [], "last": "}" }
        """#

    private func parts(_ text: String, cutEvery size: Int) throws -> (parts: [String], complete: Bool) {
        var stream = JSONMemberStream()
        var seen: [String] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            try bytes[start..<end].withUnsafeBytes { piece in
                try stream.feed(piece) { part in
                    switch part {
                    case .member(let key, let value): seen.append("member \(key) \(String(decoding: value.bytes, as: UTF8.self))")
                    case .item(let key, let text): seen.append("item \(key) \(String(decoding: try JSON(parsing: text).bytes, as: UTF8.self))")
                    }
                }
            }
            start = end
        }
        return (seen, stream.isComplete)
    }

    func testEveryCutOfAReplyHandsOverTheSameParts() throws {
        let whole = try parts(reply, cutEvery: Int.max)
        XCTAssertTrue(whole.complete)
        XCTAssertEqual(whole.parts, [
            #"member overview {"running":true,"labelled":false,"queued":false}"#,
            "member count 3",
            #"item torrents {"name":"a, [b] {c}","n":[1,[2],{"x":"]"}]}"#,
            #"item torrents {"name":"quote \" and \\ and \\\""}"#,
            #"item torrents "plain""#,
            "item torrents 7",
            "item torrents []",
            #"member last "}""#,
        ])
        for size in 1...40 {
            let cut = try parts(reply, cutEvery: size)
            XCTAssertEqual(cut.parts, whole.parts, "cut every \(size) bytes")
            XCTAssertTrue(cut.complete)
        }
    }

    func testAReplyCutShortIsNotComplete() throws {
        let bytes = Array(reply.utf8)
        for length in [0, 1, 20, bytes.count / 2, bytes.count - 1] {
            let cut = try parts(String(decoding: bytes[..<length], as: UTF8.self), cutEvery: 7)
            XCTAssertFalse(cut.complete, "\(length) bytes")
        }
    }

    func testMalformedRepliesThrow() {
        for text in [#"["not an object"]"#, #"{"a" 1}"#, #"{"a": [1,]x}"#, #"{"a": {"b": 1]}"#, #"{"a": [1}]}"#, #"{"a": 1} x"#,
                     #"{"a": tru}"#, #"{"a": [,]}"#] {
            XCTAssertThrowsError(try parts(text, cutEvery: 3), text)
        }
    }
}
