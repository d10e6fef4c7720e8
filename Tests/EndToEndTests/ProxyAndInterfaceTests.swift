import Foundation
import XCTest
import TestSupport

/// --proxy, --proxy-only and --interface against real proxies from Debian,
/// on loopback. The proxies connect out from 127.0.0.2 and the seeders
/// listen on 127.0.0.1, so the address a seeder sees tells whether a
/// connection came through the proxy.
final class ProxyAndInterfaceTests: XCTestCase {
    private struct Swarm {
        let scratch: Scratch
        let torrent: String
        let hash: String
        let seeder: Peer
        let seeding: RunningProcess
        let port: Int
        let leecher: Peer

        init(size: Int = 1 << 20) throws {
            scratch = try Scratch()
            try scratch.write("src/data.bin", randomData(size))
            torrent = try makeTorrent(scratch.path + "/src/data.bin", scratch.path + "/data.torrent")
            hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String
            seeder = try Peer(scratch, "seeder")
            (seeding, port) = try seeder.seed([torrent], from: scratch.path + "/src")
            leecher = try Peer(scratch, "leecher")
        }

        /// The leecher's `add` of the torrent from the seeder, plus `extra`.
        func download(_ extra: [String]) -> [String] {
            [torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"] + extra
        }

        func downloadedIntact() throws -> Bool {
            try digests(scratch.path + "/dst") == digests(scratch.path + "/src")
        }

        /// The addresses of the peers `peer`'s running session has for the torrent.
        func peerAddresses(_ peer: Peer) throws -> [String] {
            let result = try spawn(btxPath, ["peers", "--json", hash, "--state-dir", peer.state])
            guard result.status == 0 else { throw TestFailure("peers: \(result.stderr)") }
            return (try result.json()["peers"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
        }
    }

    func testSOCKS5WithoutPasswordCarriesTheDownload() throws {
        let swarm = try Swarm()
        let proxy = try TestProxy.microsocks(swarm.scratch)
        let result = try swarm.leecher.add(swarm.download(["--proxy", "socks5://127.0.0.1:\(proxy.port)"]))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(try swarm.downloadedIntact())
        XCTAssertTrue(proxy.log.contains("connected to 127.0.0.1:\(swarm.port)"), proxy.log)
        XCTAssertFalse(result.events.contains { $0.type == "listening" }, "nothing listens behind a proxy")
    }

    func testSOCKS5WithPasswordCarriesTheDownloadAndAWrongOneGetsNothing() throws {
        let swarm = try Swarm()
        let proxy = try TestProxy.microsocks(swarm.scratch, user: "btx", password: "p@ss:word")

        // Refused by the proxy: no way around it, so nothing at all.
        let refused = try swarm.leecher.start(swarm.download(["--proxy", "socks5://btx:wrong@127.0.0.1:\(proxy.port)"]))
        try refused.waitForEvent("added")
        sleep(3)
        XCTAssertEqual(try swarm.peerAddresses(swarm.seeder), [], "a refused proxy must not mean a direct connection")
        XCTAssertFalse(proxy.log.contains("connected to"), proxy.log)
        refused.signal(SIGINT)
        XCTAssertEqual(try refused.wait(), 130)

        let result = try swarm.leecher.add(swarm.download(["--proxy", "socks5://btx:p%40ss%3Aword@127.0.0.1:\(proxy.port)"]))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(try swarm.downloadedIntact())
        XCTAssertTrue(proxy.log.contains("connected to 127.0.0.1:\(swarm.port)"), proxy.log)
    }

    func testHTTPConnectCarriesTheDownload() throws {
        let swarm = try Swarm()
        let proxy = try TestProxy.tinyproxy(swarm.scratch, connectPorts: [swarm.port], user: "btx", password: "secret")
        let result = try swarm.leecher.add(swarm.download(["--proxy", "http://btx:secret@127.0.0.1:\(proxy.port)"]))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(try swarm.downloadedIntact())
        XCTAssertTrue(proxy.log.contains("CONNECT 127.0.0.1:\(swarm.port)"), proxy.log)
    }

    func testProxyOnlyNothingGoesAroundTheProxyAndNothingComesIn() throws {
        let swarm = try Swarm(size: 4 << 20)
        let proxy = try TestProxy.microsocks(swarm.scratch)
        let listenPort = freePort()
        // Slow enough to be looked at while it runs; --listen names the port
        // that would take incoming peers if anything listened.
        let leeching = try RunningProcess(btxPath, ["add", "--json", "--state-dir", swarm.leecher.state, "--no-dht",
                                                    "--listen", "127.0.0.1:\(listenPort)", "--max-down", "512k",
                                                    "--proxy", "socks5://127.0.0.1:\(proxy.port)", "--proxy-only"]
                                                   + swarm.download([]))
        try leeching.waitForEvent("progress") { ($0["done"] as? Int ?? 0) > 0 }

        let seen = try swarm.peerAddresses(swarm.seeder)
        XCTAssertFalse(seen.isEmpty)
        XCTAssertTrue(seen.allSatisfy { $0.hasPrefix("127.0.0.2:") }, "the seeder saw a direct connection: \(seen)")
        XCTAssertEqual(try listeningTCPPorts(of: leeching.pid), [], "a TCP listen socket behind --proxy-only")
        XCTAssertFalse(tcpConnects(listenPort), "a peer could connect in on \(listenPort)")
        XCTAssertTrue(proxy.log.contains("connected to 127.0.0.1:\(swarm.port)"), proxy.log)

        XCTAssertEqual(try leeching.wait(timeout: 60), 0, leeching.stderrText())
        XCTAssertTrue(try swarm.downloadedIntact())
    }

    func testInterfaceBindsOutgoingAndListeningSockets() throws {
        let scratch = try Scratch()
        try scratch.write("src/data.bin", randomData(4 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/data.bin", scratch.path + "/data.torrent")
        let seeder = try Peer(scratch, "seeder"), leecher = try Peer(scratch, "leecher")
        let port = freePort()
        let seeding = try RunningProcess(btxPath, ["add", "--json", "--state-dir", seeder.state, "--no-dht", torrent,
                                                   "-o", scratch.path + "/src", "--seed",
                                                   "--interface", "127.0.0.3", "--listen", "\(port)"])
        XCTAssertEqual(try seeding.waitForEvent("listening")["port"] as? Int, port)
        try seeding.waitForEvent("finished")
        XCTAssertTrue(tcpConnects(port, host: "127.0.0.3"))
        XCTAssertFalse(tcpConnects(port, host: "127.0.0.1"), "listening beyond the interface")

        let leeching = try RunningProcess(btxPath, ["add", "--json", "--state-dir", leecher.state, "--no-dht", torrent,
                                                    "-o", scratch.path + "/dst", "--peer", "127.0.0.3:\(port)",
                                                    "--max-down", "512k", "--interface", "127.0.0.2", "--listen", "0"])
        try leeching.waitForEvent("progress") { ($0["done"] as? Int ?? 0) > 0 }
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String
        let peers = try spawn(btxPath, ["peers", "--json", hash, "--state-dir", seeder.state]).json()["peers"] as! [[String: Any]]
        let addresses = peers.compactMap { $0["address"] as? String }
        XCTAssertFalse(addresses.isEmpty)
        XCTAssertTrue(addresses.allSatisfy { $0.hasPrefix("127.0.0.2:") }, "not bound to 127.0.0.2: \(addresses)")
        XCTAssertEqual(try leeching.wait(timeout: 60), 0, leeching.stderrText())
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeding
    }

    func testDaemonGetsTheNetworkOptionsAndKeepsThePasswordOffItsCommandLine() throws {
        let swarm = try Swarm()
        let proxy = try TestProxy.microsocks(swarm.scratch, user: "btx", password: "hunter2")
        let state = ["--state-dir", swarm.leecher.state]
        let started = try spawn(btxPath, ["daemon", "--json", "--no-dht", "--listen", "127.0.0.1:0",
                                          "--proxy", "socks5://btx:hunter2@127.0.0.1:\(proxy.port)", "--proxy-only"] + state)
        XCTAssertEqual(started.status, 0, started.stderr)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop"] + state) }
        let pid = try XCTUnwrap(try started.json()["pid"] as? Int)
        let commandLine = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")), as: UTF8.self)
        XCTAssertTrue(commandLine.contains("--proxy-only"), commandLine)
        XCTAssertFalse(commandLine.contains("hunter2"), "the password is readable in ps: \(commandLine)")

        // Handed to the daemon without options: it goes through the daemon's proxy.
        let added = try spawn(btxPath, ["add", "--json"] + state + swarm.download([]))
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(try swarm.downloadedIntact())
        XCTAssertTrue(proxy.log.contains("connected to 127.0.0.1:\(swarm.port)"), proxy.log)

        // The running session would not apply a proxy asked of it now.
        let refused = try spawn(btxPath, ["add", swarm.torrent, "--proxy", "socks5://127.0.0.1:1"] + state)
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("already running") && refused.stderr.contains("--proxy"), refused.stderr)
    }

    func testDaemonGetsTheInterfaceByDeviceName() throws {
        let swarm = try Swarm()
        let state = ["--state-dir", swarm.leecher.state]
        let started = try spawn(btxPath, ["daemon", "--json", "--no-dht", "--interface", "lo", "--listen", "0"] + state)
        XCTAssertEqual(started.status, 0, started.stderr)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop"] + state) }
        let pid = try XCTUnwrap(try started.json()["pid"] as? Int)
        let commandLine = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
            .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertNotNil(commandLine.firstIndex(of: "--interface").map { commandLine[$0 + 1] == "lo" }, "\(commandLine)")
        let added = try spawn(btxPath, ["add", "--json"] + state + swarm.download([]))
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(try swarm.downloadedIntact())
    }

    func testTheDHTGoesThroughASOCKS5UDPRelay() throws {
        let dht = try PrivateDHT()
        let scratch = try Scratch()
        let proxy = try TestProxy.dante(scratch)
        let put = try spawn(btxPath, ["dht-put", "--json", "through the proxy", "--state-dir", scratch.path + "/state",
                                      "--timeout", "20", "--proxy", "socks5://127.0.0.1:\(proxy.port)", "--proxy-only"]
                                     + dht.bootstrap)
        XCTAssertEqual(put.status, 0, put.stderr)
        let stored = try put.json()
        XCTAssertGreaterThan(stored["nodes"] as? Int ?? 0, 0)
        XCTAssertTrue(proxy.log.contains("udp/udpassociate"), proxy.log)
        // An independent node reads back what went through the relay.
        let target = try XCTUnwrap(stored["target"] as? String)
        let found = try XCTUnwrap(try dht.ask("get \(target)")?["value"] as? String)
        XCTAssertEqual(Data(hexString: found), Data("17:through the proxy".utf8))
    }

    // MARK: bad input: one line, a documented exit code, before any session

    private func assertRefused(_ arguments: [String], status: Int32, mentions: String, environment: [String: String] = [:],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let scratch = try Scratch()
        let result = try spawn(btxPath, arguments + ["--state-dir", scratch.path + "/state"], environment: environment,
                               timeout: 20)
        XCTAssertEqual(result.status, status, "\(arguments): \(result.stderr)", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("btx: ") == true, result.stderr, file: file, line: line)
        XCTAssertLessThanOrEqual(lines.count, 2, "one message (plus a usage hint): \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(mentions), "\(arguments): \(result.stderr)", file: file, line: line)
        XCTAssertFalse(result.stderr.contains("hunter2"), "a password in a message: \(result.stderr)", file: file, line: line)
    }

    func testBadProxyAndInterfaceOptionsAreOneLineErrors() throws {
        let hash = String(repeating: "ab", count: 20)
        let add = ["add", hash, "--no-dht"]
        try assertRefused(add + ["--proxy", "socks5://me:hunter2@127.0.0.1"], status: 2, mentions: "needs a port")
        try assertRefused(add + ["--proxy", "127.0.0.1:1080"], status: 2, mentions: "not a proxy URL")
        try assertRefused(add + ["--proxy", "socks5://me:hunter2%zz@127.0.0.1:1080"], status: 2, mentions: "%-escape")
        try assertRefused(add + ["--proxy", "ftp://127.0.0.1:21"], status: 2, mentions: "unknown proxy scheme 'ftp://'")
        try assertRefused(add + ["--proxy-only"], status: 2, mentions: "needs a proxy")
        try assertRefused(add + ["--proxy", "http://127.0.0.1:3128", "--proxy-only"], status: 2, mentions: "needs a socks5:// proxy")
        try assertRefused(["add", hash, "--proxy", "socks5://127.0.0.1:1080", "--proxy-only", "--bootstrap", "router.example.org:6881"],
                          status: 2, mentions: "router.example.org:6881")
        try assertRefused(add, status: 2, mentions: "BTX_PROXY", environment: ["BTX_PROXY": "gopher://h:70"])
        try assertRefused(add + ["--interface", "btx-nope0"], status: 3, mentions: "no network interface or address 'btx-nope0'")
        try assertRefused(add + ["--interface", "203.0.113.77"], status: 3, mentions: "203.0.113.77")
        try assertRefused(["daemon", "--interface", "btx-nope0"], status: 3, mentions: "btx-nope0")
        try assertRefused(add + ["--interface", "lo", "--listen", "127.0.0.1:7000"], status: 2, mentions: "must be a PORT")
        try assertRefused(add + ["--interface", "lo", "--proxy", "socks5://127.0.0.1:1080"], status: 2, mentions: "do not go together")
        try assertRefused(["dht-get", hash, "--proxy", "http://127.0.0.1:3128"], status: 2, mentions: "cannot go through a http:// proxy")
    }

    func testABadProxyInTheConfigNamesTheLine() throws {
        let scratch = try Scratch()
        try scratch.write("state/config", Data("dht = off\nproxy = socks5://me:hunter2@nowhere\n".utf8))
        let result = try spawn(btxPath, ["add", String(repeating: "ab", count: 20), "--state-dir", scratch.path + "/state"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("config:2: proxy:") && result.stderr.contains("needs a port"), result.stderr)
        XCTAssertFalse(result.stderr.contains("hunter2"), result.stderr)
    }
}

private extension Data {
    init?(hexString: String) {
        var bytes: [UInt8] = []
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2, limitedBy: hexString.endIndex) ?? hexString.endIndex
            guard let byte = UInt8(hexString[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
