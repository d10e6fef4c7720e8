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

    /// A status of many torrents starts at once on a terminal: its widths
    /// come from the first rows, and a later row is fitted to them.
    func testAManyRowStatusTableIsPrintedAsItArrivesSizedByItsFirstRows() throws {
        let template = try JSON(parsing: Array(#"{"info_hash":"0123456789abcdef0123456789abcdef01234567","info_hash_v1":null,"info_hash_v2":null,"name":"x","state":"seeding","running":true,"paused":false,"queue_position":null,"has_metadata":true,"progress":1.0,"size":1048576,"wanted":1048576,"done":1048576,"pieces":4,"pieces_done":4,"downloaded":0,"uploaded":0,"session_downloaded":0,"session_uploaded":0,"ratio":0.0,"download_rate":0,"upload_rate":0,"peers":0,"seeds":0,"blocked_peers":0,"eta":null,"save_path":"/tmp","destination":null,"error":null,"added_time":1700000000,"completed_time":null,"labels":[],"settings":{"max_down":null,"max_up":null,"max_peers":null,"max_uploads":null,"sequential":false,"super_seed":false,"upload_only":false,"seed":true,"seed_ratio":null,"seed_time":null,"seed_idle":null},"goal_reached":false,"stream":null,"follows":null}"#.utf8))
        var printed: [String] = []
        var table = StatusTable(Output(width: 160, color: false), named: false) { printed.append($0) }
        table.know(StatusTable.Columns(running: true, labelled: false, queueing: false))
        let count = StatusTable.sizingRows + 500
        for i in 0..<count {
            var fields = template.objectFields!
            let name = i == count - 1 ? String(repeating: "a-much-longer-name-", count: 10) : "torrent-\(i)"
            fields[fields.firstIndex { $0.0 == "name" }!].1 = .string(name)
            table.add(try TorrentDocument(json: .object(fields)))
            XCTAssertEqual(printed.count, i + 1 < StatusTable.sizingRows ? 0 : i + 2, "after \(i + 1) rows")
        }
        XCTAssertEqual(table.finish(), [], "every row went out as it came")
        XCTAssertTrue(printed[0].hasPrefix("HASH"), printed[0])
        XCTAssertEqual(Set(printed.map(\.displayWidth)).count, 1, "every row is fitted to the first rows' widths")
        XCTAssertTrue(printed[0].hasPrefix("HASH      NAME" + String(repeating: " ", count: TableLayout.filledWidth - 4) + "  STATE"),
                      "the names have room for more than the first rows' names: \(printed[0])")
        XCTAssertTrue(printed.last!.contains("  a-much-longer-name-a-much-longer-name-a-much-lo…  seeding"), printed.last!)
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
