import Foundation
import XCTest

/// `--encryption` against python3-libtorrent peers with encryption forced
/// or turned off, dialling a btx seeder on 127.0.0.1.
final class EncryptionTests: XCTestCase {
    /// A libtorrent leecher with encryption `force`d or `disable`d: it dials
    /// the seeder, prints "receiving" once bytes arrive, and when it is
    /// complete or its connection is refused prints {"done": bytes, "refused": bool}.
    private static let leecher = """
        import json, sys, time, libtorrent as lt, warnings
        warnings.simplefilter("ignore", DeprecationWarning)
        torrent, port, mode, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
        policy, level = {"force": (0, 2), "disable": (2, 1)}[mode]
        # TCP only, as btx on loopback: a failed uTP attempt would look like a refusal.
        s = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                        "enable_upnp": False, "enable_natpmp": False, "enable_outgoing_utp": False,
                        "enable_incoming_utp": False, "out_enc_policy": policy, "min_reconnect_time": 1,
                        "in_enc_policy": policy, "allowed_enc_level": level,
                        "alert_mask": lt.alert.category_t.all_categories})
        h = s.add_torrent({"ti": lt.torrent_info(torrent), "save_path": dst})
        h.connect_peer(("127.0.0.1", port))
        refused, receiving, dialled, end = False, False, time.time(), time.time() + 30
        while time.time() < end and not refused and not h.status().is_seeding:
            if not receiving and h.status().total_wanted_done > 0:
                receiving = True
                print("receiving", flush=True)
            # Dropped while the seeder still lets the refused plaintext peer go (one
            # connection an IP), or a handshake lost under load: dial again rather
            # than wait out libtorrent's reconnect backoff.
            if mode == "force" and not receiving and h.status().num_peers == 0 and time.time() - dialled > 1:
                h.connect_peer(("127.0.0.1", port))
                dialled = time.time()
            s.wait_for_alert(100)
            for a in s.pop_alerts():
                if isinstance(a, lt.peer_disconnected_alert) and a.endpoint[1] == port and h.status().total_wanted_done == 0:
                    refused = mode == "disable"
        print(json.dumps({"done": h.status().total_wanted_done, "refused": refused}), flush=True)
        """

    /// A slow seeder, so that a connection lasts long enough to be looked at.
    private func seed(_ scratch: Scratch, policy: String) throws -> (Peer, RunningProcess, Int, String) {
        try scratch.write("src/secret.bin", randomData(2 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/secret.bin", scratch.path + "/secret.torrent")
        let peer = try Peer(scratch, "seeder")
        let (seeder, port) = try peer.seed([torrent], from: scratch.path + "/src", extra: ["--encryption", policy, "--max-up", "1M"])
        return (peer, seeder, port, torrent)
    }

    private func leecher(_ torrent: String, port: Int, mode: String, into dst: String) throws -> RunningProcess {
        try RunningProcess("/usr/bin/python3", ["-c", Self.leecher, torrent, String(port), mode, dst])
    }

    private func result(_ python: RunningProcess) throws -> [String: Any] {
        let line = try python.waitForLine(timeout: 40, "the leecher's result") { $0.hasPrefix("{") }
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }

    /// A plaintext leecher's result. Once in CI (2026-12-07) the python peer
    /// ended half a second after it started with no result and no stderr
    /// shown, never here in 30 runs: a second leecher is tried before the
    /// seeder is blamed, and the first one's end is printed.
    private func plaintextResult(_ torrent: String, port: Int, into dst: String) throws -> [String: Any] {
        do {
            return try result(try leecher(torrent, port: port, mode: "disable", into: dst))
        } catch let failure as TestFailure {
            print("the first plaintext leecher failed, trying another: \(failure)")
            return try result(try leecher(torrent, port: port, mode: "disable", into: dst + "-again"))
        }
    }

    func testRequireRefusesPlaintextPeersAndShowsEncryptedOnes() throws {
        let scratch = try Scratch()
        let (peer, seeder, port, torrent) = try seed(scratch, policy: "require")

        let refused = try result(try leecher(torrent, port: port, mode: "disable", into: scratch.path + "/plain"))
        XCTAssertEqual(refused["refused"] as? Bool, true, "\(refused)")
        XCTAssertEqual(refused["done"] as? Int, 0)

        let encrypted = try leecher(torrent, port: port, mode: "force", into: scratch.path + "/encrypted")
        try encrypted.waitForLine("bytes to arrive") { $0 == "receiving" }
        let peers = try spawn(btxPath, ["peers", "--json", "--state-dir", peer.state, "secret.bin"]).json()["peers"] as! [[String: Any]]
        XCTAssertEqual(peers.count, 1)
        XCTAssertEqual((peers.first?["flags"] as? String).map { Array($0)[5] }, "E", "\(peers)")
        XCTAssertEqual(try result(encrypted)["done"] as? Int, 2 << 20)
        _ = seeder
    }

    func testPreferServesPlaintextPeersToo() throws {
        let scratch = try Scratch()
        let (_, seeder, port, torrent) = try seed(scratch, policy: "prefer")
        let plain = try plaintextResult(torrent, port: port, into: scratch.path + "/plain")
        XCTAssertEqual(plain["done"] as? Int, 2 << 20, "\(plain)")
        _ = seeder
    }

    func testAnUnknownPolicyIsAUsageError() throws {
        let scratch = try Scratch()
        try scratch.write("src/x.bin", Data("x".utf8))
        let torrent = try makeTorrent(scratch.path + "/src/x.bin", scratch.path + "/x.torrent")
        let result = try spawn(btxPath, ["add", "--state-dir", scratch.path + "/state", "--encryption", "maybe", torrent])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.hasPrefix("btx: --encryption: 'maybe' is not require, prefer, allow or disable"), result.stderr)
    }
}
