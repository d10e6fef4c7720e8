import Foundation
import XCTest
import TestSupport

/// btx cat: a file's bytes on stdout as they download, from a rate-limited
/// seeder on 127.0.0.1, alone and through a running session.
final class StreamTests: XCTestCase {
    private static let size = 50 << 20

    /// A 50 MiB file (256 KiB pieces) seeded at `rate`; the seeder is stopped at the end of the test.
    private func seededFile(_ scratch: Scratch, rate: String = "8M") throws -> (torrent: String, data: Data, port: Int) {
        let data = randomData(Self.size)
        try scratch.write("src/movie.bin", data)
        let torrent = try makeTorrent(scratch.path + "/src/movie.bin", scratch.path + "/movie.torrent", ["--piece-size", "256k"])
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src", extra: ["--max-up", rate])
        addTeardownBlock { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        return (torrent, data, port)
    }

    func testCatWritesTheFileInOrderAsItArrives() throws {
        let scratch = try Scratch()
        let (torrent, data, port) = try seededFile(scratch)
        let leecher = try Peer(scratch, "leecher")
        let started = Date()
        let run = try readAll(btxPath, ["cat", torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)"] + leecher.common)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout.count, data.count)
        XCTAssertTrue(run.stdout == data, "the bytes written differ from the file")
        let first = run.firstByte.map { $0.timeIntervalSince(started) } ?? -1
        let total = Date().timeIntervalSince(started)
        print("btx cat 50 MiB at 8 MB/s: first byte after \(String(format: "%.2f", first)) s, all after "
              + "\(String(format: "%.2f", total)) s (\(String(format: "%.1f", Double(data.count) / total / 1e6)) MB/s)")
        // Resume data saved: a later status knows the torrent, complete.
        XCTAssertEqual(try torrentStatus(leecher, "movie.bin")["progress"] as? Double, 1.0)
    }

    func testRangeDownloadsLittleMoreThanTheRange() throws {
        let scratch = try Scratch()
        let (torrent, data, port) = try seededFile(scratch, rate: "20M")
        let leecher = try Peer(scratch, "leecher")
        let start = 25 << 20, end = 26 << 20
        let run = try readAll(btxPath, ["cat", torrent, "--range", "\(start)-\(end - 1)", "-o", scratch.path + "/dl",
                                        "--peer", "127.0.0.1:\(port)"] + leecher.common)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout == data.subdata(in: start..<end), "the range written differs (\(run.stdout.count) bytes)")
        let status = try torrentStatus(leecher, "movie.bin")
        let done = status["done"] as? Int ?? .max
        print("btx cat --range of 1 MiB of 50 MiB: \(done) bytes verified, \(status["downloaded"] ?? "?") downloaded")
        XCTAssertLessThan(done, Self.size / 4)
        XCTAssertLessThan(status["downloaded"] as? Int ?? .max, Self.size / 4)
        // The file priorities are back: a later add downloads the rest.
        XCTAssertEqual(status["wanted"] as? Int, Self.size)
        let rest = try leecher.add([torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)"])
        XCTAssertEqual(rest.status, 0, rest.stderr)
        XCTAssertEqual(try digests(scratch.path + "/dl"), try digests(scratch.path + "/src"))
    }

    func testAClosedPipeEndsCatQuietlyWithItsStateSaved() throws {
        let scratch = try Scratch()
        let (torrent, data, port) = try seededFile(scratch, rate: "2M")
        let leecher = try Peer(scratch, "leecher")
        let command = ([btxPath, "cat", torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)"] + leecher.common)
            .map { "'\($0)'" }.joined(separator: " ")
        let run = try spawn("/bin/bash", ["-c", "set -o pipefail; \(command) | head -c 1000"], timeout: 60)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
        XCTAssertTrue(run.stdout == data.prefix(1000))
        let status = try torrentStatus(leecher, "movie.bin")
        XCTAssertGreaterThan(status["done"] as? Int ?? 0, 0)
        XCTAssertLessThan(status["progress"] as? Double ?? 1, 1)
    }

    func testCatFollowsARunningSessionThatShowsTheStream() throws {
        let scratch = try Scratch()
        let (torrent, data, port) = try seededFile(scratch, rate: "8M")
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        let reader = try StreamReader(btxPath, ["cat", torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)",
                                                "--state-dir", leecher.state])
        var stream: [String: Any]?
        try waitUntil("status to show the stream") {
            // cat may not have handed the torrent over yet.
            stream = (try? torrentStatus(leecher, "movie.bin"))?["stream"] as? [String: Any]
            return stream != nil
        }
        XCTAssertEqual(stream?["file"] as? Int, 0)
        XCTAssertGreaterThanOrEqual(stream?["window_pieces"] as? Int ?? 0, 4)
        let run = try reader.finish(timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout == data, "the bytes written differ from the file (\(run.stdout.count) bytes)")
        // The session keeps the torrent; the stream is over.
        try waitUntil("the stream to end") { try torrentStatus(leecher, "movie.bin")["stream"] is NSNull }
        XCTAssertEqual(try torrentStatus(leecher, "movie.bin")["progress"] as? Double, 1.0)

        // Already on disk: a second cat answers from the session at once.
        let again = try readAll(btxPath, ["cat", "movie.bin", "--range", "1000-1999", "--state-dir", leecher.state])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout == data.subdata(in: 1000..<2000))
        // --json: where the range is on disk, instead of its bytes.
        let placed = try spawn(btxPath, ["cat", "movie.bin", "--range", "1000-1999", "--json", "--state-dir", leecher.state])
        XCTAssertEqual(placed.status, 0, placed.stderr)
        let document = try placed.json()
        XCTAssertEqual(document["path"] as? String, scratch.path + "/dl/movie.bin")
        XCTAssertEqual(document["offset"] as? Int, 1000)
        XCTAssertEqual(document["end"] as? Int, 2000)
    }

    /// A stream goes ahead of the download queue: with one download slot
    /// taken by a slow download, cat of a queued torrent reads it at once
    /// (it waited behind the queue), and the torrent goes back in line after.
    func testAStreamGoesAheadOfTheDownloadQueue() throws {
        let scratch = try Scratch()
        try scratch.write("slow/big.bin", randomData(4 << 20))
        let data = randomData(1 << 20)
        try scratch.write("fast/movie.bin", data)
        let big = try makeTorrent(scratch.path + "/slow/big.bin", scratch.path + "/big.torrent")
        let movie = try makeTorrent(scratch.path + "/fast/movie.bin", scratch.path + "/movie.torrent")
        let (slow, slowPort) = try Peer(scratch, "slow").seed([big], from: scratch.path + "/slow", extra: ["--max-up", "32k"])
        defer { slow.signal(SIGTERM); _ = try? slow.wait() }
        let (fast, fastPort) = try Peer(scratch, "fast").seed([movie], from: scratch.path + "/fast")
        defer { fast.signal(SIGTERM); _ = try? fast.wait() }
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, ["--max-active-downloads", "1"], in: self)
        XCTAssertEqual(try spawn(btxPath, ["add", big, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(slowPort)", "--detach"]
                                  + leecher.common).status, 0)
        try waitUntil("the slow download to run") { try torrentStatus(leecher, "big.bin")["state"] as? String == "downloading" }
        XCTAssertEqual(try spawn(btxPath, ["add", movie, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(fastPort)", "--detach"]
                                  + leecher.common).status, 0)
        try waitUntil("the movie to wait in the queue") { try torrentStatus(leecher, "movie.bin")["state"] as? String == "queued" }

        let run = try readAll(btxPath, ["cat", "movie.bin", "--state-dir", leecher.state], timeout: 60)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout == data, "the bytes written differ from the file (\(run.stdout.count) bytes)")
        XCTAssertEqual(try torrentStatus(leecher, "big.bin")["state"] as? String, "downloading", "the queue's own download runs on")
        try waitUntil("the stream to end") { try torrentStatus(leecher, "movie.bin")["stream"] is NSNull }
    }

    /// A --range leaves its torrent "finished" for libtorrent, which drops
    /// the seed; the next reader (a seek) must not wait its minute to redial.
    func testSeekLatencyThroughARunningSession() throws {
        let scratch = try Scratch()
        let (torrent, data, port) = try seededFile(scratch, rate: "4M")
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        let first = try readAll(btxPath, ["cat", torrent, "--range", "0-999", "-o", scratch.path + "/dl",
                                          "--peer", "127.0.0.1:\(port)", "--state-dir", leecher.state])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout == data.prefix(1000))
        let reader = try StreamReader(btxPath, ["cat", "movie.bin", "--state-dir", leecher.state])
        defer { _ = try? reader.stop() }
        try waitUntil("the whole-file reader to stream") {
            ((try? torrentStatus(leecher, "movie.bin"))?["stream"] as? [String: Any]) != nil
        }
        for offset in [40 << 20, 20 << 20, 30 << 20] {
            let started = Date()
            let seek = try readAll(btxPath, ["cat", "movie.bin", "--range", "\(offset)-\(offset + 262_143)",
                                             "--state-dir", leecher.state], timeout: 30)
            XCTAssertEqual(seek.status, 0, seek.stderr)
            XCTAssertTrue(seek.stdout == data.subdata(in: offset..<offset + 262_144))
            let latency = (seek.firstByte ?? Date()).timeIntervalSince(started)
            print("seek to \(offset >> 20) MiB at a 4 MB/s seeder while another reader streams: first byte after "
                  + "\(String(format: "%.2f", latency)) s")
            XCTAssertLessThan(latency, 20, "a seek waited for libtorrent to redial its seed")
        }
    }

