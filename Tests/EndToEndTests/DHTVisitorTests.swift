import Foundation
import XCTest
import TestSupport

/// One-shot DHT commands on a small private DHT: they join, ask and leave.
/// What they leave behind must not slow the next lookup down.
final class DHTVisitorTests: XCTestCase {
    private func btxDHT(_ arguments: [String], state: String, dht: PrivateDHT, listen: Bool = true) throws -> ProcessResult {
        let listening = listen ? ["--listen", "127.0.0.1:\(freePort())"] : []
        return try spawn(btxPath, arguments + ["--state-dir", state, "--timeout", "30"] + listening + dht.bootstrap)
    }

    func testAMutableGetDoesNotWaitForNodesThatAreGone() throws {
        let scratch = try Scratch()
        let dht = try PrivateDHT()
        try spawn(btxPath, ["dht-keygen", "--state-dir", scratch.path + "/key"])
        let key = scratch.path + "/key/dht.key"
        // A writer of its own identity (state dir, port) is a dead entry in
        // the others' routing tables once it exits, and a complete lookup
        // waits 15 s for it (BEP 43 read-only mode does not help: libtorrent
        // 2.0.8 adds any node that stores an item).
        let put = try btxDHT(["dht-put", "--mutable", "--key", key, "value 1"], state: scratch.path + "/writer", dht: dht)
        XCTAssertEqual(put.status, 0, put.stderr)
        let publicKey = try spawn(btxPath, ["dht-keygen", "--json", "--state-dir", scratch.path + "/key"]).json()["public_key"] as! String

        let started = Date()
        let get = try btxDHT(["dht-get", "--json", publicKey], state: scratch.path + "/reader", dht: dht)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(get.status, 0, get.stderr)
        let item = try get.json()
        XCTAssertEqual(item["value"] as? String, "value 1")
        XCTAssertEqual(item["seq"] as? Int, 1)
        XCTAssertEqual(item["authoritative"] as? Bool, false, "it answered before libtorrent's lookup timed out the dead writers")
        XCTAssertLessThan(seconds, 10, "a hang guard, not a benchmark: bench/dht-leftovers.sh measures it")
    }

    func testLoopbackBootstrapWorksWithoutListen() throws {
        let scratch = try Scratch()
        let dht = try PrivateDHT()
        // No --listen: btx listens where its loopback bootstrap nodes can reach it.
        let put = try btxDHT(["dht-put", "--json", "no listen given"], state: scratch.path + "/state", dht: dht, listen: false)
        XCTAssertEqual(put.status, 0, put.stderr)
        let target = try put.json()["target"] as! String
        XCTAssertEqual(try dht.ask("get \(target)")?["value"] as? String, Data("15:no listen given".utf8).hex)
    }
}
