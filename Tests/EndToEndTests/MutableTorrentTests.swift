import Foundation
import TestSupport
import XCTest

/// Mutable torrents (BEP 46) on a private loopback DHT: a publisher's daemon
/// seeds and publishes a folder, a follower's daemon on another state
/// directory adds the btpk link and gets the version published last. Both
/// stay up: a DHT node that has gone (a one-shot command's) costs every
/// later put a 15 s timeout on a DHT this small (see DHTTests).
final class MutableTorrentTests: XCTestCase {
    private var dht: PrivateDHT!
    private var scratch: Scratch!

    override func setUpWithError() throws {
        dht = try PrivateDHT()
        scratch = try Scratch()
    }

    override func tearDown() {
        dht = nil
        scratch = nil
    }

    /// A btx of its own state directory and port on the private DHT.
    private struct Node {
        let state: String
        let port: Int
        let bootstrap: [String]
        var common: [String] { ["--state-dir", state, "--listen", "127.0.0.1:\(port)"] + bootstrap }

        func run(_ command: String, _ arguments: [String]) throws -> ProcessResult {
            try spawn(btxPath, [command] + common + arguments)
        }
    }

    private func node(_ name: String) throws -> Node {
        let state = scratch.path + "/" + name
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        // The DHT on, and nothing else that leaves loopback.
        try Data("lsd = off\nupnp = off\nnatpmp = off\n".utf8).write(to: URL(fileURLWithPath: state + "/config"))
        return Node(state: state, port: freePort(), bootstrap: dht.bootstrap)
    }

