import Foundation
import XCTest
import TestSupport

/// btx serve: a torrent's files over HTTP as they download, read with curl
/// and ffprobe from rate-limited seeders on 127.0.0.1.
final class ServeTests: XCTestCase {
    /// serve's own session: its --listen is the HTTP address, so the BitTorrent one is --bt-listen.
    private func serveOptions(_ peer: Peer) -> [String] {
        ["--state-dir", peer.state, "--bt-listen", "127.0.0.1:0", "--no-dht"]
    }

    /// A file seeded at `rate` from its own btx; the seeder stops with the test.
    private func seed(_ scratch: Scratch, _ relative: String, _ data: Data, rate: String) throws -> (torrent: String, port: Int) {
        let path = try scratch.write("src/" + relative, data)
        let torrent = try makeTorrent(path, scratch.path + "/" + (relative as NSString).lastPathComponent + ".torrent",
                                      ["--piece-size", "256k"])
        let (seeder, port) = try Peer(scratch, "seeder-" + (relative as NSString).lastPathComponent)
            .seed([torrent], from: scratch.path + "/src", extra: ["--max-up", rate])
        addTeardownBlock { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        return (torrent, port)
    }

    /// Starts `btx serve ... --json` and returns it with its document.
    private func startServe(_ arguments: [String]) throws -> (RunningProcess, [String: Any]) {
        let server = try RunningProcess(btxPath, ["serve", "--json"] + arguments)
        let line = try server.waitForLine("the serve document") { $0.hasPrefix("{") }
        let document = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        return (server, document)
    }

    func testRangesFromAFileStillDownloading() throws {
        let scratch = try Scratch()
        let size = 20 << 20
        let data = randomData(size)
        let (torrent, port) = try seed(scratch, "movie.bin", data, rate: "3M")
        let leecher = try Peer(scratch, "leecher")
        let (server, document) = try startServe([torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)"]
                                                + serveOptions(leecher))
        let url = document["url"] as! String
        XCTAssertTrue(url.hasSuffix("/0/movie.bin"), url)
        XCTAssertEqual((document["files"] as? [[String: Any]])?.first?["size"] as? Int, size)

        // A seek far ahead of the download: its bytes come at once, not after what lies before them.
        let middle = 15 << 20
        let seek = try HTTP.get(url, range: "bytes=\(middle)-\(middle + 16_383)")
        XCTAssertEqual(seek.status, 206)
        XCTAssertEqual(seek.header("content-range"), "bytes \(middle)-\(middle + 16_383)/\(size)")
        XCTAssertTrue(seek.body == data.subdata(in: middle..<(middle + 16_384)))
        print("btx serve: seek to 15 MiB of 20 MiB from a 3 MB/s seeder: 16 KiB there after "
              + String(format: "%.2f", seek.total) + " s")
        XCTAssertLessThan(try torrentStatus(leecher, "movie.bin")["progress"] as? Double ?? 1, 1,
                          "the seek should come long before the whole file")

        let start = try HTTP.get(url, range: "bytes=0-999")
        XCTAssertEqual(start.status, 206)
        XCTAssertTrue(start.body == data.prefix(1000))
        let end = try HTTP.get(url, range: "bytes=\(size - 1000)-\(size - 1)")
        XCTAssertTrue(end.body == data.suffix(1000))
        let suffix = try HTTP.get(url, range: "bytes=-4096")
        XCTAssertEqual(suffix.status, 206)
        XCTAssertTrue(suffix.body == data.suffix(4096))
        let beyond = try HTTP.get(url, range: "bytes=\(size)-")
        XCTAssertEqual(beyond.status, 416)
        XCTAssertEqual(beyond.header("content-range"), "bytes */\(size)")

        let head = try HTTP.get(url, method: "HEAD")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("content-length"), String(size))
        XCTAssertEqual(head.header("accept-ranges"), "bytes")
        XCTAssertEqual(head.header("content-type"), "application/octet-stream")
        XCTAssertEqual(try HTTP.get(url.replacingOccurrences(of: "/0/", with: "/7/")).status, 404)
        XCTAssertEqual(try HTTP.get(url, method: "POST").status, 405)

        // Two players at once, each the whole file, while the rest downloads.
        var results: [HTTP.Response?] = [nil, nil]
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let response = try? HTTP.get(url)
            lock.withLock { results[i] = response }
        }
        for result in results {
            XCTAssertEqual(result?.status, 200)
            XCTAssertTrue(result?.body == data, "a whole-file GET differs (\(result?.body.count ?? -1) bytes)")
        }

