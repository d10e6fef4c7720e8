import Foundation
import XCTest
import TestSupport

/// One btx peer of a test swarm: its own state directory, listening on
/// 127.0.0.1 only, with the DHT, LSD, UPnP and NAT-PMP off (through the
/// config file, so that path is exercised too).
struct Peer {
    let state: String
    /// 0 for any free port.
    let port: Int

    init(_ scratch: Scratch, _ name: String, port: Int = 0) throws {
        state = scratch.path + "/" + name + "-state"
        self.port = port
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try Data("# test peer: loopback only\ndht = off\nlsd = off\nupnp = off\nnatpmp = off\n".utf8)
            .write(to: URL(fileURLWithPath: state + "/config"))
    }

    var common: [String] { ["--state-dir", state, "--listen", "127.0.0.1:\(port)", "--no-dht"] }

    /// Adds `lines` to its config file, then readable by its owner only (it may hold a password).
    func appendConfig(_ lines: String) throws {
        let path = state + "/config"
        try (String(contentsOfFile: path, encoding: .utf8) + lines).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
    }

    /// Runs `btx add ... --json` to the end.
    func add(_ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
        try spawn(btxPath, ["add", "--json"] + common + arguments, timeout: timeout)
    }

    /// Starts `btx add ... --json` and leaves it running.
    func start(_ arguments: [String]) throws -> RunningProcess {
        try RunningProcess(btxPath, ["add", "--json"] + common + arguments)
    }

    /// Starts a seeder of files already in `dataDirectory` and waits until
    /// it listens and every torrent is complete; returns it and its port.
    func seed(_ torrents: [String], from dataDirectory: String, extra: [String] = []) throws -> (RunningProcess, Int) {
        let seeder = try start(torrents + ["-o", dataDirectory, "--seed"] + extra)
        let port = try seeder.waitForEvent("listening")["port"] as! Int
        try waitUntil("every torrent seeding") {
            seeder.events.filter { $0.type == "finished" }.count >= torrents.count
        }
        return (seeder, port)
    }

    func status(_ arguments: String...) throws -> ProcessResult {
        try spawn(btxPath, ["status", "--json", "--state-dir", state] + arguments)
    }

    func savedTorrents() throws -> [[String: Any]] {
        let result = try status()
        guard let torrents = try? result.json()["torrents"] as? [[String: Any]] else {
            throw TestFailure("btx status --json (exit \(result.status)): \(result.stderr)")
        }
        return torrents
    }
}

extension ProcessResult {
    /// The --json events a finished `btx add` printed.
    var events: [(type: String, data: [String: Any])] {
        text.split(separator: "\n").compactMap { parseEvent(String($0)) }
    }
}

/// SHA-256 of every regular file under `directory`, by relative path.
func digests(_ directory: String) throws -> [String: String] {
    let result = try spawn("/bin/sh", ["-c", "cd \"$1\" && find . -type f -print0 | sort -z | xargs -0r sha256sum -b", "sh", directory])
    var map: [String: String] = [:]
    for line in result.text.split(separator: "\n") {
        let parts = line.split(separator: " ", maxSplits: 1)
        map[String(parts[1].dropFirst(3))] = String(parts[0])  // " *./path"
    }
    return map
}

/// Creates a v1 torrent of `path` with btx and returns the .torrent's path.
@discardableResult
func makeTorrent(_ path: String, _ output: String, _ extra: [String] = []) throws -> String {
    let result = try spawn(btxPath, ["create", path, "-o", output, "--no-date", "-q"] + extra)
    guard result.status == 0 else { throw TestFailure("btx create failed: \(result.stderr)") }
    return output
}

/// An opentracker on 127.0.0.1 serving `hashes` (Debian's serves only
/// whitelisted ones; the list is read after it chroots into -d, hence the
/// relative -w). Returns it, listening, and its announce URL.
/// `port`: chosen beforehand when the torrents must name the tracker.
func startTracker(_ scratch: Scratch, hashes: [String], port: Int = freePort(),
                  directory name: String = "tracker") throws -> (RunningProcess, String) {
    try scratch.write("\(name)/whitelist", Data(hashes.map { $0 + "\n" }.joined().utf8))
    let tracker = try RunningProcess("/usr/bin/opentracker", ["-i", "127.0.0.1", "-p", "\(port)", "-P", "\(port)",
                                                              "-d", scratch.path + "/" + name, "-w", "whitelist"])
    try waitUntil("opentracker to listen") { canConnect(port: port) }
    return (tracker, "http://127.0.0.1:\(port)/announce")
}

/// A background `btx daemon` for `peer`, stopped when the test ends (even on failure).
func startDaemon(_ peer: Peer, _ extra: [String] = [], in test: XCTestCase) throws {
    let started = try spawn(btxPath, ["daemon", "--json"] + peer.common + extra)
    guard started.status == 0, let pid = (try? started.json())?["pid"] as? Int else {
        throw TestFailure("btx daemon: \(started.stderr)")
    }
    test.addTeardownBlock {
        _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", peer.state])
        // Teardown comes after the test's Scratch is gone, and the control
        // socket with it: a daemon --stop cannot reach is stopped by its pid
        // (while that pid is still this daemon's).
        let isThisDaemon = {
            (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.contains(peer.state) == true
        }
        if isThisDaemon() { kill(Int32(pid), SIGKILL) }
        try? waitUntil("daemon \(pid) to exit", timeout: 10) { !isThisDaemon() }
    }
}

func stopDaemon(_ peer: Peer) throws {
    let stopped = try spawn(btxPath, ["daemon", "--stop", "--state-dir", peer.state])
    guard stopped.status == 0 else { throw TestFailure("btx daemon --stop: \(stopped.stderr)") }
}

/// The one torrent's status document (`btx status QUERY --json`).
func torrentStatus(_ peer: Peer, _ query: String) throws -> [String: Any] {
    let result = try peer.status(query)
    guard result.status == 0, let torrents = try result.json()["torrents"] as? [[String: Any]], torrents.count == 1 else {
        throw TestFailure("btx status \(query): \(result.stderr)")
    }
    return torrents[0]
}

/// `count` small torrents of one file each, made in one go (a btx create each
/// would take longer than the test): data/item-NNN.bin and torrents/item-NNN.bin.torrent.
/// Returns the .torrent paths in order.
@discardableResult
func makeSmallTorrents(_ count: Int, in root: String, bytes: Int = 2048) throws -> [String] {
    let made = try python("""
        import os, sys, libtorrent as lt
        root, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        os.makedirs(root + "/data"); os.makedirs(root + "/torrents")
        for i in range(count):
            name = "item-%03d.bin" % i
            with open(os.path.join(root, "data", name), "wb") as f: f.write(os.urandom(size + i))
            fs = lt.file_storage(); lt.add_files(fs, os.path.join(root, "data", name))
            t = lt.create_torrent(fs, 16384); lt.set_piece_hashes(t, root + "/data")
            open(os.path.join(root, "torrents", name + ".torrent"), "wb").write(lt.bencode(t.generate()))
        """, [root, String(count), String(bytes)])
    guard made.status == 0 else { throw TestFailure("making torrents: \(made.stderr)") }
    return (0..<count).map { root + String(format: "/torrents/item-%03d.bin.torrent", $0) }
}

/// A failure with `status` whose first line of stderr says `text`.
func assertOneLineError(_ result: ProcessResult, status: Int32, _ text: String,
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(result.status, status, result.stderr, file: file, line: line)
    XCTAssertEqual(result.stderr.split(separator: "\n").first?.contains(text), true, result.stderr, file: file, line: line)
}
