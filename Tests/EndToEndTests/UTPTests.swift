import Foundation
import TestSupport
import XCTest

/// uTP against real libtorrent peers that speak TCP only or uTP only, both
/// ways: on loopback, and between two network namespaces joined by a veth
/// pair (198.18.0.0/15, the benchmark range), where btx's listen socket is
/// not loopback and so dials uTP first, as it does on a LAN.
final class UTPTests: XCTestCase {
    /// A python-libtorrent peer speaking only `transport` (tcp or utp). As
    /// a seeder it listens on ADDR and prints its port; as a leecher it
    /// dials PEER. It prints {"done": bytes, "utp": bool} once complete (or
    /// after 40 s).
    private static let peer = """
        import json, sys, time, libtorrent as lt, warnings
        warnings.simplefilter("ignore", DeprecationWarning)
        role, transport, torrent, data, listen, dial = sys.argv[1:7]
        tcp, utp = transport == "tcp", transport == "utp"
        s = lt.session({"listen_interfaces": listen + ":0", "enable_dht": False, "enable_lsd": False,
                        "enable_upnp": False, "enable_natpmp": False, "allow_multiple_connections_per_ip": True,
                        "enable_outgoing_tcp": tcp, "enable_incoming_tcp": tcp,
                        "enable_outgoing_utp": utp, "enable_incoming_utp": utp, "tick_interval": 100})
        params = {"ti": lt.torrent_info(torrent), "save_path": data}
        if role == "seed": params["flags"] = lt.torrent_flags.seed_mode
        h = s.add_torrent(params)
        while s.listen_port() == 0: time.sleep(0.01)
        print(json.dumps({"port": s.listen_port()}), flush=True)
        if dial != "-":
            host, port = dial.rsplit(":", 1)
            h.connect_peer((host, int(port)))
        end, seen_utp = time.time() + 40, False
        def finished():
            if role == "seed": return any(int(p.flags) & (1 << 10) for p in h.get_peer_info())
            return h.status().is_seeding
        while time.time() < end and not finished():
            # peer_info::utp_socket, which the binding does not name
            seen_utp = seen_utp or any(int(p.flags) & (1 << 17) for p in h.get_peer_info())
            time.sleep(0.05)
        print(json.dumps({"done": h.status().total_wanted_done, "complete": finished(), "utp": seen_utp}), flush=True)
        """

    private let size = 4 << 20

    private func content(_ scratch: Scratch) throws -> String {
        try scratch.write("src/wire.bin", randomData(size))
        return try makeTorrent(scratch.path + "/src/wire.bin", scratch.path + "/wire.torrent")
    }

    /// Starts a python peer, in `namespace` when given; returns it and its port.
    private func python(_ role: String, _ transport: String, _ torrent: String, data: String, listen: String,
                        dial: String = "-", in namespace: String? = nil) throws -> (RunningProcess, Int) {
        let command = ["/usr/bin/python3", "-c", Self.peer, role, transport, torrent, data, listen, dial]
        let process = try namespace.map { try RunningProcess("/usr/sbin/ip", ["netns", "exec", $0] + command) }
            ?? RunningProcess(command[0], Array(command.dropFirst()))
        let line = try process.waitForLine(timeout: 20, "the python peer's port") { $0.hasPrefix("{\"port\"") }
        let port = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        return (process, port["port"] as! Int)
    }

    private func outcome(_ process: RunningProcess) throws -> [String: Any] {
        let line = try process.waitForLine(timeout: 60, "the python peer's outcome") { $0.hasPrefix("{\"done\"") }
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }

    /// btx's arguments for a peer listening on `address` (its own state, no DHT).
    private func btxArguments(_ peer: Peer, listen address: String) -> [String] {
        ["--state-dir", peer.state, "--listen", address + ":0", "--no-dht"]
    }

    // MARK: loopback

    /// A btx on loopback dials TCP but answers uTP: a uTP-only peer reaches it.
    func testAUTPOnlyPeerReachesABTXSeederOnLoopback() throws {
        let scratch = try Scratch()
        let torrent = try content(scratch)
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let (leecher, _) = try python("leech", "utp", torrent, data: scratch.path + "/dl", listen: "127.0.0.1",
                                      dial: "127.0.0.1:\(port)")
        let result = try outcome(leecher)
        XCTAssertEqual(result["done"] as? Int, size, "\(result)")
        XCTAssertEqual(result["utp"] as? Bool, true)
    }

