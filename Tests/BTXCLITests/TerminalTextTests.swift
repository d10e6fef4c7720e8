@testable import BTXCLI
import XCTest

/// What reaches a terminal: controls, C1 and bidi characters from outside
/// shown escaped, btx's own colours rendered.
final class TerminalTextTests: XCTestCase {
    func testControlsAreShownNotObeyed() {
        XCTAssertEqual(TerminalText.rendered("a\u{1B}]0;title\u{07}b"), "a\\x1B]0;title\\x07b")
        XCTAssertEqual(TerminalText.rendered("one\ntwo\r\tthree\u{7F}"), "one\\ntwo\\r\\tthree\\x7F")
        XCTAssertEqual(TerminalText.rendered("c1 \u{9B}31m csi"), "c1 \\u009B31m csi")
        XCTAssertEqual(TerminalText.rendered("abc\u{202E}cba \u{2066}x\u{2069}"), "abc\\u202Ecba \\u2066x\\u2069")
        XCTAssertEqual(TerminalText.rendered("日本 plain ASCII é"), "日本 plain ASCII é")
    }

    func testOnlyBtxsOwnPaintBecomesColour() {
        XCTAssertEqual(TerminalText.rendered(Paint.green.apply("ok")), "\u{1B}[32mok\u{1B}[0m")
        // A marker from outside, without this process's tag, is shown, not rendered.
        XCTAssertEqual(TerminalText.rendered("x\u{E000}2J\u{E001}"), "x\\uE0002J\\uE001")
        XCTAssertEqual(TerminalText.rendered("x\u{E000}8\u{E001}hidden"), "x\\uE0008\\uE001hidden")
        XCTAssertEqual(TerminalText.rendered("x\u{E000}"), "x\\uE000")
    }

    func testEscapingTwiceChangesNothingMore() {
        let once = TerminalText.escaped("a\u{1B}[2J" + Paint.red.apply("b") + "\n")
        XCTAssertEqual(TerminalText.escaped(once), once)
        XCTAssertEqual(TerminalText.rendered(once), "a\\x1B[2J\u{1B}[31mb\u{1B}[0m\\n")
    }

    /// A cut cell never ends in half an escape that the terminal would obey.
    func testACutHostileCellHasNoRawControl() {
        let cell = TerminalText.escaped("name\u{1B}]0;evil\u{07}tail")
        let cut = cell.cut(toDisplayWidth: 8)
        XCTAssertFalse(TerminalText.rendered(cut).unicodeScalars.contains { $0.value < 0x20 }, cut)
        XCTAssertEqual(cell.displayWidth, "name\\x1B]0;evil\\x07tail".count)
    }
}