    /// The end of a stream puts back btx's own pacing, not libtorrent's
    /// defaults: a download added afterwards whose first dial is refused
    /// (its seeder had not added it yet) is dialled again within seconds
    /// (a named peer's redial pace), not after libtorrent's minute.
    func testADownloadAddedAfterAStreamEndedRedialsSoon() throws {
        let scratch = try Scratch()
        let (torrent, data, port) = try seededFile(scratch, rate: "50M")
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        let streamed = try readAll(btxPath, ["cat", torrent, "--range", "0-999", "-o", scratch.path + "/dl",
                                             "--peer", "127.0.0.1:\(port)", "--state-dir", leecher.state])
        XCTAssertEqual(streamed.status, 0, streamed.stderr)
        XCTAssertTrue(streamed.stdout == data.prefix(1000))
        try waitUntil("the stream to end") { try torrentStatus(leecher, "movie.bin")["stream"] is NSNull }

        try scratch.write("late/late.bin", randomData(1 << 20))
        let late = try makeTorrent(scratch.path + "/late/late.bin", scratch.path + "/late.torrent")
        let latePort = freePort()
        let refusal = try RefusingListener(port: latePort)
        let added = try spawn(btxPath, ["add", late, "--detach", "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(latePort)",
                                        "--state-dir", leecher.state])
        XCTAssertEqual(added.status, 0, added.stderr)
        try refusal.refuse(1, within: 10)
        refusal.close()
        let seeder = try RunningProcess(btxPath, ["add", "--json", "--state-dir", scratch.path + "/late-state", "--no-dht",
                                                  "--listen", "127.0.0.1:\(latePort)", late, "-o", scratch.path + "/late", "--seed"])
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let started = Date()
        try waitUntil("the refused peer to be dialled again", timeout: 40) {
            try torrentStatus(leecher, "late.bin")["progress"] as? Double == 1
        }
        print("a refused --peer after a stream ended: downloaded \(String(format: "%.1f", Date().timeIntervalSince(started))) s "
              + "after its seeder started")
    }

