@testable import BTXCLI
@testable import BTXSession
import XCTest

/// Tables that fit a terminal and colour that only a terminal gets.
final class TerminalOutputTests: XCTestCase {
    private let header = ["HASH", "NAME", "STATE", "SIZE"]
    private let rows = [["5e1f2a9c", "ubuntu-24.04.3-desktop-amd64-with-a-very-long-name.iso", "downloading", "5.7 GiB"],
                        ["dc466502", "短い名前ではない日本語のとても長いトレントの名前です", "seeding", "2 GiB"]]

    func testTablesFitTheTerminalByCuttingTheFlexibleColumn() {
        let lines = Output(width: 60, color: false).tableLines(header, rows, rightAligned: [3], flexible: [1])
        for line in lines { XCTAssertLessThanOrEqual(line.displayWidth, 59, line) }
        XCTAssertTrue(lines[1].hasPrefix("5e1f2a9c  ubuntu-24.04"), lines[1])
        XCTAssertTrue(lines[1].contains("…  downloading  5.7 GiB"), lines[1])
        XCTAssertTrue(lines[2].contains("…  seeding      "), "a wide name is cut on a character: \(lines[2])")
        XCTAssertEqual(lines[1].displayWidth, lines[2].displayWidth, "the columns still line up")
    }

    func testOffATerminalNothingIsCut() {
        let lines = Output(width: nil, color: false).tableLines(header, rows, rightAligned: [3], flexible: [1])
        XCTAssertTrue(lines[1].contains(rows[0][1]))
        XCTAssertFalse(lines.joined().contains("…"))
    }

    func testTooNarrowEvenCutIsCutAtTheEdgeNotWrapped() {
        let lines = Output(width: 30, color: true).tableLines(header, rows, rightAligned: [3], flexible: [1])
        for line in lines { XCTAssertLessThanOrEqual(line.displayWidth, 29, line) }
        let header = TerminalText.rendered(lines[0])
        XCTAssertTrue(header.hasSuffix("\u{1B}[0m"), "a cut colour is reset: \(header.debugDescription)")
    }

    func testStatesAreColouredOnlyWithColour() {
        XCTAssertEqual(TerminalText.rendered(Output(width: nil, color: true).state("seeding")), "\u{1B}[32mseeding\u{1B}[0m")
        XCTAssertEqual(TerminalText.rendered(Output(width: nil, color: true).state("error")), "\u{1B}[31merror\u{1B}[0m")
        XCTAssertEqual(Output(width: nil, color: true).state("stopped"), "stopped")
        XCTAssertEqual(Output(width: nil, color: false).state("seeding"), "seeding")
    }

    func testColorChoice() {
        XCTAssertEqual(ColorChoice.given(in: ["status", "--color", "never"]), .never)
        XCTAssertEqual(ColorChoice.given(in: ["--color=always", "status", "--color", "auto"]), .auto, "the last wins")
        XCTAssertEqual(ColorChoice.given(in: ["add", "--", "--color", "always"]), .auto, "not after --")
        let environment = Environment(variables: ["TERM": "xterm"])
        XCTAssertTrue(ColorChoice.always.colors(-1, environment: Environment(variables: ["NO_COLOR": "1"])))
        XCTAssertFalse(ColorChoice.never.colors(-1, environment: environment))
        XCTAssertFalse(ColorChoice.auto.colors(-1, environment: environment), "not a terminal")
    }
}
