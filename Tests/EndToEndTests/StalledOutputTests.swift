import Foundation
import XCTest
import TestSupport

/// `btx add --json` into a pipe whose reader stopped reading, or went away:
/// the session still stops on SIGTERM, or on the closed pipe, with every
/// torrent's resume data saved, instead of hanging in write(2) or dying of
/// SIGPIPE.
final class StalledOutputTests: XCTestCase {
    /// Twenty torrents seeded from data on disk, into a pipe of one page.
    private func startSeeding(_ scratch: Scratch) throws -> (Child, Peer) {
        let torrents = try makeSmallTorrents(20, in: scratch.path)
        let peer = try Peer(scratch, "peer")
        let child = try Child(btxPath, ["add", "--json", "--seed"] + peer.common + ["-o", scratch.path + "/data"] + torrents)
        let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ, which Glibc's module leaves out
        XCTAssertGreaterThanOrEqual(fcntl(child.output.fileDescriptor, setPipeSize, 4096), 4096)
        return (child, peer)
    }

    private func unreadBytes(_ child: Child) -> Int32 {
        var count: Int32 = 0
        _ = ioctl(child.output.fileDescriptor, UInt(FIONREAD), &count)
        return count
    }

    private func assertEverySaved(_ peer: Peer) throws {
        let saved = try peer.savedTorrents()
        XCTAssertEqual(saved.count, 20)
        XCTAssertEqual(saved.filter { $0["state"] as? String != "complete" }.map { $0["name"] as? String }, [])
    }

    func testSIGTERMStopsAnAddWhoseReaderStoppedReading() throws {
        let scratch = try Scratch()
        let (child, peer) = try startSeeding(scratch)
        // A one-page pipe holding anything takes no more: the 20 `added`
        // events (kilobytes) cannot all go in, and nothing is read.
        try waitUntil("the first events") { unreadBytes(child) > 0 || !child.isRunning }
        XCTAssertTrue(child.isRunning)
        child.signal(SIGTERM)
        XCTAssertEqual(try child.wait(timeout: 20), 143)
        try assertEverySaved(peer)
    }

    func testAReaderGoneStopsTheAddWithItsStateSaved() throws {
        let scratch = try Scratch()
        let (child, peer) = try startSeeding(scratch)
        try waitUntil("the first events") { unreadBytes(child) > 0 || !child.isRunning }
        try child.output.close()
        XCTAssertEqual(try child.wait(timeout: 20), 141, "141: stopped as on SIGPIPE, not killed by it (13)")
        XCTAssertEqual(String(decoding: child.errors.readDataToEndOfFile(), as: UTF8.self),
                       "btx: the reader of the output went away; resume data saved\n")
        try assertEverySaved(peer)
    }
}
