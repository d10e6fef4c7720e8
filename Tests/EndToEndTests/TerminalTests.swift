import Foundation
import XCTest

/// btx on a real terminal (script(1) gives it a pty of 60 columns): states
/// and errors in colour, tables cut to the width; no colour with NO_COLOR,
/// --color never or on a pipe, and --json is JSON alone even on a terminal.
final class TerminalTests: XCTestCase {
    private var scratch: Scratch!
    private var state = ""
    private let longName = "a-torrent-whose-name-is-far-too-long-for-sixty-columns-of-terminal.bin"

    override func setUpWithError() throws {
        scratch = try Scratch()
        state = scratch.path + "/state"
        try scratch.write("data/" + longName, randomData(40_000))
        let torrent = try makeTorrent(scratch.path + "/data/" + longName, scratch.path + "/long.torrent")
        XCTAssertEqual(try spawn(btxPath, ["add", torrent, "--paused", "--state-dir", state, "-o", scratch.path + "/data",
                                           "--no-dht", "--listen", "127.0.0.1:0"]).status, 0)
    }

    override func tearDown() { scratch = nil }

    /// stdout and stderr of `btx ARGUMENTS` on one 60-column terminal.
    private func onTerminal(_ arguments: String, environment: [String: String] = [:]) throws -> String {
        let command = "stty cols 60; exec '\(btxPath)' \(arguments) --state-dir '\(state)'"
        let result = try spawn("/usr/bin/script", ["-qec", command, "/dev/null"],
                               environment: ["NO_COLOR": "", "TERM": "xterm"].merging(environment) { $1 })
        return result.text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    private func visibleWidth(_ line: String) -> Int {
        var text = line
        while let start = text.range(of: "\u{1B}["), let end = text[start.upperBound...].firstIndex(where: { $0.isLetter }) {
            text.removeSubrange(start.lowerBound...end)
        }
        return text.count
    }

    func testATerminalGetsColourAndTablesThatFit() throws {
        let status = try onTerminal("status")
        XCTAssertTrue(status.contains("\u{1B}[33mpaused\u{1B}[0m"), status.debugDescription)
        XCTAssertTrue(status.contains(String(longName.prefix(19)) + "…") || status.contains(String(longName.prefix(24))), "a name keeps 20 columns or more: \(status)")
        XCTAssertTrue(status.contains("…"), status)
        for line in status.split(separator: "\n") { XCTAssertLessThanOrEqual(visibleWidth(String(line)), 60, String(line)) }
        let files = try onTerminal("files '\(scratch.path)/long.torrent'")
        XCTAssertTrue(files.contains("…"), files)

        let error = try onTerminal("status nosuch")
        XCTAssertTrue(error.hasPrefix("\u{1B}[1;31mbtx:\u{1B}[0m no torrent matches"), error.debugDescription)
    }

    func testNoColourWhenAskedOrOnAPipeAndJSONAlone() throws {
        XCTAssertFalse(try onTerminal("status", environment: ["NO_COLOR": "1"]).contains("\u{1B}["))
        XCTAssertFalse(try onTerminal("status --color never").contains("\u{1B}["))
        XCTAssertFalse(try onTerminal("status", environment: ["TERM": "dumb"]).contains("\u{1B}["))
        let json = try onTerminal("status --json")
        XCTAssertFalse(json.contains("\u{1B}["), json.debugDescription)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))

        let pipe = try spawn(btxPath, ["status", "--state-dir", state], environment: ["NO_COLOR": ""])
        XCTAssertFalse(pipe.text.contains("\u{1B}[") || pipe.text.contains("…"), "a pipe gets plain, whole cells")
        XCTAssertTrue(pipe.text.contains(longName))
        let forced = try spawn(btxPath, ["status", "--state-dir", state, "--color", "always"])
        XCTAssertTrue(forced.text.contains("\u{1B}[33mpaused"), "--color always wins over the pipe and NO_COLOR")
        let bad = try spawn(btxPath, ["status", "--color", "sometimes"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.hasPrefix("btx: --color: 'sometimes' is not auto, always or never"), bad.stderr)
    }
}
