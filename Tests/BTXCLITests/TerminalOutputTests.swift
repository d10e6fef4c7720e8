@testable import BTXCLI
@testable import BTXSession
import XCTest

/// Tables that fit a terminal and colour that only a terminal gets.
final class TerminalOutputTests: XCTestCase {
    private let columns = [TableColumn("HASH", drop: 1), TableColumn("NAME", flexible: true), TableColumn("STATE"),
                           TableColumn("SIZE", numeric: true, drop: 0)]
    private let rows: [[TableCell]] = [
        ["5e1f2a9c", "ubuntu-24.04.3-desktop-amd64-with-a-very-long-name.iso", "downloading", TableCell("5.7 GiB", raw: "6120328396")],
        ["dc466502", "短い名前ではない日本語のとても長いトレントの名前です", "seeding", TableCell("2 GiB", raw: "2147483648")],
    ]

    func testTablesFitTheTerminalByCuttingTheFlexibleColumn() {
        let lines = Output(width: 60, color: false).tableLines(columns, rows)
        for line in lines { XCTAssertLessThanOrEqual(line.displayWidth, 59, line) }
        XCTAssertTrue(lines[1].hasPrefix("5e1f2a9c  ubuntu-24.04"), lines[1])
        XCTAssertTrue(lines[1].contains("…  downloading  5.7 GiB"), lines[1])
        XCTAssertTrue(lines[2].contains("…  seeding      "), "a wide name is cut on a character: \(lines[2])")
        XCTAssertEqual(lines[1].displayWidth, lines[2].displayWidth, "the columns still line up")
    }

    /// Narrower, the least needed columns go before a name is cut below a readable width.
    func testNarrowTerminalsDropColumnsBeforeNamesBecomeUnreadable() {
        let fifty = Output(width: 50, color: false).tableLines(columns, rows)
        XCTAssertEqual(fifty[0].split(separator: " ").map(String.init), ["HASH", "NAME", "STATE"], "SIZE went first")
        let forty = Output(width: 40, color: false).tableLines(columns, rows)
        XCTAssertEqual(forty[0].split(separator: " ").map(String.init), ["NAME", "STATE"], "then HASH")
        XCTAssertTrue(forty[1].hasPrefix("ubuntu-24.04.3-desktop-"), "what was dropped went to the name: \(forty[1])")
        for line in fifty { XCTAssertLessThanOrEqual(line.displayWidth, 49, line) }
        for line in forty { XCTAssertLessThanOrEqual(line.displayWidth, 39, line) }
    }

    /// Off a terminal, as gh prints for scripts: no header, tabs, raw values.
    func testOffATerminalRowsAreTabSeparatedRawValues() {
        let lines = Output(width: nil, color: false).tableLines(columns, rows + [["00", "a\tb", "x", "1"]])
        XCTAssertEqual(lines[0], "5e1f2a9c\tubuntu-24.04.3-desktop-amd64-with-a-very-long-name.iso\tdownloading\t6120328396")
        XCTAssertEqual(lines[2], "00\ta\\tb\tx\t1", "a tab in a cell is shown escaped, not taken as a separator")
        XCTAssertFalse(lines.joined().contains("…"))
    }

    func testTooNarrowEvenCutIsCutAtTheEdgeNotWrapped() {
        let lines = Output(width: 24, color: true).tableLines(columns, rows)
        for line in lines { XCTAssertLessThanOrEqual(line.displayWidth, 23, line) }
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
