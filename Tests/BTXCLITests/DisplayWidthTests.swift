@testable import BTXCLI
@testable import BTXSession
import Foundation
import XCTest

/// Tables line up by terminal columns, not by characters: a CJK name takes
/// two columns a character.
final class DisplayWidthTests: XCTestCase {

    func testTableColumnsAlignWithWideNames() {
        let header = ["NAME", "SIZE", "STATE"]
        let rows = [["日本語のファイル", "1 KiB", "seeding"], ["plain.iso", "20 MiB", "paused"],
                    ["한국어 🎵", "3 B", "done"], ["café", "4 B", "x"]]
        let lines = Output(width: 200, color: false).tableLines([TableColumn("NAME"), TableColumn("SIZE", numeric: true), TableColumn("STATE")],
                                                               rows.map { $0.map { TableCell($0) } })
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

    /// Every assigned code point, against Unicode's data as Python's
    /// unicodedata has it (tools/display-width.py): wide, zero-width or one.
    func testEveryCodePointAgreesWithUnicodesData() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = [root.appendingPathComponent("tools/display-width.py").path, "json"]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        XCTAssertEqual(python.terminationStatus, 0)
        let tables = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        func ranges(_ key: String) throws -> [ClosedRange<UInt32>] {
            try XCTUnwrap(tables[key] as? [[Int]]).map { UInt32($0[0])...UInt32($0[1]) }
        }
        let wide = try ranges("wide"), zero = try ranges("zero"), assigned = try ranges("assigned")
        XCTAssertEqual(wideRanges, wide, "DisplayWidthTable.swift is stale: run tools/display-width.py swift")
        func inside(_ value: UInt32, _ list: [ClosedRange<UInt32>]) -> Bool {
            var low = 0, high = list.count
            while low < high {
                let middle = (low + high) / 2
                if list[middle].upperBound < value { low = middle + 1 } else { high = middle }
            }
            return low < list.count && list[low].contains(value)
        }
        // Categories Unicode changed after Python's data, which Swift's follows:
        // U+1171E AHOM CONSONANT SIGN MEDIAL RA, a nonspacing mark until 15.0.
        let recategorized: Set<UInt32> = [0x1171E]
        var wrong: [String] = []
        for range in assigned {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }  // surrogates
                // Swift's own Unicode may be newer: a code point it calls unassigned is not judged.
                guard scalar.properties.generalCategory != .unassigned, !recategorized.contains(value) else { continue }
                let control = value < 0x20 || (0x7F..<0xA0).contains(value)
                let expected = control || (value >= 0x300 && inside(value, zero)) ? 0 : inside(value, wide) ? 2 : 1
                if columns(scalar) != expected, wrong.count < 20 { wrong.append(String(format: "U+%04X: %d, not %d", value, columns(scalar), expected)) }
            }
        }
        XCTAssertEqual(wrong, [])
        XCTAssertEqual("🚀✅⭐".displayWidth, 6, "emoji")
    }

    func testPrefixCutsByColumns() {
        XCTAssertEqual("日本語".prefix(displayWidth: 4), "日本")
        XCTAssertEqual("日本語".prefix(displayWidth: 5), "日本", "a wide character never straddles the edge")
        XCTAssertEqual("abc".prefix(displayWidth: 10), "abc")
        XCTAssertEqual(Paint.bold.apply("bold").prefix(displayWidth: 2), Paint.bold.apply("bo"), "a cut keeps the reset")
    }
}
