import Foundation
import XCTest

/// `make demo` (demo/run.sh): the README's first command shows btx's main
/// job, checks the bytes, and leaves nothing behind, Ctrl-C included.
final class DemoTests: XCTestCase {
    private let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("demo/run.sh").path

    func testDemoDownloadsChecksTheBytesAndCleansUp() throws {
        let result = try spawn("/bin/bash", [script], environment: ["BTX": btxPath], timeout: 90)
        XCTAssertEqual(result.status, 0, result.text + result.stderr)
        let text = result.text
        for expected in ["$ btx create sample", "$ btx daemon --listen 127.0.0.1:0 --no-dht", "$ btx status --watch=0.5",
                         "$ btx peers sample", "$ btx files sample", "$ diff -r sample downloads/sample",
                         "the 3 files arrived byte for byte", "To do it again by hand"] {
            XCTAssertTrue(text.contains(expected), "no '\(expected)' in:\n\(text)")
        }
        XCTAssertTrue(text.contains("127.0.0.1:"), "peers lists the seeder:\n\(text)")
        try assertNothingLeft(of: demoDirectory(text))
    }

    func testCtrlCStopsEveryProcessAndRemovesTheFolder() throws {
        // Its own session and process group, as a terminal's Ctrl-C reaches it.
        let demo = try RunningProcess("/usr/bin/setsid", ["/bin/bash", script], environment: ["BTX": btxPath])
        // Mid-download: a tracker, a seeder, a daemon and status --watch all running.
        try demo.waitForLine(timeout: 60, "status --watch's first table") { $0.contains("\tsample\t") }
        let directory = try demoDirectory(demo.output.joined(separator: "\n"))
        Glibc.kill(-demo.pid, SIGINT)
        XCTAssertEqual(try demo.wait(timeout: 60), 130, demo.stderrText())
        try assertNothingLeft(of: directory)
    }

    private func demoDirectory(_ output: String) throws -> String {
        let first = try XCTUnwrap(output.split(separator: "\n").first)
        return String(try XCTUnwrap(first.split(separator: " ").last))
    }

    /// The folder is gone, and no process names it in its command line or environment.
    private func assertNothingLeft(of directory: String) throws {
        XCTAssertTrue(directory.hasPrefix(NSTemporaryDirectory()) || directory.hasPrefix("/tmp/"), directory)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "\(directory) is left")
        for pid in try FileManager.default.contentsOfDirectory(atPath: "/proc") where Int(pid) != nil {
            for part in ["cmdline", "environ"] {
                guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/\(part)") else { continue }
                let text = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
                XCTAssertFalse(text.contains(directory), "process \(pid) is left: \(text.prefix(200))")
            }
        }
    }
}
