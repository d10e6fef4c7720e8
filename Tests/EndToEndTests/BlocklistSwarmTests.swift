import Foundation
import XCTest
import TestSupport

/// The IP blocklist on a loopback swarm: a seeder on 127.0.0.1 and one on
/// 127.0.0.2 (loopback too, so a distinct peer address), and lists that
/// block 127.0.0.2 in every format btx reads.
final class BlocklistSwarmTests: XCTestCase {
    /// A btx seeder listening on `address` (127.0.0.1 or 127.0.0.2), and its port.
    private func seeder(_ scratch: Scratch, _ name: String, _ torrent: String, from data: String, on address: String,
                        extra: [String] = []) throws -> (peer: Peer, process: RunningProcess, port: Int) {
        let peer = try Peer(scratch, name)
        let process = try RunningProcess(btxPath, ["add", "--json", "--state-dir", peer.state, "--listen", "\(address):0",
                                                   "--no-dht", torrent, "-o", data, "--seed"] + extra)
        let port = try process.waitForEvent("listening")["port"] as! Int
        try process.waitForEvent("finished")
        return (peer, process, port)
    }

    private func btxJSON(_ arguments: [String], state: String) throws -> [String: Any] {
        let result = try spawn(btxPath, arguments + ["--json", "--state-dir", state])
        guard result.status == 0 else { throw TestFailure("btx \(arguments): \(result.stderr)") }
        return try result.json()
    }

    private func firstTorrent(_ state: String) throws -> [String: Any] {
        try XCTUnwrap((try btxJSON(["status"], state: state)["torrents"] as? [[String: Any]])?.first)
    }

