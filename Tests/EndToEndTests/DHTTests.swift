import Foundation
import XCTest
import TestSupport

/// dht-put and dht-get through separate btx processes on a private loopback
/// DHT, checked against python3-libtorrent as an independent client.
///
/// Every btx process of a test is the same DHT node (one state directory,
/// so one node id, and one port), as a user's btx is. Other identities that
/// stored items and exited would stay in the nodes' tables, and on a DHT
/// with fewer than 8 live nodes libtorrent waits 15 s for each such dead node.
final class DHTTests: XCTestCase {
    private var dht: PrivateDHT!
    private var scratch: Scratch!
    private var port = 0

    override func setUpWithError() throws {
        dht = try PrivateDHT()
        scratch = try Scratch()
        port = freePort()
    }

    override func tearDown() {
        dht = nil
        scratch = nil
    }

    /// A btx process joined to the private DHT.
    private func run(_ command: String, _ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try spawn(btxPath, [command, "--state-dir", scratch.path + "/state", "--listen", "127.0.0.1:\(port)",
                            "--timeout", "20"] + dht.bootstrap + arguments, stdin: stdin)
    }

    func testImmutableRoundTripBetweenProcessesTextAndBinary() throws {
        let put = try run("dht-put", ["--json", "hello, DHT"])
        XCTAssertEqual(put.status, 0, put.stderr)
        let stored = try put.json()
        let target = stored["target"] as! String
        XCTAssertEqual(target.count, 40)
        XCTAssertGreaterThan(stored["nodes"] as! Int, 0)

        let nodeID = try savedNodeID()
        // BTX_DHT_BOOTSTRAP stands in for --bootstrap.
        let get = try spawn(btxPath, ["dht-get", "--state-dir", scratch.path + "/state", "--listen", "127.0.0.1:\(port)", target],
                            environment: ["BTX_DHT_BOOTSTRAP": dht.ports.map { "127.0.0.1:\($0)" }.joined(separator: ",")])
        XCTAssertEqual(get.status, 0, get.stderr)
        XCTAssertEqual(get.text, "hello, DHT")
        XCTAssertEqual(try savedNodeID(), nodeID, "the node id changed between runs")

        let binary = Data((0..<900).map { UInt8(($0 * 7 + 3) % 256) })
        let putBinary = try run("dht-put", ["-"], stdin: binary)
        XCTAssertEqual(putBinary.status, 0, putBinary.stderr)
        let binaryTarget = try XCTUnwrap(putBinary.text.split(separator: "\n").first { $0.hasPrefix("target") }?
            .split(separator: " ").last.map(String.init))
        let getBinary = try run("dht-get", [binaryTarget])
        XCTAssertEqual(getBinary.status, 0, getBinary.stderr)
        XCTAssertEqual(getBinary.stdout, binary)
        let asJSON = try run("dht-get", ["--json", binaryTarget]).json()
        XCTAssertEqual(asJSON["encoding"] as? String, "base64")
        XCTAssertEqual(Data(base64Encoded: asJSON["value"] as! String), binary)
    }

