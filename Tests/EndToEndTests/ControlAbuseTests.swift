import Foundation
import XCTest

/// The control socket under a crowd: clients that never read, half-written
/// requests and a trickle of single bytes must not keep `btx status` from an
/// answer, nor make the session's memory grow without bound.
final class ControlAbuseTests: XCTestCase {
    func testStatusIsServedWhileAThousandClientsMisbehave() throws {
        let scratch = try Scratch()
        try scratch.write("src/data.bin", randomData(200_000))
        let torrent = try makeTorrent(scratch.path + "/src/data.bin", scratch.path + "/data.torrent")
        let peer = try Peer(scratch, "peer")
        let state = ["--state-dir", peer.state]
        XCTAssertEqual(try spawn(btxPath, ["daemon", "--listen", "127.0.0.1:0", "--no-dht"] + state).status, 0)
        defer { _ = try? spawn(btxPath, ["daemon", "--stop"] + state) }
        XCTAssertEqual(try spawn(btxPath, ["add", torrent, "-o", scratch.path + "/src"] + state).status, 0)
        let pid = try XCTUnwrap(Int32(String(decoding: try Data(contentsOf: URL(fileURLWithPath: peer.state + "/daemon.pid")),
                                             as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        let before = try residentKiB(pid)

        // 1,000 connections: pipelined requests never read, half-written
        // lines (one of 8 MiB), a client that sends a byte a second, idlers.
        let crowd = try RunningProcess("/usr/bin/python3", ["-c", """
            import resource, socket, sys, time
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
            path = sys.argv[1]
            held = []
            def connect():
                s = socket.socket(socket.AF_UNIX); s.connect(path); s.setblocking(False); held.append(s); return s
            for i in range(1000):
                s = connect()
                try:
                    if i % 4 == 0: s.send(b'{"method":"status"}\\n' * 2000)
                    elif i % 4 == 1: s.send(b'{"method":"status","params":{"torrents":["')
                    elif i == 2: s.send(b'{' + b' ' * (8 << 20))
                except BlockingIOError:
                    pass
                except OSError:
                    pass
            print("ready", flush=True)
            trickle = connect()
            for b in b'{"method":"ping"}\\n' * 100:
                try: trickle.send(bytes([b]))
                except OSError: trickle = connect()
                time.sleep(1)
            """, peer.state + "/run/control.sock"])
        try crowd.waitForLine("the crowd to connect") { $0 == "ready" }

        var slowest = 0.0
        for _ in 0..<20 {
            let started = Date()
            let status = try spawn(btxPath, ["status", "--json"] + state)
            slowest = max(slowest, Date().timeIntervalSince(started))
            XCTAssertEqual(status.status, 0, status.stderr)
            XCTAssertEqual((try status.json()["torrents"] as? [[String: Any]])?.first?["running"] as? Bool, true)
        }
        let after = try residentKiB(pid)
        print("control abuse: slowest status \(Int(slowest * 1000)) ms (process start included); "
              + "daemon RSS \(before / 1024) MiB before, \(after / 1024) MiB with the crowd")
        // Loose bounds that catch a hang or unbounded buffering, not a benchmark.
        XCTAssertLessThan(slowest, 5)
        XCTAssertLessThan(after - before, 256 * 1024, "the session kept what its clients would not read")
        _ = crowd
    }

    private func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
}