    /// With `utp = on`, btx on loopback dials uTP: a uTP-only seeder is reached.
    func testBTXWithUTPOnReachesAUTPOnlySeederOnLoopback() throws {
        let scratch = try Scratch()
        let torrent = try content(scratch)
        let (seeder, port) = try python("seed", "utp", torrent, data: scratch.path + "/src", listen: "127.0.0.1")
        let leecher = try Peer(scratch, "leecher")
        try Data("dht = off\nlsd = off\nupnp = off\nnatpmp = off\nutp = on\n".utf8)
            .write(to: URL(fileURLWithPath: leecher.state + "/config"))
        let run = try leecher.add([torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)"], timeout: 60)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try digests(scratch.path + "/dl"), try digests(scratch.path + "/src"))
        _ = seeder
    }

    // MARK: between network namespaces

    /// Two namespaces joined by a veth pair: btx's side is 198.18.N.1,
    /// the other 198.18.N.2. Removed when the test ends.
    private func namespaces() throws -> (btx: String, other: String, btxAddress: String, otherAddress: String) {
        guard getuid() == 0 else { throw XCTSkip("network namespaces need root") }
        let tag = String(getpid() % 10_000) + "-" + String(Int.random(in: 0..<1000))
        let (a, b) = ("btxu-a\(tag)", "btxu-b\(tag)")
        let subnet = Int.random(in: 1...250)
        let (addressA, addressB) = ("198.18.\(subnet).1", "198.18.\(subnet).2")
        addTeardownBlock {
            _ = try? spawn("/usr/sbin/ip", ["netns", "del", a])
            _ = try? spawn("/usr/sbin/ip", ["netns", "del", b])
        }
        let vethA = "va\(tag)".prefix(15), vethB = "vb\(tag)".prefix(15)
        let steps: [[String]] = [
            ["netns", "add", a], ["netns", "add", b],
            ["link", "add", String(vethA), "netns", a, "type", "veth", "peer", "name", String(vethB), "netns", b],
            ["-n", a, "addr", "add", addressA + "/30", "dev", String(vethA)],
            ["-n", b, "addr", "add", addressB + "/30", "dev", String(vethB)],
            ["-n", a, "link", "set", String(vethA), "up"], ["-n", b, "link", "set", String(vethB), "up"],
            ["-n", a, "link", "set", "lo", "up"], ["-n", b, "link", "set", "lo", "up"],
        ]
        for step in steps {
            let done = try spawn("/usr/sbin/ip", step)
            guard done.status == 0 else { throw XCTSkip("cannot make network namespaces here: \(done.stderr)") }
        }
        return (a, b, addressA, addressB)
    }

    /// btx leeching over the veth from a TCP-only and then a uTP-only seeder.
    func testBTXDownloadsFromTCPOnlyAndUTPOnlyPeersAcrossNamespaces() throws {
        let net = try namespaces()
        let scratch = try Scratch()
        let torrent = try content(scratch)
        for transport in ["tcp", "utp"] {
            let (seeder, port) = try python("seed", transport, torrent, data: scratch.path + "/src", listen: net.otherAddress,
                                            in: net.other)
            let leecher = try Peer(scratch, "leecher-" + transport)
            let run = try spawn("/usr/sbin/ip", ["netns", "exec", net.btx, btxPath, "add", "--json"]
                                    + btxArguments(leecher, listen: net.btxAddress)
                                    + [torrent, "-o", scratch.path + "/dl-" + transport, "--peer", "\(net.otherAddress):\(port)"],
                                timeout: 90)
            XCTAssertEqual(run.status, 0, "\(transport): \(run.stderr)")
            XCTAssertEqual(try digests(scratch.path + "/dl-" + transport), try digests(scratch.path + "/src"), transport)
            _ = seeder
        }
    }

    /// A btx seeder behind the veth, dialled by a TCP-only and then a uTP-only leecher.
    func testTCPOnlyAndUTPOnlyPeersDownloadFromBTXAcrossNamespaces() throws {
        let net = try namespaces()
        let scratch = try Scratch()
        let torrent = try content(scratch)
        let peer = try Peer(scratch, "seeder")
        let seeder = try RunningProcess("/usr/sbin/ip", ["netns", "exec", net.btx, btxPath, "add", "--json"]
                                            + btxArguments(peer, listen: net.btxAddress)
                                            + [torrent, "-o", scratch.path + "/src", "--seed"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let port = try seeder.waitForEvent("listening")["port"] as! Int
        try waitUntil("the seeder to check its files") { seeder.events.contains { $0.type == "finished" } }
        for transport in ["tcp", "utp"] {
            let (leecher, _) = try python("leech", transport, torrent, data: scratch.path + "/dl-" + transport,
                                          listen: net.otherAddress, dial: "\(net.btxAddress):\(port)", in: net.other)
            let result = try outcome(leecher)
            XCTAssertEqual(result["done"] as? Int, size, "\(transport): \(result)")
            XCTAssertEqual(result["utp"] as? Bool, transport == "utp", transport)
        }
    }
}
