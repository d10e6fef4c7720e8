import Foundation
import TestSupport
import XCTest

/// `btx daemon --rpc`: Transmission's RPC, driven by the real clients
/// (transmission-remote from Debian, transmission-rpc from PyPI) and
/// attacked as any server btx runs for others.
final class TransmissionRPCTests: XCTestCase {
    /// The virtualenv `make deps` fills with the PyPI clients.
    static let testPython = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/test-python/bin/python").path

    /// A daemon answering RPC on 127.0.0.1:port.
    private func rpcDaemon(_ scratch: Scratch, _ name: String = "rpc", config: String = "",
                           extra: [String] = []) throws -> (Peer, Int) {
        let peer = try Peer(scratch, name)
        if !config.isEmpty { try peer.appendConfig(config) }
        let port = freePort()
        try startDaemon(peer, ["--rpc", String(port)] + extra, in: self)
        return (peer, port)
    }

    private func remote(_ port: Int, _ arguments: [String], auth: String? = nil) throws -> ProcessResult {
        try spawn("/usr/bin/transmission-remote", ["127.0.0.1:\(port)"] + (auth.map { ["--auth", $0] } ?? []) + arguments)
    }

    /// The listing's row for `name`, split into words.
    private func row(_ port: Int, _ name: String) throws -> [String]? {
        try remote(port, ["-l"]).text.split(separator: "\n").first { $0.hasSuffix(" " + name) }
            .map { $0.split(separator: " ").map(String.init) }
    }

    func testTransmissionRemoteDrivesTheDaemon() throws {
        let scratch = try Scratch()
        let data = randomData(3 << 20)
        try scratch.write("src/remote.bin", data)
        let trackerPort = freePort()
        let torrent = try makeTorrent(scratch.path + "/src/remote.bin", scratch.path + "/remote.torrent",
                                      ["-t", "http://127.0.0.1:\(trackerPort)/announce"])
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String
        let (tracker, _) = try startTracker(scratch, hashes: [hash], port: trackerPort)
        let (seeder, _) = try Peer(scratch, "seeder").seed([torrent], from: scratch.path + "/src")
        defer { seeder.signal(SIGTERM); _ = try? seeder.wait(); tracker.signal(SIGKILL); _ = try? tracker.wait() }

        let (peer, port) = try rpcDaemon(scratch)
        // Added paused by file into a folder of its own; started, found through the tracker, downloaded.
        XCTAssertEqual(try remote(port, ["--start-paused"]).status, 0)
        let added = try remote(port, ["-a", torrent, "-w", scratch.path + "/dl"])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.text.contains("success"), added.text)
        XCTAssertEqual(try remote(port, ["--no-start-paused"]).status, 0)
        XCTAssertEqual(try row(port, "remote.bin")?.contains("Stopped"), true)
        XCTAssertEqual(try remote(port, ["-t", "1", "-s"]).status, 0)
        try waitUntil("transmission-remote lists it done") { try self.row(port, "remote.bin")?[1] == "100%" }
        XCTAssertEqual(try scratch.contents("dl/remote.bin"), data)
        // Complete: a daemon seeds on unless given a goal.
        try waitUntil("listed as seeding") { ["Idle", "Seeding"].contains(try self.row(port, "remote.bin")?[8] ?? "") }
        XCTAssertEqual(try remote(port, ["-t", "1", "-S"]).status, 0)
        try waitUntil("stopped") { try self.row(port, "remote.bin")?.contains("Stopped") == true }
        XCTAssertEqual(try remote(port, ["-t", "1", "-s"]).status, 0)
        try waitUntil("started again") { try self.row(port, "remote.bin")?.contains("Stopped") == false }