    /// Stopped when the test ends, by its pid if --stop cannot reach it (as Swarm's startDaemon does).
    private func startDaemon(_ node: Node) throws {
        let started = try spawn(btxPath, ["daemon", "--json"] + node.common)
        guard started.status == 0, let pid = (try? started.json())?["pid"] as? Int else {
            throw TestFailure("btx daemon: \(started.stderr)")
        }
        addTeardownBlock {
            _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", node.state])
            let isThisDaemon = {
                (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.contains(node.state) == true
            }
            if isThisDaemon() { kill(Int32(pid), SIGKILL) }
            try? waitUntil("daemon \(pid) to exit", timeout: 10) { !isThisDaemon() }
        }
    }

    /// Publishes content/site and has the publisher's daemon seed the version.
    private func publish(_ publisher: Node) throws -> [String: Any] {
        let published = try publisher.run("publish", ["--json", scratch.path + "/content/site", "-o", scratch.path + "/site.torrent"])
        XCTAssertEqual(published.status, 0, published.stderr)
        let document = try published.json()
        if document["updated"] as? Bool == true {
            let seeded = try publisher.run("add", ["--detach", "-q", "--seed", scratch.path + "/site.torrent",
                                                   "-o", scratch.path + "/content"])
            XCTAssertEqual(seeded.status, 0, seeded.stderr)
        }
        return document
    }

    private func torrents(_ node: Node) throws -> [[String: Any]] {
        let listed = try spawn(btxPath, ["status", "--json", "--state-dir", node.state])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        return try listed.json()["torrents"] as? [[String: Any]] ?? []
    }

    /// The follower's daemon looks its link up again (`trackers --reannounce`),
    /// adds the version published since beside the one it has, verifies
    /// from disk the files they share, downloads only the one that changed,
    /// and retires the old version, its data kept.
    func testAFollowingDaemonMovesToTheNextVersionDownloadingOnlyWhatChanged() throws {
        let publisher = try node("publisher"), follower = try node("follower")
        try startDaemon(publisher)
        try startDaemon(follower)
        let big = randomData(1_500_000), part = randomData(200_000), newPart = randomData(200_000)
        try scratch.write("content/site/big.bin", big)
        try scratch.write("content/site/part.bin", part)
        try scratch.write("content/site/note.txt", Data("one\n".utf8))
        let first = try publish(publisher)
        let link = try XCTUnwrap(first["magnet"] as? String)
        let firstHash = try XCTUnwrap(first["info_hash_v1"] as? String)

        let added = try follower.run("add", ["--detach", "-q", link, "-o", scratch.path + "/got", "--peer", "127.0.0.1:\(publisher.port)"])
        XCTAssertEqual(added.status, 0, added.stderr)
        try waitUntil("the follower to hold the first version", timeout: 60) {
            try torrents(follower).first?["progress"] as? Double == 1
        }
        var held = try XCTUnwrap(try torrents(follower).first)
        XCTAssertEqual(held["info_hash"] as? String, firstHash)
        var follows = try XCTUnwrap(held["follows"] as? [String: Any])
        XCTAssertEqual(follows["seq"] as? Int, 1)
        XCTAssertEqual(follows["link"] as? String, link)
        XCTAssertTrue(link.contains(follows["public_key"] as? String ?? "-"), link)

        try scratch.write("content/site/part.bin", newPart)
        let second = try publish(publisher)
        XCTAssertEqual(second["seq"] as? Int, 2)
        let secondHash = try XCTUnwrap(second["info_hash_v1"] as? String)
        let looked = try spawn(btxPath, ["trackers", firstHash, "--reannounce", "--json", "--state-dir", follower.state])
        XCTAssertEqual(looked.status, 0, looked.stderr)
        try waitUntil("the follower to move to the second version and retire the first", timeout: 60) {
            let now = try torrents(follower)
            return now.count == 1 && now[0]["info_hash"] as? String == secondHash && now[0]["progress"] as? Double == 1
        }
        held = try XCTUnwrap(try torrents(follower).first)
        follows = try XCTUnwrap(held["follows"] as? [String: Any])
        XCTAssertEqual(follows["seq"] as? Int, 2)
        XCTAssertEqual(try scratch.contents("got/site/part.bin"), newPart)
        XCTAssertEqual(try scratch.contents("got/site/big.bin"), big, "the old version's data is kept")
        // The changed file and the pieces it shares at most: not the 1.7 MB of the whole.
        let downloaded = try XCTUnwrap(held["session_downloaded"] as? Int)
        XCTAssertLessThan(downloaded, 450_000, "the second version downloaded \(downloaded) bytes")
        XCTAssertGreaterThanOrEqual(downloaded, 190_000)

        let events = try spawn(btxPath, ["events", "--since", "0", "--no-wait", "--json", "--state-dir", follower.state])
        let moved = events.text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["type"] as? String == "new_version" }
        let data = try XCTUnwrap(moved.first?["data"] as? [String: Any], events.text)
        XCTAssertEqual(data["info_hash"] as? String, firstHash)
        XCTAssertEqual(data["version_info_hash"] as? String, secondHash)
        XCTAssertEqual(data["seq"] as? Int, 2)

        // Kept with the torrent: a restarted daemon follows on, on its own clock (config follow-interval).
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--stop", "--state-dir", follower.state]).status, 0)
        let config = try String(contentsOfFile: follower.state + "/config", encoding: .utf8)
        try Data((config + "follow-interval = 1s\n").utf8).write(to: URL(fileURLWithPath: follower.state + "/config"))
        try startDaemon(follower)
        XCTAssertEqual((try torrents(follower).first?["follows"] as? [String: Any])?["seq"] as? Int, 2)
        // Version 3 also renames the big file: the follower takes it from the copy it holds (its v2 root), not the swarm.
        try scratch.write("content/site/note.txt", Data("three\n".utf8))
        try FileManager.default.createDirectory(atPath: scratch.path + "/content/site/moved", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: scratch.path + "/content/site/big.bin", toPath: scratch.path + "/content/site/moved/huge.bin")
        let third = try publish(publisher)
        XCTAssertEqual(third["seq"] as? Int, 3)
        do {
            try waitUntil("the restarted follower to move to the third version by itself", timeout: 60) {
                let now = try torrents(follower)
                return now.count == 1 && now[0]["info_hash"] as? String == third["info_hash_v1"] as? String
                    && now[0]["progress"] as? Double == 1
            }
        } catch {
            let events = try spawn(btxPath, ["events", "--since", "0", "--no-wait", "--state-dir", follower.state])
            let status = try spawn(btxPath, ["status", "--state-dir", follower.state])
            throw TestFailure("\(error)\n\(status.text)\n\(events.text.suffix(3000))")
        }
        XCTAssertEqual(try scratch.contents("got/site/note.txt"), Data("three\n".utf8))
        XCTAssertEqual(try scratch.contents("got/site/moved/huge.bin"), big)
        let thirdDownloaded = try XCTUnwrap(try torrents(follower).first?["session_downloaded"] as? Int)
        XCTAssertLessThan(thirdDownloaded, 100_000, "the third version downloaded \(thirdDownloaded) bytes")
    }