        server.signal(SIGTERM)
        XCTAssertEqual(try server.wait(), 143)
        XCTAssertEqual(try torrentStatus(leecher, "movie.bin")["progress"] as? Double, 1.0)
    }

    /// A real player's probe: ffprobe reads the header, seeks to the index
    /// at the end of an MP4 (moov after mdat) and finds both streams, long
    /// before the 1 MB/s download of the file is over.
    func testFFprobeFindsTheStreamsWhileTheFileDownloads() throws {
        let scratch = try Scratch()
        let media = scratch.path + "/media.mp4"
        let made = try spawn("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=10:size=640x360:rate=25",
                                                 "-f", "lavfi", "-i", "sine=frequency=440:duration=10",
                                                 "-vf", "noise=alls=40:allf=t", "-c:v", "mpeg4", "-b:v", "8M", "-c:a", "aac",
                                                 "-shortest", media])
        XCTAssertEqual(made.status, 0, made.stderr)
        let data = try Data(contentsOf: URL(fileURLWithPath: media))
        let (torrent, port) = try seed(scratch, "media.mp4", data, rate: "1M")
        let leecher = try Peer(scratch, "leecher")
        let (server, document) = try startServe([torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)"]
                                                + serveOptions(leecher))
        defer { server.signal(SIGTERM); _ = try? server.wait() }
        let url = document["url"] as! String
        XCTAssertEqual((document["files"] as? [[String: Any]])?.first?["content_type"] as? String, "video/mp4")

        let started = Date()
        let probe = try spawn("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", url],
                              timeout: 60)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(probe.status, 0, probe.stderr)
        XCTAssertEqual(probe.text.split(separator: "\n").sorted(), ["audio", "video"])
        let progress = try torrentStatus(leecher, "media.mp4")["progress"] as? Double ?? 1
        print("ffprobe over btx serve: streams found after \(String(format: "%.2f", elapsed)) s, "
              + "with \(Int(progress * 100))% of the \(data.count / 1_000_000) MB file downloaded")
        XCTAssertLessThan(progress, 1, "ffprobe should not need the whole file")
    }

    /// Through a running daemon that skips a file: the playlist lists both
    /// files, a client that hangs up ends its stream, and the skipped file
    /// is downloaded once it is read.
    func testServeThroughADaemonWithAPlaylistAndAHangUp() throws {
        let scratch = try Scratch()
        let first = randomData(4 << 20), second = randomData(1 << 20)
        try scratch.write("src/album/one.mp3", first)
        try scratch.write("src/album/two.flac", second)
        let torrent = try makeTorrent(scratch.path + "/src/album", scratch.path + "/album.torrent", ["--piece-size", "256k"])
        let (seeder, port) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src", extra: ["--max-up", "1M"])
        addTeardownBlock { seeder.signal(SIGTERM); _ = try? seeder.wait() }
        let leecher = try Peer(scratch, "leecher")
        try startDaemon(leecher, in: self)
        let added = try spawn(btxPath, ["add", torrent, "--only", "1", "--detach", "-o", scratch.path + "/dl",
                                        "--peer", "127.0.0.1:\(port)", "--state-dir", leecher.state])
        XCTAssertEqual(added.status, 0, added.stderr)
        let (server, document) = try startServe(["album", "--state-dir", leecher.state])
        defer { server.signal(SIGTERM); _ = try? server.wait() }
        let playlistURL = document["url"] as! String
        XCTAssertTrue(playlistURL.hasSuffix("/playlist.m3u"), playlistURL)

        let playlist = try HTTP.get(playlistURL)
        XCTAssertEqual(playlist.header("content-type"), "audio/x-mpegurl; charset=utf-8")
        let urls = String(decoding: playlist.body, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("http") }.map(String.init)
        XCTAssertEqual(urls.count, 2)
        XCTAssertTrue(urls[0].hasSuffix("/0/album/one.mp3") && urls[1].hasSuffix("/1/album/two.flac"), "\(urls)")

        // A slow reader of the big file shows as the torrent's stream; when it hangs up, the stream goes.
        let reader = try Child("/usr/bin/curl", ["-s", "-o", "/dev/null", "--limit-rate", "100k", urls[0]])
        try waitUntil("the session to show the reader") {
            ((try? torrentStatus(leecher, "album"))?["stream"] as? [String: Any])?["readers"] as? Int == 1
        }
        reader.signal(SIGKILL)
        _ = try reader.wait(timeout: 10)
        try waitUntil("the stream to end with its reader", timeout: 10) {
            (try torrentStatus(leecher, "album"))["stream"] is NSNull
        }
        let small = try HTTP.get(urls[1])
        XCTAssertEqual(small.header("content-type"), "audio/flac")
        XCTAssertTrue(small.body == second)
        let skipped = try HTTP.get(urls[0])
        XCTAssertTrue(skipped.body == first, "the skipped file read \(skipped.body.count) bytes, not its own")

        // Only a canonical index names a file; a Host that is not one stays out of the playlist.
        XCTAssertEqual(try HTTP.get(urls[1].replacingOccurrences(of: "/1/", with: "/01/")).status, 404)
        XCTAssertEqual(try HTTP.get(urls[1].replacingOccurrences(of: "/1/", with: "/+1/")).status, 404)
        let base = String(playlistURL.dropLast("/playlist.m3u".count)), httpPort = base.split(separator: ":").last ?? ""
        let forged = String(decoding: try HTTP.get(playlistURL, host: "evil.example\"><script>:\(httpPort)").body, as: UTF8.self)
        XCTAssertFalse(forged.contains("evil"), forged)
        XCTAssertTrue(forged.contains(base + "/0/album/one.mp3"), forged)
        let named = String(decoding: try HTTP.get(playlistURL, host: "mybox.lan:\(httpPort)").body, as: UTF8.self)
        XCTAssertTrue(named.contains("http://mybox.lan:\(httpPort)/0/album/one.mp3"), named)

        // Once the torrent is removed its files are gone, not empty.
        XCTAssertEqual(try spawn(btxPath, ["remove", "album", "--state-dir", leecher.state]).status, 0)
        XCTAssertEqual(try HTTP.get(urls[1]).status, 404)
    }

    /// 64 clients that trickle a request head (a byte every few seconds) or
    /// ask for a file and never read fill every connection serve allows: the
    /// one that got nowhere for longest makes room, and a player is answered.
    func testSlowAndStalledClientsCannotLockOutAPlayer() throws {
        let scratch = try Scratch()
        let data = randomData(8 << 20)
        let (torrent, port) = try seed(scratch, "clip.bin", data, rate: "100M")
        let leecher = try Peer(scratch, "leecher")
        let (server, document) = try startServe([torrent, "-o", scratch.path + "/dl", "--peer", "127.0.0.1:\(port)"]
                                                + serveOptions(leecher))
        defer { server.signal(SIGTERM); _ = try? server.wait() }
        let url = document["url"] as! String
        XCTAssertEqual(try HTTP.get(url).body.count, data.count, "the whole file, first")
        let address = url.split(separator: "/")[1]
        let (host, httpPort) = (address.split(separator: ":")[0], address.split(separator: ":")[1])
        let threadsBefore = threadCount(server.pid)
        for attack in ["slowloris", "nonreader"] {
            let crowd = try RunningProcess("/usr/bin/python3", ["-c", """
                import socket, sys, time
                host, port, path, attack = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
                held = []
                for i in range(64):
                    s = socket.socket()
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                    s.connect((host, port))
                    s.send(b"GET " + path.encode() + (b" HTTP/1.1\\r\\nHost: x" if attack == "slowloris" else b" HTTP/1.1\\r\\n\\r\\n"))
                    held.append(s)
                print("ready", flush=True)
                end = time.time() + 40
                while time.time() < end:
                    time.sleep(2)
                    if attack == "slowloris":
                        for s in held:
                            try: s.send(b"x")
                            except OSError: pass
                """, String(host), String(httpPort), "/0/clip.bin", attack])
            _ = try crowd.waitForLine(timeout: 20, "the \(attack) crowd") { $0 == "ready" }
            // Every connection is taken: a player is turned away (503) until
            // the crowd has got nowhere for half a second, then answered.
            let started = Date()
            let player = try waitFor("a player answered under \(attack)", timeout: 20) { () -> HTTP.Response? in
                let response = try HTTP.get(url, range: "bytes=1000-1999")
                return response.status == 503 ? nil : response
            }
            XCTAssertEqual(player.status, 206, attack)
            XCTAssertTrue(player.body == data.subdata(in: 1000..<2000), attack)
            // One loop serves them all: 64 stalled clients cost no thread each.
            XCTAssertLessThan(threadCount(server.pid) - threadsBefore, 8, attack)
            print("btx serve under 64 \(attack) clients: a player's range answered after "
                  + String(format: "%.2f", Date().timeIntervalSince(started)) + " s")
            crowd.signal(SIGKILL)
            _ = try crowd.wait()
        }
    }

    /// `mpv "$(btx serve X --print-url)"`: the command returns with one URL
    /// while the server goes on, until --idle passes with no client.
    func testPrintURLLeavesTheServerRunningUntilIdle() throws {
        let scratch = try Scratch()
        let data = randomData(1 << 20)
        let (torrent, port) = try seed(scratch, "clip.webm", data, rate: "20M")
        let leecher = try Peer(scratch, "leecher")
        addTeardownBlock {
            // The server is not this test's child: it is found by its state directory.
            _ = try? spawn("/usr/bin/pkill", ["-KILL", "-f", "serve .*" + leecher.state])
        }
        let shell = "url=$('\(btxPath)' serve '\(torrent)' --print-url --idle 2 -o '\(scratch.path)/dl' --peer 127.0.0.1:\(port) "
            + serveOptions(leecher).map { "'\($0)'" }.joined(separator: " ") + ") && echo \"$url\""
        let started = Date()
        let run = try spawn("/bin/bash", ["-c", shell], timeout: 60)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        let url = run.text.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/0/clip.webm"), url)
        let got = try HTTP.get(url)
        XCTAssertEqual(got.header("content-type"), "video/webm")
        XCTAssertTrue(got.body == data)
        // Watched by its process, not by asking it: every request would count as a client.
        try waitUntil("the idle server to stop", timeout: 20) {
            try spawn("/usr/bin/pgrep", ["-f", "serve .*" + leecher.state]).status != 0
        }
        XCTAssertNil(try HTTP.fetch(url))
        // It stopped the way a session stops: the torrent is saved, complete.
        XCTAssertEqual(try torrentStatus(leecher, "clip.webm")["progress"] as? Double, 1.0)
    }

    func testBadServeInput() throws {
        let scratch = try Scratch()
        let leecher = try Peer(scratch, "leecher")
        let torrent = try makeTorrent(try scratch.write("src/a.bin", randomData(1000)), scratch.path + "/a.torrent")
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listening) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listening, $0, length) == 0 && getsockname(listening, $0, &length) == 0 }
        }
        listen(listening, 1)
        let taken = Int(UInt16(bigEndian: address.sin_port))

        for (arguments, code, message) in [
            ([torrent, "--listen", "nowhere"], 2, "--listen: 'nowhere' is not PORT"),
            ([torrent, "--idle", "soon"], 2, "--idle: 'soon'"),
            (["no-such-torrent"], 3, "no-such-torrent"),
            ([torrent, "9"], 2, "btx: the torrent has no file with index 9"),
            ([torrent, "--listen", "127.0.0.1:\(taken)"], 1, "cannot listen on 127.0.0.1:\(taken) for HTTP: Address already in use"),
        ] as [([String], Int32, String)] {
            let run = try spawn(btxPath, ["serve", "-o", scratch.path + "/dl"] + arguments + serveOptions(leecher), timeout: 30)
            XCTAssertEqual(run.status, code, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.split(separator: "\n").first?.contains(message) == true, "one line says why: \(run.stderr)")
        }
    }
}