    private func peerAddresses(_ state: String, _ name: String) throws -> [String] {
        (try btxJSON(["peers", name], state: state)["peers"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
    }

    /// Each list blocks 127.0.0.2 among its `entries` and has one bad line, on line `badLine`.
    private let lists: [(name: String, text: String, entries: Int, badLine: Int)] = [
        ("list.p2p", "# PeerGuardian\nLoopback, the second: 2:127.0.0.2-127.0.0.2\nnot an entry\n", 1, 3),
        // The DAT convention: level 200 allows 127.0.0.1, so the other seeder still serves.
        ("list.dat", "127.000.000.001 - 127.000.000.001 , 200 , allowed by its level\n"
            + "127.000.000.002 - 127.000.000.002 , 000 , blocked\nnot an entry\n", 1, 3),
        ("list.cidr", "127.0.0.2/32\nnot an entry\n2001:db8::/32\n", 2, 2),
        ("list.range", "not an entry\n127.0.0.2 - 127.0.0.2\n", 1, 1),
        ("list.single", "// single addresses\n127.0.0.2\n::2\nnot an entry\n", 2, 4),
    ]

    func testEveryFormatKeepsTheBlockedSeederOutWhileTheOtherServesTheDownload() throws {
        let scratch = try Scratch()
        try scratch.write("src/data.bin", randomData(2 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/data.bin", scratch.path + "/data.torrent")
        let first = try seeder(scratch, "seeder1", torrent, from: scratch.path + "/src", on: "127.0.0.1")
        let second = try seeder(scratch, "seeder2", torrent, from: scratch.path + "/src", on: "127.0.0.2")

        // Without a list, 127.0.0.2 serves a download on its own: the swarm works.
        let control = try Peer(scratch, "control").add([torrent, "-o", scratch.path + "/control", "--peer", "127.0.0.2:\(second.port)"])
        XCTAssertEqual(control.status, 0, control.stderr)
        let servedBefore = try firstTorrent(second.peer.state)["session_uploaded"] as! Int
        XCTAssertGreaterThan(servedBefore, 0)

        var files: [(path: String, entries: Int, badLine: Int)] = []
        for list in lists { files.append((try scratch.write(list.name, Data(list.text.utf8)), list.entries, list.badLine)) }
        try spawn("/bin/gzip", ["-k", files[0].path])
        files.append((files[0].path + ".gz", files[0].entries, files[0].badLine))

        for (index, list) in files.enumerated() {
            let name = (list.path as NSString).lastPathComponent
            let leecher = try Peer(scratch, "leecher\(index)")
            let add = try leecher.start([torrent, "-o", scratch.path + "/dst\(index)", "--peer", "127.0.0.1:\(first.port)",
                                         "--peer", "127.0.0.2:\(second.port)", "--blocklist", list.path, "--seed"])
            let loaded = try add.waitForEvent("blocklist")
            XCTAssertEqual(loaded["entries"] as? Int, list.entries, name)
            XCTAssertEqual(loaded["bad_lines"] as? Int, 1, name)
            XCTAssertEqual(loaded["first_bad_line"] as? Int, list.badLine, name)
            XCTAssertEqual(loaded["compressed"] as? Bool, name.hasSuffix(".gz"), name)
            XCTAssertEqual(loaded["allowed"] as? Int, name == "list.dat" ? 1 : 0, name)
            try add.waitForEvent("warning") { ($0["message"] as? String ?? "").contains("1 bad line ignored (the first is line \(list.badLine))") }
            try add.waitForEvent("finished")

            let status = try firstTorrent(leecher.state)
            XCTAssertEqual(status["blocked_peers"] as? Int, 1, "\(name): 127.0.0.2 refused once: \(status)")
            XCTAssertFalse(try peerAddresses(leecher.state, "data.bin").contains { $0.hasPrefix("127.0.0.2:") }, name)
            add.signal(SIGINT)
            XCTAssertEqual(try add.wait(), 130, name)
            XCTAssertEqual(try digests(scratch.path + "/dst\(index)"), try digests(scratch.path + "/src"), name)
        }
        // Not one byte came from the blocked seeder, over every format.
        XCTAssertEqual(try firstTorrent(second.peer.state)["session_uploaded"] as? Int, servedBefore)
        XCTAssertNil(first.process.events.first { $0.type == "error" })
        _ = (first, second)
    }

    func testTheBlocklistCommandReportsWhatAListHoldsWithoutASession() throws {
        let scratch = try Scratch()
        let list = try scratch.write("mixed.txt", Data("""
            # every format, and what is not one
            Bad Corp, Inc.:1.2.3.0-1.2.3.255
            001.002.004.000 - 001.002.004.255 , 000 , adjacent DAT block
            005.006.007.000 - 005.006.007.255 , 255 , allowed by its level
            10.0.0.0/8
            2001:db8::/32
            192.168.1.1 - 192.168.1.9   # trailing comment
            127.0.0.2

            <html>
            300.1.1.1

            """.utf8))
        let result = try spawn(btxPath, ["blocklist", list, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try result.json()
        XCTAssertEqual(document["path"] as? String, list)
        XCTAssertEqual(document["compressed"] as? Bool, false)
        XCTAssertEqual(document["entries"] as? Int, 6)
        XCTAssertEqual(document["formats"] as? [String: Int], ["p2p": 1, "dat": 1, "cidr": 2, "range": 1, "single": 1])
        XCTAssertEqual(document["allowed"] as? Int, 1)
        XCTAssertEqual(document["bad_lines"] as? Int, 2)
        XCTAssertEqual(document["first_bad_line"] as? Int, 10)
        // 1.2.3.0/24 and 1.2.4.0/24 touch: one range.
        XCTAssertEqual(document["ranges"] as? Int, 5)
        XCTAssertEqual(document["ipv4_ranges"] as? Int, 4)
        XCTAssertEqual(document["ipv6_ranges"] as? Int, 1)
        XCTAssertEqual(document["ipv4_addresses"] as? Int, 512 + (1 << 24) + 9 + 1)
        XCTAssertTrue(document["blocked_peers"] is NSNull)

        let human = try spawn(btxPath, ["blocklist", list])
        XCTAssertEqual(human.status, 0, human.stderr)
        XCTAssertTrue(human.text.contains("entries         6: 1 PeerGuardian, 1 DAT, 2 CIDR, 1 range, 1 single"), human.text)
        XCTAssertTrue(human.text.contains("bad lines       2, the first is line 10"), human.text)

        try spawn("/bin/gzip", [list])
        let packed = try spawn(btxPath, ["blocklist", list + ".gz", "--json"])
        XCTAssertEqual(packed.status, 0, packed.stderr)
        XCTAssertEqual(try packed.json()["compressed"] as? Bool, true)
        XCTAssertEqual(try packed.json()["ranges"] as? Int, 5)

        // What cannot be read is one line and an exit code; a session never starts without its list.
        let missing = try spawn(btxPath, ["blocklist", scratch.path + "/missing.txt"])
        XCTAssertEqual(missing.status, 3)
        XCTAssertEqual(missing.stderr, "btx: blocklist \(scratch.path)/missing.txt: No such file or directory\n")
        let zip = try scratch.write("list.zip", Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]))
        let archive = try spawn(btxPath, ["blocklist", zip])
        XCTAssertEqual(archive.status, 1)
        XCTAssertTrue(archive.stderr.contains("is a zip archive"), archive.stderr)
        let peer = try Peer(scratch, "peer")
        try scratch.write("src/a.bin", randomData(20_000))
        let torrent = try makeTorrent(scratch.path + "/src/a.bin", scratch.path + "/a.torrent")
        let refused = try peer.add([torrent, "-o", scratch.path + "/src", "--blocklist", scratch.path + "/missing.txt"])
        XCTAssertEqual(refused.status, 3, refused.stderr)
        XCTAssertEqual(try peer.savedTorrents().count, 0, "nothing ran")
        for command in [["daemon"], ["add", torrent, "-o", scratch.path + "/src", "--detach"]] {
            let daemon = try spawn(btxPath, command + ["--state-dir", peer.state, "--blocklist", scratch.path + "/missing.txt"])
            XCTAssertEqual(daemon.status, 3, "\(command): \(daemon.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: peer.state + "/daemon.pid"), "\(command)")
        }
        let noSession = try spawn(btxPath, ["blocklist", "--reload", "--state-dir", peer.state])
        XCTAssertEqual(noSession.status, 4, noSession.stderr)
    }

    func testReloadAndSIGHUPChangeWhatALiveSessionBlocks() throws {
        let scratch = try Scratch()
        try scratch.write("src/slow.bin", randomData(4 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/slow.bin", scratch.path + "/slow.torrent")
        // 4 MiB at 100 KiB/s: the download outlasts the test.
        let second = try seeder(scratch, "seeder2", torrent, from: scratch.path + "/src", on: "127.0.0.2", extra: ["--max-up", "100k"])
        let list = try scratch.write("list.txt", Data("10.0.0.0/8\n".utf8))
        let peer = try Peer(scratch, "daemon")
        let state = peer.state
        let started = try spawn(btxPath, ["daemon", "--state-dir", state, "--listen", "127.0.0.1:0", "--no-dht", "--blocklist", list])
        XCTAssertEqual(started.status, 0, started.stderr)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", state]) }
        let added = try spawn(btxPath, ["add", torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.2:\(second.port)",
                                        "--detach", "--state-dir", state])
        XCTAssertEqual(added.status, 0, added.stderr)
        try waitUntil("the daemon to download from 127.0.0.2") {
            try self.peerAddresses(state, "slow.bin").contains("127.0.0.2:\(second.port)")
        }
        XCTAssertEqual(try btxJSON(["blocklist"], state: state)["ranges"] as? Int, 1)

        // A running session keeps its list: a new one for `add` is refused, not ignored.
        let ignored = try spawn(btxPath, ["add", torrent, "-o", scratch.path + "/dst", "--blocklist", list, "--state-dir", state])
        XCTAssertEqual(ignored.status, 2, ignored.stderr)

        // --reload: the connected seeder is dropped at once, and counted.
        try Data("127.0.0.2\n127.0.0.3\n".utf8).write(to: URL(fileURLWithPath: list))
        let reloaded = try btxJSON(["blocklist", "--reload"], state: state)
        XCTAssertEqual(reloaded["path"] as? String, list)
        XCTAssertEqual(reloaded["formats"] as? [String: Int], ["p2p": 0, "dat": 0, "cidr": 0, "range": 0, "single": 2])
        try waitUntil("127.0.0.2 to be dropped") {
            try !self.peerAddresses(state, "slow.bin").contains { $0.hasPrefix("127.0.0.2:") }
        }
        try waitUntil("the drop to be counted") { try self.firstTorrent(state)["blocked_peers"] as? Int == 1 }

        // Incoming connections from a blocked address are closed before they name a torrent:
        // counted for the session only. 127.0.0.4 is not blocked and stays connected.
        let log = String(decoding: try Data(contentsOf: URL(fileURLWithPath: state + "/daemon.log")), as: UTF8.self)
        let port = try XCTUnwrap(log.split(separator: "\n").compactMap { parseEvent(String($0)) }
            .first { $0.type == "listening" }?.data["port"] as? Int)
        let dial = """
            import socket, sys
            s = socket.socket(); s.bind((sys.argv[1], 0)); s.connect(("127.0.0.1", int(sys.argv[2]))); s.settimeout(float(sys.argv[3]))
            try:
                print("closed" if s.recv(1) == b"" else "open")
            except socket.timeout:
                print("open")
            except ConnectionResetError:
                print("closed")
            """
        XCTAssertEqual(try python(dial, ["127.0.0.4", "\(port)", "2"]).text, "open\n")
        XCTAssertEqual(try python(dial, ["127.0.0.3", "\(port)", "10"]).text, "closed\n")
        try waitUntil("the incoming refusal to be counted") {
            try self.btxJSON(["blocklist"], state: state)["blocked_peers"] as? Int == 2
        }
        XCTAssertEqual(try firstTorrent(state)["blocked_peers"] as? Int, 1)

        // A list that cannot be read leaves the one in force.
        let missing = try spawn(btxPath, ["blocklist", "--reload", scratch.path + "/missing.txt", "--state-dir", state])
        XCTAssertEqual(missing.status, 3, missing.stderr)
        XCTAssertEqual(try btxJSON(["blocklist"], state: state)["path"] as? String, list)

        // SIGHUP reads the list again; with 127.0.0.2 allowed, a resume dials it again.
        try Data("10.0.0.0/8\n".utf8).write(to: URL(fileURLWithPath: list))
        let pid = try XCTUnwrap(Int32(String(decoding: try Data(contentsOf: URL(fileURLWithPath: state + "/daemon.pid")),
                                             as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(kill(pid, SIGHUP), 0)
        try waitUntil("the SIGHUP reload") {
            (try self.btxJSON(["blocklist"], state: state)["formats"] as? [String: Int])?["cidr"] == 1
        }
        XCTAssertEqual(try spawn(btxPath, ["pause", "slow.bin", "--state-dir", state]).status, 0)
        XCTAssertEqual(try spawn(btxPath, ["resume", "slow.bin", "--state-dir", state]).status, 0)
        try waitUntil("127.0.0.2 to serve again") {
            try self.peerAddresses(state, "slow.bin").contains("127.0.0.2:\(second.port)")
        }
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--stop", "--state-dir", state]).status, 0)
        _ = second
    }
}
