import Foundation
import XCTest
import TestSupport

/// btx and transmission-cli (Debian's transmission 3.00) exchanging a
/// torrent both ways on 127.0.0.1. transmission ignores loopback peers from
/// trackers, so the peers are connected directly: btx's --peer dials it.
final class InteropTests: XCTestCase {
    /// A transmission-cli confined to 127.0.0.1: no DHT, LPD, PEX, port mapping or uTP.
    private func startTransmission(_ scratch: Scratch, torrent: String, directory: String, port: Int,
                                   finishMarker: String? = nil) throws -> RunningProcess {
        let config = scratch.path + "/transmission-config"
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        let settings: [String: Any] = [
            "dht-enabled": false, "lpd-enabled": false, "pex-enabled": false, "port-forwarding-enabled": false,
            "utp-enabled": false, "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1",
            "peer-port": port, "peer-port-random-on-start": false, "blocklist-enabled": false,
            "ratio-limit-enabled": false, "idle-seeding-limit-enabled": false,
        ]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: config + "/settings.json"))
        var arguments = ["-g", config, "-w", directory, "-p", "\(port)", "-M"]
        if let finishMarker {
            let script = scratch.path + "/finished.sh"
            try Data("#!/bin/sh\ntouch '\(finishMarker)'\n".utf8).write(to: URL(fileURLWithPath: script))
            chmod(script, 0o755)
            arguments += ["-f", script]
        }
        let transmission = try RunningProcess("/usr/bin/transmission-cli", arguments + [torrent])
        try waitUntil("transmission-cli to listen on \(port)") { canConnect(port: port) }
        return transmission
    }

    private func tree(_ scratch: Scratch) throws {
        try scratch.write("src/set/a.bin", randomData(5_000_000))
        try scratch.write("src/set/b/c.txt", Data("from one client to another\n".utf8))
    }

    func testBtxDownloadsFromTransmission() throws {
        let scratch = try Scratch()
        try tree(scratch)
        let torrent = try makeTorrent(scratch.path + "/src/set", scratch.path + "/set.torrent")
        let port = freePort()
        let transmission = try startTransmission(scratch, torrent: torrent, directory: scratch.path + "/src", port: port)

        let result = try Peer(scratch, "leecher").add([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = transmission
    }

    func testTransmissionDownloadsFromBtx() throws {
        let scratch = try Scratch()
        try tree(scratch)
        let torrent = try makeTorrent(scratch.path + "/src/set", scratch.path + "/set.torrent")
        let port = freePort()
        let marker = scratch.path + "/transmission-finished"
        try FileManager.default.createDirectory(atPath: scratch.path + "/dst", withIntermediateDirectories: true)
        let transmission = try startTransmission(scratch, torrent: torrent, directory: scratch.path + "/dst",
                                                 port: port, finishMarker: marker)

        let (seeder, _) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src",
                                                          extra: ["--peer", "127.0.0.1:\(port)"])
        try waitUntil("transmission-cli to finish", timeout: 60) { FileManager.default.fileExists(atPath: marker) }
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = (seeder, transmission)
    }
}