/// curl as the HTTP client: what it got, and how long it took.
enum HTTP {
    struct Response {
        let status: Int
        let headers: [String: String]
        let body: Data
        /// Seconds from the request to the last byte of the answer.
        let total: Double

        func header(_ name: String) -> String? { headers[name] }
    }

    /// nil when nothing answers at the address.
    static func fetch(_ url: String, range: String? = nil, method: String = "GET", host: String? = nil) throws -> Response? {
        let scratch = try Scratch()
        var arguments = ["-s", "-D", scratch.path + "/head", "-o", scratch.path + "/body", "-w", "%{http_code} %{time_total}",
                         "--max-time", "60"]
        if method == "HEAD" { arguments.append("-I") } else if method != "GET" { arguments += ["-X", method] }
        if let range { arguments += ["-H", "Range: " + range] }
        if let host { arguments += ["-H", "Host: " + host] }
        let run = try spawn("/usr/bin/curl", arguments + [url], timeout: 90)
        guard run.status == 0 else { return nil }
        let parts = run.text.split(separator: " ")
        let head = (try? String(contentsOfFile: scratch.path + "/head", encoding: .utf8)) ?? ""
        var headers: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: Int(parts.first ?? "") ?? 0, headers: headers,
                        body: (try? Data(contentsOf: URL(fileURLWithPath: scratch.path + "/body"))) ?? Data(),
                        total: Double(parts.dropFirst().first ?? "") ?? -1)
    }

    /// Throws when nothing answers: for calls that expect an answer.
    static func get(_ url: String, range: String? = nil, method: String = "GET", host: String? = nil) throws -> Response {
        guard let response = try fetch(url, range: range, method: method, host: host) else {
            throw TestFailure("no answer from \(url)")
        }
        return response
    }
}

/// The number of threads process `pid` runs now.
private func threadCount(_ pid: Int32) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") } ?? ""
    return Int(line.split(separator: "\t").last ?? "") ?? 0
}
