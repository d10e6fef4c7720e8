@testable import BTXCLI
@testable import BTXSession
import XCTest

/// Tables line up by terminal columns, not by characters: a CJK name takes
/// two columns a character.
final class DisplayWidthTests: XCTestCase {
    private let output = Output(json: false, quiet: true, environment: Environment(variables: ["NO_COLOR": "1"]))

    func testTableColumnsAlignWithWideNames() {
        let header = ["NAME", "SIZE", "STATE"]
        let rows = [["日本語のファイル", "1 KiB", "seeding"], ["plain.iso", "20 MiB", "paused"],
                    ["한국어 🎵", "3 B", "done"], ["café", "4 B", "x"]]
        let lines = output.tableLines(header, rows, rightAligned: [1])
        // Every line's last column starts at the same terminal column.
        let columns = zip(lines, [header] + rows).map { line, row in line.displayWidth - row.last!.displayWidth }
        XCTAssertEqual(Set(columns).count, 1, lines.joined(separator: "\n"))
        XCTAssertEqual(lines[1], "日本語のファイル   1 KiB  seeding")
    }

    func testWidths() {
        XCTAssertEqual("plain".displayWidth, 5)
        XCTAssertEqual("日本".displayWidth, 4)
        XCTAssertEqual("ｈｉ".displayWidth, 4, "fullwidth forms")
        XCTAssertEqual("e\u{301}".displayWidth, 1, "combining accent")
        XCTAssertEqual("\u{1100}\u{1161}".displayWidth, 2, "conjoining Hangul jamo")
        XCTAssertEqual("〿".displayWidth, 1, "U+303F is narrow")
        XCTAssertEqual(Paint.bold.apply("bold").displayWidth, 4, "colour takes no columns")
    }

    func testPrefixCutsByColumns() {
        XCTAssertEqual("日本語".prefix(displayWidth: 4), "日本")
        XCTAssertEqual("日本語".prefix(displayWidth: 5), "日本", "a wide character never straddles the edge")
        XCTAssertEqual("abc".prefix(displayWidth: 10), "abc")
        XCTAssertEqual(Paint.bold.apply("bold").prefix(displayWidth: 2), Paint.bold.apply("bo"), "a cut keeps the reset")
    }
}
