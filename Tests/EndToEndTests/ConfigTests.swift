import Foundation
import XCTest

/// The config file as `btx add` reads it: $XDG_CONFIG_HOME/btx/config even
/// with --state-dir, STATE/config over it, and unknown keys only warned about.
final class ConfigTests: XCTestCase {
    func testXDGConfigIsReadWithAStateDirAndUnknownKeysOnlyWarn() throws {
        let scratch = try Scratch()
        try scratch.write("src/x.bin", randomData(1000))
        let torrent = try makeTorrent(scratch.path + "/src/x.bin", scratch.path + "/x.torrent")
        let peer = try Peer(scratch, "peer")
        try scratch.write("xdg/btx/config", Data("output = \(scratch.path)/from-xdg\n".utf8))
        let stateConfig = try String(contentsOfFile: peer.state + "/config", encoding: .utf8)
        try Data((stateConfig + "colour = blue\n").utf8).write(to: URL(fileURLWithPath: peer.state + "/config"))
        let line = stateConfig.split(separator: "\n", omittingEmptySubsequences: false).count

        let added = try spawn(btxPath, ["add", "--json"] + peer.common + [torrent, "--paused"],
                              environment: ["XDG_CONFIG_HOME": scratch.path + "/xdg"])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.stderr.contains("btx: warning: \(peer.state)/config:\(line): unknown key 'colour' (known: "),
                      added.stderr)
        XCTAssertEqual(try peer.savedTorrents().first?["save_path"] as? String, scratch.path + "/from-xdg")

        try scratch.write("xdg/btx/config", Data("utp = maybe\n".utf8))
        let bad = try spawn(btxPath, ["add"] + peer.common + [torrent, "--paused"],
                            environment: ["XDG_CONFIG_HOME": scratch.path + "/xdg"])
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("btx: \(scratch.path)/xdg/btx/config:1: utp must be on or off"), bad.stderr)
    }

    /// disk-io = posix swaps libtorrent's memory-mapped disk I/O for pread/pwrite:
    /// the seeder reads and the leecher writes through it, byte for byte.
    func testPosixDiskIOSeedsAndDownloads() throws {
        let scratch = try Scratch()
        try scratch.write("src/big.bin", randomData(3_000_000))
        let torrent = try makeTorrent(scratch.path + "/src/big.bin", scratch.path + "/big.torrent")
        let seederPeer = try Peer(scratch, "seeder"), leecher = try Peer(scratch, "leecher")
        for peer in [seederPeer, leecher] {
            let config = try String(contentsOfFile: peer.state + "/config", encoding: .utf8)
            try Data((config + "disk-io = posix\n").utf8).write(to: URL(fileURLWithPath: peer.state + "/config"))
        }
        let (seeder, port) = try seederPeer.seed([torrent], from: scratch.path + "/src")
        let result = try leecher.add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeder

        try Data("disk-io = direct\n".utf8).write(to: URL(fileURLWithPath: leecher.state + "/config"))
        let bad = try spawn(btxPath, ["add"] + leecher.common + [torrent, "--paused"])
        XCTAssertEqual(bad.status, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.hasPrefix("btx: \(leecher.state)/config:1: disk-io must be mmap or posix, not 'direct'"),
                      bad.stderr)
    }
}