    /// The node id in the saved routing table (dht.state).
    private func savedNodeID() throws -> String {
        let result = try python("""
            import sys, libtorrent as lt
            state = lt.bdecode(open(sys.argv[1], "rb").read())
            print([i.hex() for i in state[b"dht state"][b"node-id"]])  # id + address per interface
            """, [scratch.path + "/state/dht.state"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.text
    }

    func testMutableItemsSeqSaltAndSignature() throws {
        let key = try spawn(btxPath, ["dht-keygen", "--state-dir", scratch.path + "/state"])
        XCTAssertEqual(key.status, 0, key.stderr)
        let publicKey = key.text.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(publicKey.count, 64)
        var st = stat()
        XCTAssertEqual(stat(scratch.path + "/state/dht.key", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)

        let first = try run("dht-put", ["--json", "--mutable", "version one"]).json()
        XCTAssertEqual(first["public_key"] as? String, publicKey)
        XCTAssertEqual(first["seq"] as? Int, 1)
        let second = try run("dht-put", ["--json", "--mutable", "version two"]).json()
        XCTAssertEqual(second["seq"] as? Int, 2)

        let got = try run("dht-get", ["--json", publicKey])
        XCTAssertEqual(got.status, 0, got.stderr)
        let item = try got.json()
        XCTAssertEqual(item["value"] as? String, "version two")
        XCTAssertEqual(item["seq"] as? Int, 2)
        XCTAssertEqual((item["signature"] as? String)?.count, 128)
        XCTAssertEqual(item["authoritative"] as? Bool, true)
        XCTAssertGreaterThan(item["nodes"] as! Int, 0)

        // The signature is checked by an independent client too: libtorrent
        // drops items whose signature does not verify.
        let python = try XCTUnwrap(try dht.ask("getm \(publicKey) 2"))
        XCTAssertEqual(python["seq"] as? Int, 2)
        XCTAssertEqual(python["value"] as? String, Data("11:version two".utf8).hex)

        let salted = try run("dht-put", ["--json", "--mutable", "--salt", "blue", "salted value"]).json()
        XCTAssertEqual(salted["seq"] as? Int, 1)
        XCTAssertNotEqual(salted["target"] as? String, first["target"] as? String)
        XCTAssertEqual(try run("dht-get", [publicKey, "--salt", "blue"]).text, "salted value")
        XCTAssertEqual(try run("dht-get", [publicKey]).text, "version two")
        let wrongSalt = try run("dht-get", ["--json", publicKey, "--salt", "green"])
        XCTAssertEqual(wrongSalt.status, 3, wrongSalt.stderr)

        let conflict = try run("dht-put", ["--mutable", "--cas", "1", "version three"])
        XCTAssertEqual(conflict.status, 1)
        XCTAssertTrue(conflict.stderr.contains("cas mismatch: the item's seq is 2"), conflict.stderr)
        XCTAssertEqual(try run("dht-put", ["--json", "--mutable", "--cas", "2", "version three"]).json()["seq"] as? Int, 3)
    }

    func testItemsCrossBetweenBtxAndPythonLibtorrent() throws {
        // python's put first: once a btx process has come and gone, its node
        // is a dead entry that a put's lookup waits 15 s on.
        let stored = try XCTUnwrap(try dht.ask("put \(Data("from python".utf8).hex)"))
        XCTAssertGreaterThan(stored["nodes"] as! Int, 0)
        let get = try run("dht-get", [stored["target"] as! String])
        XCTAssertEqual(get.status, 0, get.stderr)
        XCTAssertEqual(get.text, "from python")

        let put = try run("dht-put", ["--json", "from btx"]).json()
        let fromBtx = try XCTUnwrap(try dht.ask("get \(put["target"] as! String)"))
        XCTAssertEqual(fromBtx["value"] as? String, Data("8:from btx".utf8).hex)
    }

    func testCommandsGoThroughARunningDaemon() throws {
        let state = scratch.path + "/state"
        let daemon = try spawn(btxPath, ["daemon", "--state-dir", state, "--listen", "127.0.0.1:\(port)"] + dht.bootstrap)
        XCTAssertEqual(daemon.status, 0, daemon.stderr)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", state]) }
        // Were these to start a DHT node of their own, it would only know this dead address.
        let trap = ["BTX_DHT_BOOTSTRAP": "127.0.0.1:\(freePort())"]
        func viaDaemon(_ arguments: [String]) throws -> ProcessResult {
            try spawn(btxPath, arguments + ["--state-dir", state, "--timeout", "5"], environment: trap)
        }

        let stored = try XCTUnwrap(try dht.ask("put \(Data("seen by the daemon".utf8).hex)"))
        try waitUntil("the daemon's DHT to find the item", timeout: 20) {
            try viaDaemon(["dht-get", stored["target"] as! String]).text == "seen by the daemon"
        }
        let put = try viaDaemon(["dht-put", "--json", "--mutable", "from the daemon"])
        XCTAssertEqual(put.status, 0, put.stderr)
        let publicKey = try put.json()["public_key"] as! String
        XCTAssertGreaterThan(try put.json()["nodes"] as! Int, 0)
        let got = try viaDaemon(["dht-get", "--json", publicKey])
        XCTAssertEqual(got.status, 0, got.stderr)
        XCTAssertEqual(try got.json()["value"] as? String, "from the daemon")
        XCTAssertEqual(try got.json()["seq"] as? Int, 1)
        XCTAssertEqual(try viaDaemon(["dht-get", String(repeating: "cd", count: 20)]).status, 3)
    }

    func testRefusalsBeforeAnyNetworkWork() throws {
        let tooBig = try run("dht-put", [String(repeating: "x", count: 997)])
        XCTAssertEqual(tooBig.status, 1)
        XCTAssertTrue(tooBig.stderr.contains("BEP 44 allows 1000"), tooBig.stderr)

        let missing = try run("dht-get", [String(repeating: "ab", count: 20)])
        XCTAssertEqual(missing.status, 3, missing.stderr)

        XCTAssertEqual(try run("dht-get", ["xyz"]).status, 2)
        XCTAssertEqual(try run("dht-put", ["--salt", "s", "v"]).status, 2)

        try Data("00".utf8).write(to: URL(fileURLWithPath: scratch.path + "/open.key"))
        chmod(scratch.path + "/open.key", 0o644)
        let open = try run("dht-put", ["--mutable", "--key", scratch.path + "/open.key", "v"])
        XCTAssertEqual(open.status, 1)
        XCTAssertTrue(open.stderr.contains("can be read by others"), open.stderr)
    }
}