    func testBadCatInputIsOneClearLine() throws {
        let scratch = try Scratch()
        let leecher = try Peer(scratch, "leecher")
        assertOneLineError(try spawn(btxPath, ["cat", "x.torrent", "--range", "9-3"] + leecher.common), status: 2, "--range")
        assertOneLineError(try spawn(btxPath, ["cat", "nothing-saved"] + leecher.common), status: 3, "nothing-saved")
    }
}

/// A btx whose stdout is read as it comes: when its first byte came, and all of it.
final class StreamReader {
    private let child: Child
    private final class Sink: @unchecked Sendable {
        var data = Data()
        var firstByte: Date?
        var errors = Data()
    }
    private let sink = Sink()
    private let group = DispatchGroup()

    init(_ executable: String, _ arguments: [String]) throws {
        child = try Child(executable, arguments)
        let (sink, output, errors) = (sink, child.output, child.errors)
        group.enter()
        DispatchQueue.global().async { [group] in
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { break }
                if sink.firstByte == nil { sink.firstByte = Date() }
                sink.data.append(chunk)
            }
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async { [group] in
            sink.errors = errors.readDataToEndOfFile()
            group.leave()
        }
    }

    /// Interrupts it (the way Ctrl-C would) and waits for it.
    func stop() throws -> Int32 {
        child.signal(SIGINT)
        return try child.wait(timeout: 30)
    }

    func finish(timeout: TimeInterval) throws -> (status: Int32, stdout: Data, stderr: String, firstByte: Date?) {
        let status = try child.wait(timeout: timeout)
        _ = group.wait(timeout: .now() + 10)
        return (status, sink.data, String(decoding: sink.errors, as: UTF8.self), sink.firstByte)
    }
}

private func readAll(_ executable: String, _ arguments: [String], timeout: TimeInterval = 120) throws
    -> (status: Int32, stdout: Data, stderr: String, firstByte: Date?) {
    try StreamReader(executable, arguments).finish(timeout: timeout)
}

