import Foundation
import TestSupport
import XCTest

/// Files never downloaded twice: a daemon indexes the v2 roots of the files
/// it completes and gives a later torrent sharing one a copy of it, and
/// `add --reuse-from` finds a torrent's files anywhere, by size and hashes.
final class FileReuseTests: XCTestCase {
    private func downloaded(_ peer: Peer, _ query: String) throws -> Int {
        try XCTUnwrap(try torrentStatus(peer, query)["session_downloaded"] as? Int)
    }

    private func waitForCompletion(_ peer: Peer, _ query: String) throws {
        do {
            try waitUntil("\(query) to complete", timeout: 60) {
                (try? torrentStatus(peer, query))?["progress"] as? Double == 1
            }
        } catch {
            let log = (try? String(contentsOfFile: peer.state + "/daemon.log", encoding: .utf8)) ?? ""
            throw TestFailure("\(error); status: \((try? peer.status(query).text) ?? "-"); log: \(log.suffix(3000))")
        }
    }

    /// Two hybrid torrents share a 20 MiB file under other names: once the
    /// first is complete, the second (a .torrent) and a third (a magnet)
    /// download only the files they do not share, and their data verifies.
    func testLaterHybridTorrentsTakeASharedFileFromTheFirst() throws {
        let scratch = try Scratch()
        let shared = randomData(20 << 20)
        try scratch.write("src/first/shared.bin", shared)
        try scratch.write("src/first/only-a.bin", randomData(1 << 20))
        try scratch.write("src/second/common.bin", shared)
        try scratch.write("src/second/only-b.bin", randomData(2 << 20))
        try scratch.write("src/third/same.bin", shared)
        try scratch.write("src/third/only-c.bin", randomData(512 << 10))
        let torrents = try ["first", "second", "third"].map { try makeTorrent(scratch.path + "/src/" + $0, scratch.path + "/\($0).torrent", ["--hybrid"]) }
        let (seeder, port) = try Peer(scratch, "seeder").seed(Array(torrents[0...1]), from: scratch.path + "/src")
        // The magnet's seeder is slow: what the check finds must not race a loopback download.
        let (slowSeeder, slowPort) = try Peer(scratch, "slow-seeder").seed([torrents[2]], from: scratch.path + "/src", extra: ["--max-up", "2M"])
        defer { withExtendedLifetime((seeder, slowSeeder)) {} }
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        let peer = ["--peer", "127.0.0.1:\(port)", "-o", scratch.path + "/got"]

        XCTAssertEqual(try spawn(btxPath, ["add", "--detach", "-q", "--state-dir", leecher.state, torrents[0]] + peer).status, 0)
        try waitForCompletion(leecher, "first")
        XCTAssertGreaterThanOrEqual(try downloaded(leecher, "first"), 21 << 20)

        let added = try spawn(btxPath, ["add", "--detach", "-q", "--state-dir", leecher.state, torrents[1]] + peer)
        XCTAssertEqual(added.status, 0, added.stderr)
        try waitForCompletion(leecher, "second")
        let second = try downloaded(leecher, "second")
        XCTAssertLessThan(second, (2 << 20) + (256 << 10), "second downloaded \(second) bytes")
        XCTAssertGreaterThanOrEqual(second, 2 << 20)
        XCTAssertEqual(try scratch.contents("got/second/common.bin"), shared)

        let info = try spawn(btxPath, ["info", "--json", torrents[2]]).json()
        let magnet = try XCTUnwrap(info["magnet_uri"] as? String)
        let slow = ["--peer", "127.0.0.1:\(slowPort)", "-o", scratch.path + "/got"]
        XCTAssertEqual(try spawn(btxPath, ["add", "--detach", "-q", "--state-dir", leecher.state, magnet] + slow).status, 0)
        try waitForCompletion(leecher, "third")
        let third = try downloaded(leecher, "third")
        XCTAssertLessThan(third, (512 << 10) + (256 << 10), "third downloaded \(third) bytes")
        XCTAssertEqual(try scratch.contents("got/third/same.bin"), shared)
        let events = try spawn(btxPath, ["events", "--since", "0", "--no-wait", "--json", "--state-dir", leecher.state])
        let reused = events.text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["type"] as? String == "reused" }.compactMap { $0["data"] as? [String: Any] }
        XCTAssertEqual(reused.map { $0["name"] as? String }, ["second", "third"], events.text)
        XCTAssertEqual(reused.map { $0["bytes"] as? Int }, [20 << 20, 20 << 20])
        // Copies, not links: changing one never changes another.
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: scratch.path + "/got/third/same.bin")[.referenceCount] as? Int, 1)
    }

    /// The index keeps each file's size and modification time: a file
    /// written since it was indexed is not offered, and is left as it is.
    func testAFileChangedAfterItWasIndexedIsNotReused() throws {
        let scratch = try Scratch()
        let shared = randomData(4 << 20)
        try scratch.write("src/first/shared.bin", shared)
        try scratch.write("src/second/common.bin", shared)
        try scratch.write("src/second/only-b.bin", randomData(256 << 10))
        let torrents = try ["first", "second"].map { try makeTorrent(scratch.path + "/src/" + $0, scratch.path + "/\($0).torrent", ["--hybrid"]) }
        let (seeder, port) = try Peer(scratch, "seeder").seed(torrents, from: scratch.path + "/src")
        defer { withExtendedLifetime(seeder) {} }
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        let peer = ["--peer", "127.0.0.1:\(port)", "-o", scratch.path + "/got"]
        XCTAssertEqual(try spawn(btxPath, ["add", "--detach", "-q", "--state-dir", leecher.state, torrents[0]] + peer).status, 0)
        try waitForCompletion(leecher, "first")
        try waitUntil("the shared file to be indexed", timeout: 20) {
            ((try? FileManager.default.contentsOfDirectory(atPath: leecher.state + "/roots")) ?? []).count == 1
        }

        var changed = shared
        changed.replaceSubrange(1000..<1010, with: Data(repeating: 0x55, count: 10))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: scratch.path + "/got/first/shared.bin"))
        try handle.write(contentsOf: changed)
        try handle.close()

        XCTAssertEqual(try spawn(btxPath, ["add", "--detach", "-q", "--state-dir", leecher.state, torrents[1]] + peer).status, 0)
        try waitForCompletion(leecher, "second")
        XCTAssertGreaterThanOrEqual(try downloaded(leecher, "second"), (4 << 20) + (256 << 10))
        XCTAssertEqual(try scratch.contents("got/second/common.bin"), shared)
        XCTAssertEqual(try scratch.contents("got/first/shared.bin"), changed, "the changed file is left as it is")
    }

    /// A v1 torrent's files under other names, beside a decoy of the same
    /// size: the piece hashes pick the right ones, and the torrent is
    /// complete with no peer at all.
    func testReuseFromFindsAV1TorrentsFilesUnderOtherNames() throws {
        let scratch = try Scratch()
        let x = randomData(300_000), y = randomData(700_000), z = Data("zed\n".utf8)
        try scratch.write("src/site/x.bin", x)
        try scratch.write("src/site/y.bin", y)
        try scratch.write("src/site/z.txt", z)
        let torrent = try makeTorrent(scratch.path + "/src/site", scratch.path + "/site.torrent")
        try scratch.write("elsewhere/a-decoy.dat", randomData(700_000))
        try scratch.write("elsewhere/one.dat", x)
        try scratch.write("elsewhere/deeper/two.dat", y)
        try scratch.write("elsewhere/deeper/three.txt", z)

        let leecher = try Peer(scratch, "leecher")
        let added = try leecher.add([torrent, "--reuse-from", scratch.path + "/elsewhere", "--reuse", "link",
                                     "-o", scratch.path + "/got"], timeout: 60)
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertEqual(added.events.filter { $0.type == "finished" }.count, 1, added.text)
        XCTAssertEqual(try scratch.contents("got/site/x.bin"), x)
        XCTAssertEqual(try scratch.contents("got/site/y.bin"), y)
        XCTAssertEqual(try scratch.contents("got/site/z.txt"), z)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: scratch.path + "/got/site/y.bin")[.referenceCount] as? Int, 2,
                       "--reuse link links")
        XCTAssertEqual(try torrentStatus(leecher, "site")["session_downloaded"] as? Int, 0)
    }

    func testBadReuseArgumentsAreRefused() throws {
        let scratch = try Scratch()
        try scratch.write("src/x.bin", randomData(1000))
        let torrent = try makeTorrent(scratch.path + "/src/x.bin", scratch.path + "/x.torrent")
        let state = ["--state-dir", scratch.path + "/state"]
        let mode = try spawn(btxPath, ["add", torrent, "--reuse", "maybe"] + state)
        XCTAssertEqual(mode.status, 2)
        XCTAssertTrue(mode.stderr.hasPrefix("btx: --reuse: 'maybe' is not reflink, link, copy or off\n"), mode.stderr)
        let missing = try spawn(btxPath, ["add", torrent, "--reuse-from", scratch.path + "/nowhere"] + state)
        XCTAssertEqual(missing.status, 3, missing.stderr)
        XCTAssertTrue(missing.stderr.hasPrefix("btx: --reuse-from: "), missing.stderr)
        let magnet = try spawn(btxPath, ["add", String(repeating: "ab", count: 20), "--reuse-from", scratch.path] + state)
        XCTAssertEqual(magnet.status, 2, magnet.stderr)
        XCTAssertTrue(magnet.stderr.contains("is a magnet"), magnet.stderr)
        let off = try spawn(btxPath, ["add", torrent, "--reuse-from", scratch.path + "/src", "--reuse", "off"] + state)
        XCTAssertEqual(off.status, 2, off.stderr)
        XCTAssertTrue(off.stderr.contains("--reuse (or the config's reuse) is off"), off.stderr)
        try scratch.write("state/config", Data("reuse = always\n".utf8))
        let config = try spawn(btxPath, ["add", torrent] + state)
        XCTAssertEqual(config.status, 1, config.stderr)
        XCTAssertTrue(config.stderr.contains("reuse must be reflink, link, copy or off, not 'always'"), config.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/state/resume/\(String(repeating: "ab", count: 20)).resume"))
    }
}
