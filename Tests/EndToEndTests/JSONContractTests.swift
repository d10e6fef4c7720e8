import Foundation
import XCTest
import TestSupport

/// Every command's --json output and every event type, produced for real and
/// held to docs/json (spawn and RunningProcess validate each line; see
/// SchemaValidator): stdout carries JSON and nothing else, and no schema is
/// left without a document that exercised it.
final class JSONContractTests: XCTestCase {
    private var produced = Set<String>()

    @discardableResult
    private func json(_ arguments: [String], status: Int32 = 0) throws -> ProcessResult {
        let result = try spawn(btxPath, arguments + ["--json"])
        XCTAssertEqual(result.status, status, "btx \(arguments.joined(separator: " ")): \(result.stderr)")
        note(arguments + ["--json"], result.text)
        return result
    }

    private func note(_ arguments: [String], _ stdout: String) {
        for line in stdout.split(separator: "\n") {
            produced.insert(SchemaValidator.schema(for: arguments, line: String(line)))
        }
    }

    func testEveryCommandAndEventPrintsOnlyJSONThatMatchesItsSchema() throws {
        let scratch = try Scratch()
        try scratch.write("src/set/a.bin", randomData(4 << 20))
        try scratch.write("src/set/b.txt", Data("b\n".utf8))
        let blocklist = try scratch.write("list.p2p", Data("nobody:10.9.8.0-10.9.8.255\nnot a line\n".utf8))
        let trackerPort = freePort()
        let torrent = scratch.path + "/set.torrent"
        let created = try json(["create", scratch.path + "/src/set", "-o", torrent, "--no-date",
                                "-t", "http://127.0.0.1:\(trackerPort)/announce"]).json()
        let hash = try XCTUnwrap(created["info_hash"] as? String)
        let magnet = try XCTUnwrap(created["magnet_uri"] as? String)
        try json(["info", torrent])
        try json(["files", torrent])
        try json(["edit", torrent, "--comment", "contract", "-o", scratch.path + "/edited.torrent"])
        try json(["verify", torrent, scratch.path + "/src"])
        try json(["version"])
        try json(["help"])
        try json(["help", "add"])
        try json(["info", scratch.path + "/missing.torrent"], status: 3)
        try json(["blocklist", blocklist])
        try json(["dht-keygen", "--state-dir", scratch.path + "/keys"])

        // A tracker, and a seeder that announces to it, with a blocklist and
        // damaged resume data to warn about.
        try FileManager.default.createDirectory(atPath: scratch.path + "/tracker", withIntermediateDirectories: true)
        try Data("\(hash)\n".utf8).write(to: URL(fileURLWithPath: scratch.path + "/tracker/whitelist"))
        let tracker = try RunningProcess("/usr/bin/opentracker", ["-i", "127.0.0.1", "-p", "\(trackerPort)",
                                                                  "-d", scratch.path + "/tracker", "-w", "whitelist"])
        try waitUntil("opentracker to listen") { canConnect(port: trackerPort) }
        let seederPeer = try Peer(scratch, "seeder")
        try scratch.write("seeder-state/resume/\(hash).resume", Data("not bencode".utf8))
        let (seeder, seederPort) = try seederPeer.seed([torrent], from: scratch.path + "/src",
                                                       extra: ["--blocklist", blocklist, "--on-complete", "true"])
        try seeder.waitForEvent("hook")
        try seeder.waitForEvent("tracker_reply")
        try seeder.waitForEvent("warning")

        // A daemon leeches the magnet slowly, followed by add --json, while
        // every other command looks at it.
        let leecher = try Peer(scratch, "leecher")
        let state = ["--state-dir", leecher.state]
        try json(["daemon", "--listen", "127.0.0.1:0", "--no-dht", "--max-active-downloads", "2"] + state)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop"] + state) }
        let follow = try RunningProcess(btxPath, ["add", "--json", magnet, "-o", scratch.path + "/dst", "--max-down", "1M",
                                                  "--peer", "127.0.0.1:\(seederPort)"] + state)
        try follow.waitForEvent("progress") { ($0["done"] as? Int ?? 0) > 0 }
        try json(["status"] + state)
        try json(["status", "set"] + state)
        try json(["doctor"] + state)
        try json(["trackers", "set"] + state)
        try json(["set", "set", "--max-peers", "20"] + state)
        try json(["set", "--alt", "off"] + state)
        try json(["queue", "set", "top"] + state)
        try json(["queue"] + state)
        try json(["peers", "set"] + state)
        try json(["files", "set"] + state)
        try json(["pause", "set"] + state)
        try json(["resume", "set"] + state)
        let watch = try RunningProcess(btxPath, ["status", "--watch=0.2", "--json"] + state)
        try watch.waitForLine("a second tick") { _ in watch.output.count >= 2 }
        watch.signal(SIGINT)
        XCTAssertEqual(try watch.wait(), 130)
        note(["status", "--watch", "--json"], watch.output.joined(separator: "\n"))
        XCTAssertEqual(try follow.wait(timeout: 60), 0, follow.stderrText())
        note(["add", "--json"], follow.output.joined(separator: "\n"))
        try json(["cat", "set", "b.txt"] + state)
        let serve = try RunningProcess(btxPath, ["serve", "set", "b.txt", "--json"] + state)
        try serve.waitForLine("the serve document") { $0.hasPrefix("{") }
        serve.signal(SIGTERM)
        XCTAssertEqual(try serve.wait(), 143)
        note(["serve", "--json"], serve.output.joined(separator: "\n"))
        try json(["verify", "set"] + state)
        try json(["export", "set", "-o", scratch.path + "/exported.torrent"] + state)
        try json(["move", "set", scratch.path + "/moved"] + state)
        try json(["add", scratch.path + "/missing.torrent"] + state, status: 3)
        try json(["add", torrent, "-o", scratch.path + "/dst", "--detach"] + state)
        try json(["remove", "set"] + state)
        try json(["daemon", "--stop"] + state)
        seeder.signal(SIGINT)
        XCTAssertEqual(try seeder.wait(), 130)
        note(["add", "--json"], seeder.output.joined(separator: "\n"))

        // A one-shot DHT node stores and reads a signed item.
        let dht = try PrivateDHT(nodes: 4)
        let node = ["--state-dir", scratch.path + "/dht", "--listen", "127.0.0.1:\(freePort())", "--timeout", "20"] + dht.bootstrap
        let put = try json(["dht-put", "--mutable", "--salt", "s", "signed"] + node).json()
        try json(["dht-get", try XCTUnwrap(put["public_key"] as? String), "--salt", "s"] + node)
        try json(["publish", torrent, "--salt", "p"] + node)
        _ = tracker

        let schemas = try FileManager.default.contentsOfDirectory(atPath: SchemaValidator.schemaDirectory)
            .filter { $0.hasSuffix(".schema.json") }.map { String($0.dropLast(".schema.json".count)) }
        // btx events' documents, one per kind of event, are EventsTests' to bring about.
        XCTAssertEqual(Set(schemas).subtracting(produced).filter { !$0.hasPrefix("events-") }.sorted(), [],
                       "no document exercised these schemas")
        XCTAssertEqual(produced.subtracting(schemas).sorted(), [], "output without a schema")
    }
}