        // Verify and limits, as the details show them.
        XCTAssertEqual(try remote(port, ["-t", "1", "-v"]).status, 0)
        XCTAssertEqual(try remote(port, ["-t", "1", "-d", "300", "-u", "40"]).status, 0)
        let details = try remote(port, ["-t", "1", "-i"]).text
        XCTAssertTrue(details.contains("Download Limit: 300 kB/s"), details)
        XCTAssertTrue(details.contains("Upload Limit: 40 kB/s"), details)
        XCTAssertTrue(details.contains("Hash: \(hash)"), details)
        XCTAssertTrue(details.contains("Location: \(scratch.path)/dl"), details)
        // The session's own caps, changed while it runs.
        XCTAssertEqual(try remote(port, ["-d", "150", "-u", "70"]).status, 0)
        var session = try remote(port, ["-si"]).text
        XCTAssertTrue(session.contains("Download speed limit: 150 kB/s"), session)
        XCTAssertTrue(session.contains("Upload speed limit: 70 kB/s"), session)
        XCTAssertEqual(try remote(port, ["-D", "-U"]).status, 0)
        session = try remote(port, ["-si"]).text
        XCTAssertTrue(session.contains("Download speed limit: Unlimited"), session)
        XCTAssertEqual(try remote(port, ["-gsr", "1.5"]).status, 0)
        session = try remote(port, ["-si"]).text
        XCTAssertTrue(session.contains("Default seed ratio limit: 1.5\n"), session)
        XCTAssertTrue(try String(contentsOfFile: peer.state + "/config", encoding: .utf8).contains("seed-ratio = 1.5\n"),
                      "kept for the next start")
        // Labels are btx's own.
        XCTAssertEqual(try remote(port, ["-t", "1", "-L", "tv,hd"]).status, 0)
        XCTAssertTrue(try remote(port, ["-t", "1", "-i"]).text.contains("Labels: tv, hd"))
        // A file renamed in place (transmission-remote 3.00 has no --rename: the RPC as 4.0's sends it):
        // its data goes with it, the listing follows.
        let renamed = try RPCClient(port: port).post(#"{"method":"torrent-rename-path","arguments":{"ids":[1],"path":"remote.bin","name":"other.bin"}}"#)
        XCTAssertEqual(renamed.json["result"] as? String, "success", "\(renamed.json)")
        try waitUntil("renamed") { scratch.exists("dl/other.bin") && !scratch.exists("dl/remote.bin") }
        XCTAssertEqual(try scratch.contents("dl/other.bin"), data)
        try waitUntil("listed renamed") { try self.remote(port, ["-t", "1", "-f"]).text.contains("other.bin") }
        // A name that leaves the torrent's folder is refused.
        let escape = try RPCClient(port: port).post(#"{"method":"torrent-rename-path","arguments":{"ids":[1],"path":"other.bin","name":".."}}"#)
        XCTAssertNotEqual(escape.json["result"] as? String, "success")

        // A move takes the data along.
        XCTAssertEqual(try remote(port, ["-t", "1", "--move", scratch.path + "/moved"]).status, 0)
        try waitUntil("moved") { scratch.exists("moved/other.bin") && !scratch.exists("dl/other.bin") }
        // The listener shows what libtorrent's state updates said, at most a second ago.
        try waitUntil("the new location shown") { try self.remote(port, ["-t", "1", "-i"]).text.contains("Location: \(scratch.path)/moved") }

        // A magnet is listed under its name before its metadata.
        let magnet = "magnet:?xt=urn:btih:" + String(repeating: "7", count: 40) + "&dn=waiting"
        XCTAssertEqual(try remote(port, ["-a", magnet]).status, 0)
        XCTAssertNotNil(try row(port, "waiting"))
        // A torrent with no metadata yet has no files: the others' are still answered.
        let files = try RPCClient(port: port).post(#"{"method":"torrent-get","arguments":{"fields":["id","name","files","fileStats","peers","trackers","pieces"]}}"#)
        XCTAssertEqual(files.json["result"] as? String, "success", "\(files.json)")

        // Removed with its data.
        XCTAssertEqual(try remote(port, ["-t", "1", "--remove-and-delete"]).status, 0)
        try waitUntil("removed with its data") { try self.row(port, "remote.bin") == nil && !scratch.exists("moved/other.bin") }
    }

    /// The python client reads every field it models for a torrent and the
    /// session, and adds, changes and removes torrents.
    func testTheTransmissionRPCPackageReadsEveryField() throws {
        let scratch = try Scratch()
        try scratch.write("src/py.bin", randomData(1 << 20))
        let torrent = try makeTorrent(scratch.path + "/src/py.bin", scratch.path + "/py.torrent", ["--comment", "from python"])
        let (_, port) = try rpcDaemon(scratch)
        let result = try spawn(Self.testPython, ["-W", "ignore", "-c", """
            import sys, transmission_rpc
            port, torrent, folder = int(sys.argv[1]), sys.argv[2], sys.argv[3]
            c = transmission_rpc.Client(host="127.0.0.1", port=port)
            assert c.rpc_version >= 17, c.rpc_version
            s = c.get_session()
            for name in dir(s):
                if not name.startswith("_"): getattr(s, name)
            print("download_dir", s.download_dir)
            added = c.add_torrent(open(torrent, "rb"), paused=True, download_dir=folder)
            t = c.get_torrent(added.id)
            for name in dir(t):
                if not name.startswith("_"): getattr(t, name)
            print("torrent", t.name, t.status, t.comment, t.total_size, t.is_private, len(t.get_files()))
            c.change_torrent(t.id, download_limit=100, download_limited=True, peer_limit=7)
            t = c.get_torrent(t.id, arguments=["id", "downloadLimit", "downloadLimited", "peer-limit"])
            print("limit", t.download_limit, t.download_limited, t.fields["peer-limit"])
            c.start_torrent(t.id)
            c.stop_torrent(t.id)
            stats = c.session_stats()
            print("stats", stats.torrent_count)
            c.remove_torrent(t.id, delete_data=True)
            print("left", len(c.get_torrents()))
            """, String(port), torrent, scratch.path + "/py"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("torrent py.bin stopped from python 1048576 False 1"), result.text)
        XCTAssertTrue(lines.contains("limit 100 True 7"), result.text)
        XCTAssertTrue(lines.contains("stats 1"), result.text)
        XCTAssertTrue(lines.contains("left 0"), result.text)
    }

    /// transmission 4.1's JSON-RPC 2.0: snake_case names both ways, errors
    /// as JSON-RPC errors, notifications answered with nothing.
    func testTheJSONRPCDialect() throws {
        let scratch = try Scratch()
        try scratch.write("src/j.bin", randomData(1 << 16))
        let torrent = try makeTorrent(scratch.path + "/src/j.bin", scratch.path + "/j.torrent")
        let (peer, port) = try rpcDaemon(scratch)
        XCTAssertEqual(try spawn(btxPath, ["add", torrent, "-o", scratch.path + "/src", "--detach", "--state-dir", peer.state]).status, 0)
        let client = RPCClient(port: port)
        let session = try client.post(#"{"jsonrpc":"2.0","method":"session_get","params":{"fields":["rpc_version","download_dir"]},"id":1}"#)
        let result = try XCTUnwrap(session.json["result"] as? [String: Any], "\(session.json)")
        XCTAssertEqual(result["rpc_version"] as? Int, 18)
        XCTAssertNotNil(result["download_dir"] as? String)
        XCTAssertEqual(session.json["id"] as? Int, 1)

        let torrents = try client.post(#"{"jsonrpc":"2.0","method":"torrent_get","params":{"fields":["id","hash_string","percent_done","size_when_done"]},"id":"a"}"#)
        let first = try XCTUnwrap(((torrents.json["result"] as? [String: Any])?["torrents"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(first.keys), ["id", "hash_string", "percent_done", "size_when_done"])
        XCTAssertEqual(first["size_when_done"] as? Int, 1 << 16)

        let unknown = try client.post(#"{"jsonrpc":"2.0","method":"no_such_method","id":2}"#)
        XCTAssertEqual((unknown.json["error"] as? [String: Any])?["code"] as? Int, -32601)
        XCTAssertEqual(try client.post(#"{"jsonrpc":"2.0","method":"session_stats"}"#).status, 204, "a notification")
        let parse = try client.post(#"{"jsonrpc":"2.0", "method": "#)
        XCTAssertEqual((parse.json["error"] as? [String: Any])?["code"] as? Int, -32700)
        let batch = try client.post(#"[{"jsonrpc":"2.0","method":"session_stats","id":1},{"jsonrpc":"2.0","method":"free_space","params":{"path":"/"},"id":2}]"#)
        XCTAssertEqual((batch.array?.count), 2)

        // Sonarr's seed time arrives as an idle limit in minutes: btx's idle seeding goal.
        let set = try client.post(#"{"method":"torrent-set","arguments":{"ids":[1],"seedIdleLimit":30,"seedIdleMode":1}}"#)
        XCTAssertEqual(set.json["result"] as? String, "success", "\(set.json)")
        XCTAssertEqual((try torrentStatus(peer, "j.bin")["settings"] as? [String: Any])?["seed_idle"] as? Int, 1800)
        // What changed in the last minute, and what went.
        let recent = try client.post(#"{"method":"torrent-get","arguments":{"ids":"recently-active","fields":["id","name"]}}"#)
        XCTAssertEqual(((recent.json["arguments"] as? [String: Any])?["torrents"] as? [[String: Any]])?.first?["name"] as? String, "j.bin")
        XCTAssertEqual(try client.post(#"{"method":"torrent-remove","arguments":{"ids":[1]}}"#).json["result"] as? String, "success")
        let gone = try client.post(#"{"method":"torrent-get","arguments":{"ids":"recently-active","fields":["id"]}}"#)
        XCTAssertEqual((gone.json["arguments"] as? [String: Any])?["removed"] as? [Int], [1], "\(gone.json)")
        // Front-ends read the transmission version this matches.
        let version = try client.post(#"{"method":"session-get","arguments":{"fields":["version"]}}"#)
        XCTAssertTrue(((version.json["arguments"] as? [String: Any])?["version"] as? String ?? "").hasPrefix("4.0.6 (btx "))
    }

    /// Bad input: each gets its status and a clean answer, and a real client
    /// still gets through.
    func testBadRequestsAndHostileClients() throws {
        let scratch = try Scratch()
        let (peer, port) = try rpcDaemon(scratch, config: "rpc-user = alice\nrpc-password = s3cret pass\nrpc-host-allow = nas.lan\n")
        // The password is in the config only as its hash now.
        let config = try String(contentsOfFile: peer.state + "/config", encoding: .utf8)
        XCTAssertFalse(config.contains("s3cret"), config)
        XCTAssertTrue(config.contains("rpc-password = pbkdf2-sha256$"), config)

        let good = RPCClient(port: port, auth: "alice:s3cret pass")
        XCTAssertEqual(try good.post(#"{"method":"session-get"}"#).json["result"] as? String, "success")
        XCTAssertEqual(try RPCClient(port: port, auth: "alice:wrong").post(#"{"method":"session-get"}"#).status, 401)
        XCTAssertEqual(try RPCClient(port: port).post(#"{"method":"session-get"}"#).status, 401)
        XCTAssertEqual(try remote(port, ["-l"], auth: "alice:s3cret pass").status, 0)

        // No session id: 409 with the one to use.
        let conflict = try good.raw(path: "/transmission/rpc", body: "{}", sessionID: nil)
        XCTAssertEqual(conflict.status, 409)
        XCTAssertNotNil(conflict.headers["x-transmission-session-id"])
        // Unknown method, invalid JSON: an error result, and the daemon goes on.
        XCTAssertEqual(try good.post(#"{"method":"torrent-frobnicate","tag":7}"#).json["result"] as? String, "method name not recognized")
        XCTAssertEqual(try good.post(#"{"method":"torrent-frobnicate","tag":7}"#).json["tag"] as? Int, 7)
        XCTAssertTrue((try good.post("{not json").json["result"] as? String ?? "").hasPrefix("invalid JSON"))
        // Too big a body, a Host that is not allowed (DNS rebinding), one that is.
        let huge = try good.raw(path: "/transmission/rpc", body: String(repeating: "x", count: 25 << 20))
        XCTAssertEqual(huge.status, 413)
        // Before its sender is known, a body is held to 64 KiB.
        XCTAssertEqual(try RPCClient(port: port).raw(path: "/transmission/rpc", body: String(repeating: "x", count: 1 << 20)).status, 413)
        XCTAssertEqual(try good.raw(path: "/transmission/rpc", body: "{}", host: "evil.example:\(port)").status, 421)
        XCTAssertEqual(try good.post(#"{"method":"session-get"}"#, host: "nas.lan:\(port)").status, 200)

        // 1,000 hostile requests (junk, bad auth, bad JSON), then the real client.
        let hostile = try spawn("/usr/bin/python3", ["-c", """
            import socket, sys, random
            port = int(sys.argv[1])
            junk = [b"GET / HTTP/1.1\\r\\n\\r\\n", b"\\x00\\xff" * 50, b"POST /transmission/rpc HTTP/1.1\\r\\nContent-Length: 5\\r\\n\\r\\n{{{{{",
                    b"POST /transmission/rpc HTTP/1.1\\r\\nAuthorization: Basic YTpi\\r\\nContent-Length: 2\\r\\n\\r\\n{}",
                    b"POST /transmission/rpc HTTP/1.1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n"]
            for i in range(1000):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(random.choice(junk))
                s.shutdown(socket.SHUT_WR)
                s.settimeout(5)
                try: s.recv(100)
                except OSError: pass
                s.close()
            print("done")
            """, String(port)])
        XCTAssertEqual(hostile.text, "done\n", hostile.stderr)
        XCTAssertEqual(try remote(port, ["-l"], auth: "alice:s3cret pass").status, 0)

        // 64 clients that trickle their heads hold every slot: a real client is still answered within a second.
        let crowd = try RunningProcess("/usr/bin/python3", ["-c", """
            import socket, sys, time
            held = []
            for i in range(64):
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                s.send(b"POST /transmission/rpc HTTP/1.1\\r\\nHost: x")
                held.append(s)
            print("ready", flush=True)
            time.sleep(60)
            """, String(port)])
        defer { crowd.signal(SIGKILL); _ = try? crowd.wait() }
        _ = try crowd.waitForLine(timeout: 20, "the crowd") { $0 == "ready" }
        let started = Date()
        let answer = try waitFor("an answer under 64 slow clients", timeout: 10) { () -> RPCClient.Response? in
            let response = try good.post(#"{"method":"session-stats"}"#)
            return response.status == 503 ? nil : response
        }
        XCTAssertEqual(answer.status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5)
    }

    /// torrent-set's queuePosition puts a torrent where it is asked in a daemon's queue.
    func testQueuePositionMovesATorrentInTheQueue() throws {
        let scratch = try Scratch()
        var torrents: [String] = []
        for name in ["first", "second", "third"] {
            try scratch.write("src/\(name).bin", randomData(64 << 10))
            torrents.append(try makeTorrent(scratch.path + "/src/\(name).bin", scratch.path + "/\(name).torrent"))
        }
        let (peer, port) = try rpcDaemon(scratch, extra: ["--max-active-downloads", "1"])
        // Nothing to download them from: they wait in the queue, in the order added.
        for torrent in torrents {
            XCTAssertEqual(try spawn(btxPath, ["add", torrent, "-o", scratch.path + "/dl", "--detach", "--state-dir", peer.state]).status, 0)
        }
        let client = RPCClient(port: port)
        func positions() throws -> [String: Int] {
            let reply = try client.post(#"{"method":"torrent-get","arguments":{"fields":["name","queuePosition"]}}"#)
            let rows = (reply.json["arguments"] as? [String: Any])?["torrents"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as! String, $0["queuePosition"] as! Int) })
        }
        try waitUntil("three in the queue") { try positions() == ["first.bin": 0, "second.bin": 1, "third.bin": 2] }
        let third = try client.post(#"{"method":"torrent-get","arguments":{"fields":["id","name"]}}"#)
        let id = ((third.json["arguments"] as? [String: Any])?["torrents"] as? [[String: Any]])?.first { $0["name"] as? String == "third.bin" }?["id"] as! Int
        let set = try client.post(#"{"method":"torrent-set","arguments":{"ids":[\#(id)],"queuePosition":0}}"#)
        XCTAssertEqual(set.json["result"] as? String, "success", "\(set.json)")
        try waitUntil("third first") { try positions() == ["third.bin": 0, "first.bin": 1, "second.bin": 2] }
    }

    /// Other machines are answered only with a password, from a config only its owner reads.
    func testAListenOthersReachNeedsCredentials() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "open")
        let refused = try spawn(btxPath, ["daemon", "--rpc", "0.0.0.0:\(freePort())"] + peer.common)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("rpc-user and rpc-password"), refused.stderr)

        try peer.appendConfig("rpc-user = bob\nrpc-password = pw\n")
        let path = peer.state + "/config"
        chmod(path, 0o644)
        let readable = try spawn(btxPath, ["daemon", "--rpc", "0.0.0.0:\(freePort())"] + peer.common)
        XCTAssertEqual(readable.status, 1)
        XCTAssertTrue(readable.stderr.contains("chmod 600"), readable.stderr)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("rpc-password = pw"), "left as it was")
    }
}

/// A tiny HTTP client for the RPC with the 409 handshake done.
struct RPCClient {
    let port: Int
    var auth: String?
    private static var sessionIDs: [Int: String] = [:]

    init(port: Int, auth: String? = nil) {
        self.port = port
        self.auth = auth
    }

    struct Response {
        let status: Int
        let headers: [String: String]
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var array: [Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [Any] }
    }

    /// POSTs to /transmission/rpc, fetching the session id first if needed.
    func post(_ body: String, host: String? = nil) throws -> Response {
        var response = try raw(path: "/transmission/rpc", body: body, host: host, sessionID: Self.sessionIDs[port])
        if response.status == 409, let id = response.headers["x-transmission-session-id"] {
            Self.sessionIDs[port] = id
            response = try raw(path: "/transmission/rpc", body: body, host: host, sessionID: id)
        }
        return response
    }

    func raw(path: String, body: String, host: String? = nil, sessionID: String? = "") throws -> Response {
        var arguments = ["-s", "-o", "-", "-D", "/dev/stderr", "-X", "POST", "--data-binary", "@-", "--max-time", "20",
                         "http://127.0.0.1:\(port)\(path)"]
        if let auth { arguments += ["-u", auth] }
        if let host { arguments += ["-H", "Host: \(host)"] }
        let id = sessionID == "" ? Self.sessionIDs[port] : sessionID
        if let id { arguments += ["-H", "X-Transmission-Session-Id: \(id)"] }
        let result = try spawn("/usr/bin/curl", arguments, stdin: Data(body.utf8))
        var status = 0
        var headers: [String: String] = [:]
        for line in result.stderr.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("HTTP/") { status = Int(line.split(separator: " ")[1]) ?? 0; headers = [:] }
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return Response(status: status, headers: headers, body: result.stdout)
    }
}