    func testAFollowerGetsTheVersionPublishedLast() throws {
        let publisher = try node("publisher"), follower = try node("follower")
        try startDaemon(publisher)
        try startDaemon(follower)
        let files = ["a.bin": randomData(300_000), "b.bin": randomData(200_000), "c.txt": Data("version one\n".utf8)]
        for (name, data) in files { try scratch.write("content/site/" + name, data) }

        func publish() throws -> [String: Any] { try self.publish(publisher) }
        func follow(_ link: String, into folder: String) throws -> ProcessResult {
            try follower.run("add", ["--json", link, "-o", scratch.path + "/" + folder, "--peer", "127.0.0.1:\(publisher.port)"])
        }

        let first = try publish()
        let link = try XCTUnwrap(first["magnet"] as? String)
        XCTAssertTrue(link.hasPrefix("magnet:?xs=urn:btpk:"), link)
        XCTAssertEqual(first["seq"] as? Int, 1)
        XCTAssertEqual(first["created"] as? Bool, true)
        XCTAssertNotNil(first["info_hash_v2"] as? String, "a published folder is a hybrid torrent")

        let got = try follow(link, into: "got")
        XCTAssertEqual(got.status, 0, got.stderr)
        for (name, data) in files { XCTAssertEqual(try scratch.contents("got/site/" + name), data, name) }

        // The same version again only refreshes the item.
        let again = try publish()
        XCTAssertEqual(again["seq"] as? Int, 1)
        XCTAssertEqual(again["updated"] as? Bool, false)

        try scratch.write("content/site/c.txt", Data("version two, longer\n".utf8))
        let second = try publish()
        XCTAssertEqual(second["seq"] as? Int, 2)
        XCTAssertEqual(second["magnet"] as? String, link)
        XCTAssertNotEqual(second["info_hash_v1"] as? String, first["info_hash_v1"] as? String)

        let updated = try follow(link, into: "got2")
        XCTAssertEqual(updated.status, 0, updated.stderr)
        XCTAssertEqual(try scratch.contents("got2/site/c.txt"), Data("version two, longer\n".utf8))
        XCTAssertEqual(try scratch.contents("got2/site/a.bin"), files["a.bin"])
        let listed = try spawn(btxPath, ["status", "--json", "--state-dir", follower.state])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let held = try listed.json()["torrents"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(held.compactMap { $0["info_hash"] as? String }),
                       Set([first["info_hash_v1"], second["info_hash_v1"]].compactMap { $0 as? String }))
    }

    func testBadLinksAndItemsAddNothing() throws {
        let publisher = try node("publisher"), follower = try node("follower")
        try startDaemon(publisher)
        let key = String(repeating: "ab", count: 32)
        for (link, word) in [("magnet:?xs=urn:btpk:abc", "not a public key"),
                             ("magnet:?xs=urn:btpk:\(key)&s=" + String(repeating: "00", count: 65), "BEP 44 allows 64"),
                             ("magnet:?xs=urn:btpk:\(key)&s=xyz", "not hex")] {
            let refused = try follower.run("add", [link, "-o", scratch.path + "/got"])
            XCTAssertEqual(refused.status, 2, "\(link): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains(word), refused.stderr)
        }
        let longSalt = try publisher.run("publish", [scratch.path, "--salt", String(repeating: "s", count: 65)])
        XCTAssertEqual(longSalt.status, 2, longSalt.stderr)
        // A torrent written into what it publishes would make each publish a new version; a file not its torrent stays.
        try scratch.write("c/x.bin", Data("x".utf8))
        let inside = try publisher.run("publish", [scratch.path + "/c", "-o", scratch.path + "/c/c.torrent"])
        XCTAssertEqual(inside.status, 2, inside.stderr)
        try scratch.write("notes.txt", Data("keep me".utf8))
        let occupied = try publisher.run("publish", [scratch.path + "/c", "-o", scratch.path + "/notes.txt"])
        XCTAssertEqual(occupied.status, 1, occupied.stderr)
        XCTAssertEqual(try scratch.contents("notes.txt"), Data("keep me".utf8))

        // A signed item that names no torrent.
        let put = try publisher.run("dht-put", ["--json", "--mutable", "--salt", "notes", "just some text"])
        XCTAssertEqual(put.status, 0, put.stderr)
        let publicKey = try put.json()["public_key"] as! String
        let notATorrent = try follower.run("add", ["magnet:?xs=urn:btpk:\(publicKey)&s=" + Data("notes".utf8).hex,
                                                    "-o", scratch.path + "/got"])
        XCTAssertEqual(notATorrent.status, 1, notATorrent.stderr)
        XCTAssertTrue(notATorrent.stderr.contains("not a mutable torrent"), notATorrent.stderr)
        let saved = (try? FileManager.default.contentsOfDirectory(atPath: follower.state + "/resume")) ?? []
        XCTAssertEqual(saved, [], "something was added")
    }
}
