import TorrentKit
import XCTest

/// Reading one key of resume data without decoding its info dictionary.
final class BencodeTests: XCTestCase {
    func testStringForKeySkipsOtherValuesWhole() {
        let bytes = Array("d4:infod4:name5:inner6:pieces3:\u{0}:ee4:listli1eli2ee3:abce4:name5:outer1:zi0ee".utf8)
        XCTAssertEqual(BencodeValue.string(forKey: "name", inDictionary: bytes).map { String(decoding: $0, as: UTF8.self) }, "outer")
        XCTAssertNil(BencodeValue.string(forKey: "missing", inDictionary: bytes))
        XCTAssertNil(BencodeValue.string(forKey: "list", inDictionary: bytes), "not a string")
    }

    func testDamagedBytesGiveNothing() {
        for text in ["", "l4:namee", "d4:name", "d4:name99:short", "d4:infoi1", "d9999999999999999999999:xe", "di1e4:namee"] {
            XCTAssertNil(BencodeValue.string(forKey: "name", inDictionary: Array(text.utf8)), text)
        }
    }
}
