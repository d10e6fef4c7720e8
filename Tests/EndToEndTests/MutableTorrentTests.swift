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

    func testAFollowerGetsTheVersionPublishedLast() throws {
        let publisher = try node("publisher"), follower = try node("follower")
        try startDaemon(publisher)
        try startDaemon(follower)
        let files = ["a.bin": randomData(300_000), "b.bin": randomData(200_000), "c.txt": Data("version one\n".utf8)]
        for (name, data) in files { try scratch.write("content/site/" + name, data) }

        func publish() throws -> [String: Any] {
            let published = try publisher.run("publish", ["--json", scratch.path + "/content/site", "-o", scratch.path + "/site.torrent"])
            XCTAssertEqual(published.status, 0, published.stderr)
            let document = try published.json()
            if document["updated"] as? Bool == true {
                // The publisher's daemon seeds each version it published.
                let seeded = try publisher.run("add", ["--detach", "-q", "--seed", scratch.path + "/site.torrent",
                                                       "-o", scratch.path + "/content"])
                XCTAssertEqual(seeded.status, 0, seeded.stderr)
            }
            return document
        }
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
