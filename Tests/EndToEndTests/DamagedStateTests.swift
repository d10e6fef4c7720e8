import Foundation
import XCTest
import TestSupport

/// Every file btx keeps (resume data, seeding goals, config, dht.state,
/// the lock, the control socket, the DHT key) truncated, garbage,
/// unreadable, a directory, a FIFO or a symlink: no crash and no hang, a
/// warning or a one-line error with exit 1, never a write through a link,
/// and downloaded data never lost.
final class DamagedStateTests: XCTestCase {
    private enum Damage: CaseIterable {
        case truncated, garbage, empty, directory, fifo, devZero, linkToOutside, danglingLink
    }

    /// Puts `damage` at `path` (whatever was there goes); `original` is what
    /// a truncation cuts, `outside` the file a link points to.
    private func damage(_ path: String, _ damage: Damage, original: Data, outside: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        switch damage {
        case .truncated: try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: path))
        case .garbage: try randomData(max(original.count, 64)).write(to: URL(fileURLWithPath: path))
        case .empty: try Data().write(to: URL(fileURLWithPath: path))
        case .directory: try FileManager.default.createDirectory(atPath: path + "/inner", withIntermediateDirectories: true)
        case .fifo: XCTAssertEqual(mkfifo(path, 0o600), 0)
        case .devZero: XCTAssertEqual(symlink("/dev/zero", path), 0)
        case .linkToOutside: XCTAssertEqual(symlink(outside, path), 0)
        case .danglingLink: XCTAssertEqual(symlink(outside + ".missing", path), 0)
        }
    }

    /// One complete torrent saved in a peer's state, its data beside it.
    private struct Saved {
        let peer: Peer
        let torrent: String
        let data: String
        let hash: String
        var resume: String { peer.state + "/resume/\(hash).resume" }
        var goal: String { peer.state + "/resume/\(hash).goal" }
    }

    private func savedTorrent(_ scratch: Scratch, goal: Bool = false) throws -> Saved {
        try scratch.write("data/file.bin", randomData(300_000))
        let torrent = try makeTorrent(scratch.path + "/data/file.bin", scratch.path + "/file.torrent")
        let peer = try Peer(scratch, "peer")
        let added = try peer.add([torrent, "-o", scratch.path + "/data"] + (goal ? ["--seed-ratio", "2", "--paused"] : []))
        XCTAssertEqual(added.status, 0, added.stderr)
        let hash = try spawn(btxPath, ["info", "--json", torrent]).json()["info_hash"] as! String
        return Saved(peer: peer, torrent: torrent, data: scratch.path + "/data", hash: hash)
    }

    private func run(_ arguments: [String], _ peer: Peer, timeout: TimeInterval = 20) throws -> ProcessResult {
        try spawn(btxPath, arguments + ["--state-dir", peer.state], timeout: timeout)
    }

    /// Fails unless stderr is one "btx: ..." line saying `mentions`.
    private func assertOneLine(_ result: ProcessResult, _ mentions: String, status: Int32 = 1,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("btx: ") && result.stderr.filter { $0 == "\n" }.count == 1,
                      "one line: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(mentions), result.stderr, file: file, line: line)
    }

    func testDamagedResumeDataIsSkippedAndTheDownloadedDataSurvives() throws {
        let scratch = try Scratch()
        let saved = try savedTorrent(scratch)
        let pristine = try Data(contentsOf: URL(fileURLWithPath: saved.resume))
        let digest = try digests(saved.data)
        let outside = try scratch.write("outside.txt", Data("not btx's".utf8))
        for how in Damage.allCases {
            try damage(saved.resume, how, original: pristine, outside: outside)
            let status = try run(["status", "--json"], saved.peer)
            XCTAssertEqual(status.status, 0, "\(how): \(status.stderr)")
            XCTAssertEqual(try status.json()["torrents"] as? [NSDictionary], [], "\(how)")
            if how != .danglingLink {
                XCTAssertTrue(status.stderr.contains("btx: warning: skipping saved torrent \(saved.hash)"), "\(how): \(status.stderr)")
            }

            // Adding it again checks what is on disk: complete, nothing downloaded, nothing lost.
            let added = try saved.peer.add([saved.torrent, "-o", saved.data], timeout: 30)
            XCTAssertEqual(added.status, 0, "\(how): \(added.stderr)")
            XCTAssertEqual(added.events.first { $0.type == "finished" }?.data["session_downloaded"] as? Int, 0, "\(how)")
            XCTAssertEqual(try digests(saved.data), digest, "\(how)")
            XCTAssertEqual(try scratch.contents("outside.txt"), Data("not btx's".utf8), "\(how): written through the link")
            if how != .directory {
                XCTAssertEqual(try saved.peer.savedTorrents().first?["progress"] as? Double, 1, "\(how): saved afresh")
            }
        }
    }

    func testADamagedSeedingGoalIsReportedAndIgnored() throws {
        let scratch = try Scratch()
        let saved = try savedTorrent(scratch, goal: true)
        let pristine = try Data(contentsOf: URL(fileURLWithPath: saved.goal))
        for how in [Damage.truncated, .garbage, .directory, .fifo, .devZero] {
            try damage(saved.goal, how, original: pristine, outside: "")
            let status = try run(["status", "--json"], saved.peer)
            XCTAssertEqual(status.status, 0, "\(how): \(status.stderr)")
            XCTAssertTrue(status.stderr.contains("btx: warning: ignoring the seeding goal: \(saved.goal)"), "\(how): \(status.stderr)")
            let settings = try XCTUnwrap((try status.json()["torrents"] as? [[String: Any]])?.first?["settings"] as? [String: Any])
            XCTAssertTrue(settings["seed_ratio"] is NSNull, "\(how): \(settings)")
        }
        // A daemon resumes the torrent anyway and says why it has no goal.
        let daemon = try run(["daemon", "--listen", "127.0.0.1:0", "--no-dht"], saved.peer)
        XCTAssertEqual(daemon.status, 0, daemon.stderr)
        defer { _ = try? run(["daemon", "--stop"], saved.peer) }
        XCTAssertEqual(try saved.peer.savedTorrents().count, 1)
        let log = String(decoding: try Data(contentsOf: URL(fileURLWithPath: saved.peer.state + "/daemon.log")), as: UTF8.self)
        XCTAssertTrue(log.contains("seeding with no goal: \(saved.goal) is not a regular file"), log)
    }

    func testAConfigThatIsNotAReadableTextFileStopsSessionCommandsInOneLine() throws {
        let scratch = try Scratch()
        let saved = try savedTorrent(scratch)
        let config = saved.peer.state + "/config"
        // Cut in half, this is still a valid config.
        let pristine = Data("dht = off\nlsd = off\n".utf8)
        let cases: [(Damage, String)] = [
            (.garbage, "\(config) is not a text file; fix or remove it"),
            (.directory, "\(config) is a directory, not a file"),
            (.fifo, "\(config) is not a regular file"),
            (.devZero, "\(config) is not a regular file"),
        ]
        for (how, message) in cases {
            try damage(config, how, original: pristine, outside: "")
            assertOneLine(try saved.peer.add([saved.torrent, "-o", saved.data]), message)
            assertOneLine(try run(["daemon", "--listen", "127.0.0.1:0", "--no-dht"], saved.peer), message)
            // Commands that need no session do not read it.
            XCTAssertEqual(try run(["status"], saved.peer).status, 0, "\(how)")
        }
        // A truncated one is read up to where it stops; a link to nothing is no config.
        for how in [Damage.truncated, .danglingLink] {
            try damage(config, how, original: pristine, outside: scratch.path + "/nowhere")
            let added = try saved.peer.add([saved.torrent, "-o", saved.data])
            XCTAssertEqual(added.status, 0, "\(how): \(added.stderr)")
        }
        // Windows line ends are line ends.
        try Data("dht = off\r\nlsd = off\r\n".utf8).write(to: URL(fileURLWithPath: config))
        let crlf = try saved.peer.add([saved.torrent, "-o", saved.data])
        XCTAssertEqual(crlf.status, 0, crlf.stderr)
        XCTAssertEqual(crlf.stderr, "")
        try Data("dht = off\r\nlsd = sometimes\r\n".utf8).write(to: URL(fileURLWithPath: config))
        assertOneLine(try saved.peer.add([saved.torrent, "-o", saved.data]), "\(config):2: lsd must be on or off, not 'sometimes'")
    }

    func testALockThatIsNotAPlainFileIsNeverFollowedOrWaitedOn() throws {
        let scratch = try Scratch()
        let saved = try savedTorrent(scratch)
        let lock = saved.peer.state + "/lock"
        let outside = try scratch.write("outside.txt", Data("not btx's".utf8))
        for how in [Damage.linkToOutside, .danglingLink, .fifo, .directory] {
            try damage(lock, how, original: Data(), outside: outside)
            let message = "\(lock) is not a regular file; remove it (btx makes a new one)"
            assertOneLine(try saved.peer.add([saved.torrent, "-o", saved.data]), message)
            assertOneLine(try run(["daemon", "--listen", "127.0.0.1:0", "--no-dht"], saved.peer), message)
            assertOneLine(try run(["daemon", "--stop"], saved.peer), "no btx session is running", status: 4)
            XCTAssertEqual(try run(["status"], saved.peer).status, 0, "\(how)")
            XCTAssertEqual(try scratch.contents("outside.txt"), Data("not btx's".utf8), "\(how)")
            XCTAssertFalse(scratch.exists("outside.txt.missing"), "\(how): created through the link")
        }
        // Garbage in a plain lock file is only an old pid.
        try damage(lock, .garbage, original: Data(), outside: outside)
        XCTAssertEqual(try saved.peer.add([saved.torrent, "-o", saved.data]).status, 0)
    }

    func testADaemonLogThatIsNotAPlainFileIsNeverWrittenThrough() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "peer")
        let log = peer.state + "/daemon.log"
        let outside = try scratch.write("outside.txt", Data("not btx's".utf8))
        for how in [Damage.linkToOutside, .danglingLink, .fifo, .directory] {
            try damage(log, how, original: Data(), outside: outside)
            assertOneLine(try run(["daemon", "--listen", "127.0.0.1:0", "--no-dht"], peer), "\(log) is not a regular file; remove it")
            XCTAssertEqual(try scratch.contents("outside.txt"), Data("not btx's".utf8), "\(how)")
            XCTAssertFalse(scratch.exists("outside.txt.missing"), "\(how)")
        }
    }

    func testWhatIsInTheWayOfTheControlSocketIsReplacedOrNamed() throws {
        let scratch = try Scratch()
        let saved = try savedTorrent(scratch)
        let socket = saved.peer.state + "/run/control.sock"
        let outside = try scratch.write("outside.txt", Data("not btx's".utf8))
        // Files a dead session could have left are replaced (never written through).
        for how in [Damage.garbage, .fifo, .linkToOutside, .danglingLink] {
            try damage(socket, how, original: Data(), outside: outside)
            XCTAssertEqual(try run(["status"], saved.peer).status, 0, "\(how)")
            let added = try saved.peer.add([saved.torrent, "-o", saved.data])
            XCTAssertEqual(added.status, 0, "\(how): \(added.stderr)")
            XCTAssertEqual(try scratch.contents("outside.txt"), Data("not btx's".utf8), "\(how)")
        }
        // A directory is not btx's to remove.
        try damage(socket, .directory, original: Data(), outside: outside)
        let inTheWay = "\(socket) is in the way of the control socket (it is not a socket); remove it"
        assertOneLine(try saved.peer.add([saved.torrent, "-o", saved.data]), inTheWay)
        assertOneLine(try run(["daemon", "--listen", "127.0.0.1:0", "--no-dht"], saved.peer), inTheWay)
        XCTAssertEqual(try run(["status"], saved.peer).status, 0)
        // A link where the folder goes is used, but the folder it points at keeps its mode.
        try FileManager.default.removeItem(atPath: saved.peer.state + "/run")
        try FileManager.default.createDirectory(atPath: scratch.path + "/shared", withIntermediateDirectories: false)
        chmod(scratch.path + "/shared", 0o755)
        XCTAssertEqual(symlink(scratch.path + "/shared", saved.peer.state + "/run"), 0)
        XCTAssertEqual(try saved.peer.add([saved.torrent, "-o", saved.data]).status, 0)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: scratch.path + "/shared")[.posixPermissions] as? Int, 0o755)
        // A file where its folder goes: no session can be running, so status answers from the saved state.
        try FileManager.default.removeItem(atPath: saved.peer.state + "/run")
        try Data("x".utf8).write(to: URL(fileURLWithPath: saved.peer.state + "/run"))
        let status = try run(["status", "--json"], saved.peer)
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertEqual((try status.json()["torrents"] as? [Any])?.count, 1)
        assertOneLine(try saved.peer.add([saved.torrent, "-o", saved.data]), "\(saved.peer.state)/run exists and is not a directory")
    }

    func testADHTRoutingTableThatCannotBeReadIsSkippedWithAWarning() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "peer")
        let table = peer.state + "/dht.state"
        // Nothing answers there: the command fails after its timeout, having read what it could.
        let put = ["dht-put", "--mutable", "hello", "--listen", "127.0.0.1:0", "--bootstrap", "127.0.0.1:\(freePort())",
                   "--timeout", "0.5"]
        for how in [Damage.devZero, .fifo, .directory, .garbage, .truncated] {
            try damage(table, how, original: Data("d11:dht-statede".utf8), outside: "")
            let result = try run(put, peer, timeout: 15)
            XCTAssertEqual(result.status, 1, "\(how): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasSuffix("btx: no DHT node answered before the timeout (check --bootstrap and the network)\n"),
                          "\(how): \(result.stderr)")
            // Damaged contents are libtorrent's to ignore (a slower bootstrap); what cannot be read is named.
            let unreadable = [.devZero, .fifo, .directory].contains(how)
            XCTAssertEqual(result.stderr.contains("btx: warning: ignoring the DHT routing table: \(table)"), unreadable,
                           "\(how): \(result.stderr)")
        }
    }

    func testADamagedDHTKeyIsAnErrorAndLeftAsItIs() throws {
        let scratch = try Scratch()
        let peer = try Peer(scratch, "peer")
        let key = peer.state + "/dht.key"
        XCTAssertEqual(try run(["dht-keygen"], peer).status, 0)
        let pristine = try Data(contentsOf: URL(fileURLWithPath: key))
        let put = ["dht-put", "--mutable", "hello", "--listen", "127.0.0.1:0", "--bootstrap", "127.0.0.1:\(freePort())",
                   "--timeout", "0.5"]
        let outside = try scratch.write("outside.key", Data("not a key".utf8))
        chmod(outside, 0o600)
        let cases: [(Damage, String)] = [
            (.truncated, "does not hold a DHT key (64 hex digits); 'btx dht-keygen --force' replaces it with a new one"),
            (.garbage, "does not hold a DHT key (64 hex digits)"),
            (.empty, "does not hold a DHT key (64 hex digits)"),
            (.directory, "\(key) is a directory, not a file"),
            (.fifo, "\(key) is not a regular file"),
            (.devZero, "\(key) is not a regular file"),
            (.linkToOutside, "does not hold a DHT key"),
            (.danglingLink, "\(key) is a symlink to a missing file"),
        ]
        for (how, message) in cases {
            try damage(key, how, original: pristine, outside: outside)
            // Reading a FIFO would block: only a plain file is compared. It keeps its mode as the key did.
            let plain = (try? FileManager.default.attributesOfItem(atPath: key)[.type] as? FileAttributeType) == .typeRegular
            if plain { chmod(key, 0o600) }
            let before = plain ? try Data(contentsOf: URL(fileURLWithPath: key)) : nil
            // The key is read before any network: the answer comes at once.
            assertOneLine(try run(put, peer, timeout: 15), message)
            assertOneLine(try run(["dht-keygen"], peer), message)
            if let before { XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: key)), before, "\(how): key changed") }
            XCTAssertFalse(scratch.exists("outside.key.missing"), "\(how): a key was made through the link")
        }
        XCTAssertEqual(try scratch.contents("outside.key"), Data("not a key".utf8))
        // A key reached through a link is still a key.
        try FileManager.default.removeItem(atPath: key)
        try pristine.write(to: URL(fileURLWithPath: outside))
        XCTAssertEqual(symlink(outside, key), 0)
        let linked = try run(put, peer, timeout: 15)
        XCTAssertTrue(linked.stderr.contains("no DHT node answered"), linked.stderr)
    }

    /// As root every file is readable, so these run as nobody over a state
    /// directory nobody owns.
    func testUnreadableStateFilesAreNamed() throws {
        let scratch = try Scratch()
        let saved = try savedTorrent(scratch, goal: true)
        XCTAssertEqual(try self.run(["dht-keygen"], saved.peer).status, 0)
        let asNobody = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        if getuid() == 0 { XCTAssertEqual(try spawn("/bin/chown", ["-R", "65534:65534", saved.peer.state, saved.data]).status, 0) }
        func run(_ arguments: [String], timeout: TimeInterval = 20) throws -> ProcessResult {
            let argv = asNobody + [btxPath] + arguments + ["--state-dir", saved.peer.state]
            return try spawn(argv[0], Array(argv.dropFirst()), timeout: timeout)
        }
        let denied = "Permission denied"
        let digest = try digests(saved.data)

        chmod(saved.goal, 0)
        let goal = try run(["status"])
        XCTAssertEqual(goal.status, 0, goal.stderr)
        XCTAssertTrue(goal.stderr.contains("btx: warning: ignoring the seeding goal: \(saved.goal): \(denied)"), goal.stderr)

        chmod(saved.resume, 0)
        let status = try run(["status"])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stderr.contains("btx: warning: skipping saved torrent \(saved.hash): \(saved.resume): \(denied)"),
                      status.stderr)
        let added = try run(["add", saved.torrent, "-o", saved.data, "--listen", "127.0.0.1:0", "--no-dht"])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.stderr.contains("ignoring unreadable resume data: \(saved.resume): \(denied)"), added.stderr)
        XCTAssertEqual(try digests(saved.data), digest)

        chmod(saved.peer.state + "/resume", 0)
        let listing = try run(["status"])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        XCTAssertTrue(listing.stderr.contains("btx: warning: cannot list the saved torrents: \(saved.peer.state)/resume: \(denied)"),
                      listing.stderr)
        chmod(saved.peer.state + "/resume", 0o700)

        for name in ["config", "lock"] {
            chmod(saved.peer.state + "/" + name, 0)
            assertOneLine(try run(["add", saved.torrent, "-o", saved.data, "--listen", "127.0.0.1:0", "--no-dht"]),
                          "\(saved.peer.state)/\(name): \(denied)")
            chmod(saved.peer.state + "/" + name, 0o600)
        }

        chmod(saved.peer.state + "/dht.key", 0)
        assertOneLine(try run(["dht-put", "--mutable", "x", "--listen", "127.0.0.1:0", "--bootstrap", "127.0.0.1:\(freePort())",
                               "--timeout", "0.5"]), "\(saved.peer.state)/dht.key: \(denied)")
        XCTAssertEqual(try digests(saved.data), digest)
    }
}
