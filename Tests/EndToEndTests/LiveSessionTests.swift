import Foundation
import XCTest
import TestSupport

/// One live session, many one-shot commands: what a second terminal sees
/// and steers while `btx add` downloads.
final class LiveSessionTests: XCTestCase {
    /// `rate`: long enough a download for what the test does meanwhile.
    private func slowDownload(_ scratch: Scratch, rate: String = "2M") throws -> (leecher: Peer, add: RunningProcess,
                                                                                 seeder: RunningProcess, seederPort: Int,
                                                                                 hash: String) {
        try scratch.write("src/first.bin", randomData(16 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/first.bin", scratch.path + "/first.torrent")
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        let leecher = try Peer(scratch, "leecher")
        let add = try leecher.start([torrent, "-o", scratch.path + "/dst", "--peer", "127.0.0.1:\(port)", "--max-down", rate])
        let hash = try add.waitForEvent("added")["info_hash"] as! String
        try add.waitForEvent("progress") { ($0["download_rate"] as? Int ?? 0) > 0 }
        return (leecher, add, seeder, port, hash)
    }

    private func btxJSON(_ arguments: [String], state: String) throws -> [String: Any] {
        let result = try spawn(btxPath, arguments + ["--json", "--state-dir", state])
        guard result.status == 0 else { throw TestFailure("btx \(arguments): \(result.stderr)") }
        return try result.json()
    }

    func testStatusPeersDetachPauseResumeRemoveAgainstALiveDownload() throws {
        let scratch = try Scratch()
        let (leecher, add, seeder, seederPort, hash) = try slowDownload(scratch)

        let status = try btxJSON(["status"], state: leecher.state)["torrents"] as! [[String: Any]]
        XCTAssertEqual(status.count, 1)
        XCTAssertEqual(status[0]["running"] as? Bool, true)
        XCTAssertEqual(status[0]["state"] as? String, "downloading")
        XCTAssertGreaterThan(status[0]["download_rate"] as! Int, 0)
        XCTAssertEqual(status[0]["peers"] as? Int, 1)

        let peers = try btxJSON(["peers", String(hash.prefix(8))], state: leecher.state)["peers"] as! [[String: Any]]
        XCTAssertEqual(peers.count, 1)
        XCTAssertEqual(peers[0]["address"] as? String, "127.0.0.1:\(seederPort)")
        XCTAssertTrue((peers[0]["flags"] as! String).contains("S"), "the seeder is a seed: \(peers[0])")
        XCTAssertGreaterThan(peers[0]["download_rate"] as! Int, 0)
        XCTAssertTrue((peers[0]["client"] as! String).contains("btx") || !(peers[0]["client"] as! String).isEmpty)

        // A second torrent joins the same session and returns at once.
        try scratch.write("second/second.bin", randomData(50_000))
        let second = try makeTorrent(scratch.path + "/second/second.bin", scratch.path + "/second.torrent")
        let detached = try spawn(btxPath, ["add", "--detach", "--state-dir", leecher.state, second, "-o", scratch.path + "/second"])
        XCTAssertEqual(detached.status, 0, detached.stderr)
        XCTAssertEqual(detached.text, "second.bin: handed to the running session\n")
        let names = { (try self.btxJSON(["status"], state: leecher.state)["torrents"] as! [[String: Any]]).map { $0["name"] as! String } }
        XCTAssertEqual(Set(try names()), ["first.bin", "second.bin"])

        XCTAssertEqual(try spawn(btxPath, ["pause", "first.bin", "--state-dir", leecher.state]).text, "first.bin: paused\n")
        try waitUntil("first.bin to show as paused") {
            let t = try self.btxJSON(["status", "first.bin"], state: leecher.state)["torrents"] as! [[String: Any]]
            return t[0]["paused"] as? Bool == true && t[0]["state"] as? String == "paused"
        }
        XCTAssertEqual(try spawn(btxPath, ["resume", "first.bin", "--state-dir", leecher.state]).status, 0)
        try waitUntil("first.bin to run again") {
            let t = try self.btxJSON(["status", "first.bin"], state: leecher.state)["torrents"] as! [[String: Any]]
            return t[0]["paused"] as? Bool == false
        }
        XCTAssertEqual(try spawn(btxPath, ["remove", "second.bin", "--state-dir", leecher.state]).status, 0)
        XCTAssertEqual(try names(), ["first.bin"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: leecher.state + "/resume/" + (try spawn(btxPath, ["info", "--json", second]).json()["info_hash"] as! String) + ".resume"))

        // The add that started the session still finishes its own download.
        XCTAssertEqual(try add.wait(timeout: 60), 0, add.stderrText())
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeder
    }

    func testSocketIsPrivateAndSurvivesHostileClients() throws {
        let scratch = try Scratch()
        // 1,000 requests, two of them 16 MiB, must all meet a running session.
        let (leecher, add, seeder, _, _) = try slowDownload(scratch, rate: "1M")
        let socketPath = leecher.state + "/run/control.sock"
        let attributes = try FileManager.default.attributesOfItem(atPath: socketPath)
        XCTAssertEqual((attributes[.posixPermissions] as! NSNumber).intValue & 0o777, 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: leecher.state + "/run")
        XCTAssertEqual((folder[.posixPermissions] as! NSNumber).intValue & 0o777, 0o700)

        // Another user: even with the folder and socket opened up, the session
        // checks the peer's uid and hangs up without a word.
        if getuid() == 0 {
            chmod(leecher.state, 0o755)
            chmod(leecher.state + "/run", 0o755)
            chmod(socketPath, 0o666)
            let intruder = try spawn("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
                try:
                    s.sendall(b'{"method":"status"}\\n')
                    print("reply" if s.recv(100) else "closed")
                except (ConnectionResetError, BrokenPipeError):
                    print("closed")
                """, socketPath])
            XCTAssertEqual(intruder.status, 0, intruder.stderr)
            XCTAssertEqual(intruder.text, "closed\n", "a reply reached another user")
        }

        // 1,000 bad requests: each gets an error reply or a closed connection.
        let client = try ControlConnection(path: socketPath)
        var generator = SystemRandomNumberGenerator()
        var closed = 0
        for i in 0..<1000 {
            let line: Data
            switch i % 8 {
            case 0: line = Data((0..<Int.random(in: 1...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }.filter { $0 != 0x0A })
            case 1: line = Data(#"{"method": 42}"#.utf8)
            case 2: line = Data(#"{"method": "launch-missiles"}"#.utf8)
            case 3: line = Data(#"[1, 2, 3]"#.utf8)
            case 4: line = Data(#"{"method": "peers", "params": {"torrent": ["not", "a", "string"]}}"#.utf8)
            case 5: line = Data(String(repeating: "[", count: 5000).utf8)
            case 6: line = Data(#"{"method": "status", "params": {"torrents": "nope"}}"#.utf8)
            default: line = Data(repeating: UInt8(ascii: "x"), count: i == 7 || i == 503 ? (16 << 20) + 10 : 10)
            }
            if let reply = try client.send(line) {
                if i % 8 == 6 { continue }  // a malformed list is read as "all torrents"
                XCTAssertTrue(reply.contains(#""ok":false"#), "request \(i) got \(reply)")
            } else {
                closed += 1
                try client.reconnect()
            }
        }
        XCTAssertEqual(closed, 2, "the two oversized lines should have closed their connections")
        let status = try btxJSON(["status"], state: leecher.state)["torrents"] as! [[String: Any]]
        XCTAssertEqual(status.first?["running"] as? Bool, true)
        XCTAssertEqual(try add.wait(timeout: 60), 0, add.stderrText())
        XCTAssertEqual(try digests(scratch.path + "/dst"), try digests(scratch.path + "/src"))
        _ = seeder
    }

    func testDaemonStartStopAndRecoveryFromSigkill() throws {
        let scratch = try Scratch()
        try scratch.write("src/data.bin", randomData(200_000))
        let torrent = try makeTorrent(scratch.path + "/src/data.bin", scratch.path + "/data.torrent")
        let peer = try Peer(scratch, "peer")
        let daemonArgs = ["--state-dir", peer.state, "--listen", "127.0.0.1:0", "--no-dht"]

        let started = try spawn(btxPath, ["daemon"] + daemonArgs)
        XCTAssertEqual(started.status, 0, started.stderr)
        let pid = try daemonPID(peer)
        defer { kill(pid, SIGKILL) }
        let added = try spawn(btxPath, ["add", "--state-dir", peer.state, torrent, "-o", scratch.path + "/src"])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertEqual(try peer.status().json()["torrents"].map { ($0 as! [[String: Any]]).first?["state"] as? String }, "seeding")

        let verified = try spawn(btxPath, ["verify", "data.bin", "--state-dir", peer.state])
        XCTAssertEqual(verified.status, 0, verified.stderr)
        XCTAssertEqual(verified.text, "data.bin: 13 of 13 pieces good, 0 bad, 0 missing\n")

        let stopped = try spawn(btxPath, ["daemon", "--stop", "--state-dir", peer.state])
        XCTAssertEqual(stopped.status, 0, stopped.stderr)
        try waitUntil("the daemon to exit") { !isAlive(pid) }
        XCTAssertEqual(try peer.savedTorrents().first?["state"] as? String, "complete")
        XCTAssertEqual(try spawn(btxPath, ["peers", "data.bin", "--state-dir", peer.state]).status, 4)

        // Killed hard, it leaves a socket and a pid file; the next daemon starts anyway and resumes the torrent.
        XCTAssertEqual(try spawn(btxPath, ["daemon"] + daemonArgs).status, 0)
        let second = try daemonPID(peer)
        defer { kill(second, SIGKILL) }
        kill(second, SIGKILL)
        try waitUntil("the killed daemon to go") { !isAlive(second) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: peer.state + "/run/control.sock"))
        XCTAssertEqual(try spawn(btxPath, ["peers", "data.bin", "--state-dir", peer.state]).status, 4)
        let third = try spawn(btxPath, ["daemon"] + daemonArgs)
        XCTAssertEqual(third.status, 0, third.stderr)
        let thirdPID = try daemonPID(peer)
        defer { kill(thirdPID, SIGKILL) }
        try waitUntil("the resumed torrent to seed") {
            (try self.btxJSONIgnoringErrors(["status"], state: peer.state)?["torrents"] as? [[String: Any]])?.first?["state"] as? String == "seeding"
        }
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--stop", "--state-dir", peer.state]).status, 0)
    }

    func testADaemonKeepsASeedingGoalAcrossRestarts() throws {
        let scratch = try Scratch()
        try scratch.write("src/goal.bin", randomData(100_000))
        let torrent = try makeTorrent(scratch.path + "/src/goal.bin", scratch.path + "/goal.torrent")
        let peer = try Peer(scratch, "peer")
        let daemonArgs = ["daemon", "--state-dir", peer.state, "--listen", "127.0.0.1:0", "--no-dht"]
        XCTAssertEqual(try spawn(btxPath, daemonArgs).status, 0)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", peer.state]) }
        let added = try spawn(btxPath, ["add", "--detach", "--seed-time", "4s", "--state-dir", peer.state, torrent,
                                        "-o", scratch.path + "/src"])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--stop", "--state-dir", peer.state]).status, 0)

        // The next daemon knows nothing of that add, yet stops seeding 4 s after completion.
        XCTAssertEqual(try spawn(btxPath, daemonArgs).status, 0)
        try waitUntil("the seeding goal to pause the torrent", timeout: 20) {
            let t = try peer.status().json()["torrents"] as? [[String: Any]]
            return t?.first?["paused"] as? Bool == true
        }
    }

    /// --seed-idle: a seed no one takes a byte from stops once it has been idle that long.
    func testAnIdleSeedingGoalStopsAnIdleSeed() throws {
        let scratch = try Scratch()
        try scratch.write("src/idle.bin", randomData(50_000))
        let torrent = try makeTorrent(scratch.path + "/src/idle.bin", scratch.path + "/idle.torrent")
        let peer = try Peer(scratch, "peer")
        try startDaemon(peer, in: self)
        XCTAssertEqual(try spawn(btxPath, ["add", torrent, "-o", scratch.path + "/src", "--detach", "--seed-idle", "2s"] + peer.common).status, 0)
        let settings = try XCTUnwrap((try peer.status().json()["torrents"] as? [[String: Any]])?.first?["settings"] as? [String: Any])
        XCTAssertEqual(settings["seed_idle"] as? Int, 2)
        try waitUntil("the idle goal to stop it", timeout: 20) {
            let t = (try peer.status().json()["torrents"] as? [[String: Any]])?.first
            return t?["paused"] as? Bool == true && t?["goal_reached"] as? Bool == true
        }
        // Cleared, it is a plain seed again once resumed.
        XCTAssertEqual(try spawn(btxPath, ["set", "idle.bin", "--seed-idle", "none", "--state-dir", peer.state]).status, 0)
        let cleared = try XCTUnwrap((try peer.status().json()["torrents"] as? [[String: Any]])?.first?["settings"] as? [String: Any])
        XCTAssertTrue(cleared["seed_idle"] is NSNull, "\(cleared)")
    }

    /// add --detach with no session running starts a daemon, and says so.
    func testADetachedAddThatStartsADaemonSaysSo() throws {
        let scratch = try Scratch()
        try scratch.write("src/new.bin", randomData(30_000))
        let torrent = try makeTorrent(scratch.path + "/src/new.bin", scratch.path + "/new.torrent")
        let peer = try Peer(scratch, "peer")
        defer { _ = try? spawn(btxPath, ["daemon", "--stop", "--state-dir", peer.state]) }
        let added = try spawn(btxPath, ["add", "--detach", "--paused", "--state-dir", peer.state, torrent, "-o", scratch.path + "/src",
                                        "--listen", "127.0.0.1:0", "--no-dht"])
        XCTAssertEqual(added.status, 0, added.stderr)
        let pid = try daemonPID(peer)
        XCTAssertEqual(added.text, "new.bin: handed to a daemon started for it\n"
                       + "the daemon runs in the background (pid \(pid), log \(peer.state)/daemon.log; 'btx daemon --stop' stops it)\n")
    }

    private func daemonPID(_ peer: Peer) throws -> Int32 {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: peer.state + "/daemon.pid")), as: UTF8.self)
        return try XCTUnwrap(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    private func btxJSONIgnoringErrors(_ arguments: [String], state: String) throws -> [String: Any]? {
        let result = try spawn(btxPath, arguments + ["--json", "--state-dir", state])
        return result.status == 0 ? try result.json() : nil
    }
}

/// A raw client for the control socket, to send what btx never would.
final class ControlConnection {
    private let path: String
    private var handle: FileHandle!
    private var fd: Int32 = -1

    init(path: String) throws {
        self.path = path
        try reconnect()
    }

    deinit { if fd >= 0 { close(fd) } }

    func reconnect() throws {
        if fd >= 0 { close(fd) }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw TestFailure("cannot connect to \(path)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends one line; returns the reply line, or nil when the session closed the connection.
    func send(_ line: Data) throws -> String? {
        let bytes = [UInt8](line) + [0x0A]
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return nil }
            offset += n
        }
        var reply = Data()
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, 0)
            if n < 0 && errno == EAGAIN { throw TestFailure("no reply within 10 s") }
            guard n > 0 else { return nil }
            if byte == 0x0A { return String(decoding: reply, as: UTF8.self) }
            reply.append(byte)
        }
    }
}

/// Running, and not a zombie waiting for init to reap it.
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return !stat[close...].hasPrefix(") Z") && !stat[close...].hasPrefix(") X")
}
