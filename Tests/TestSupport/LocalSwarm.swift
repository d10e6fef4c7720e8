import Foundation
import TorrentKit
import XCTest

/// Content on disk, its torrent, and libtorrent sessions on 127.0.0.1 that
/// seed and fetch it.
public final class LocalSwarm {
    public let dir: TemporaryDirectory
    public let metainfo: [UInt8]
    public let info: TorrentInfo
    /// The file's bytes (single-file content) keyed by path under the seed directory.
    public let files: [String: [UInt8]]
    public var seedPath: String { dir.path + "/seed" }
    /// Every session made here lives as long as the swarm (a seeder the test
    /// only needed the port of would otherwise stop at once).
    private var sessions: [Session] = []

    deinit { sessions.removeAll() }

    /// `files` are paths under the content's name ("pack/a.bin") or a single name.
    public init(_ files: [(String, Int)], pieceLength: Int = 16 << 10, trackers: [[String]] = [], webSeeds: [String] = [],
         seed: UInt64 = 1) throws {
        dir = try TemporaryDirectory()
        var contents: [String: [UInt8]] = [:]
        for (index, (path, size)) in files.enumerated() {
            let bytes = pseudoRandomBytes(size, seed: seed &+ UInt64(index))
            try dir.write("seed/" + path, bytes: bytes)
            contents[path] = bytes
        }
        self.files = contents
        let root = files[0].0.split(separator: "/").first.map(String.init) ?? files[0].0
        var options = TorrentOptions()
        options.pieceLength = pieceLength
        options.trackerTiers = trackers
        options.webSeeds = webSeeds
        metainfo = try TorrentCreator.create(try TorrentContent.scan(dir.path + "/seed/" + root), options: options)
        info = try TorrentInfo(bytes: metainfo)
    }

    /// TCP only: a uTP connection over loopback now and then never gets
    /// past its handshake, and a test would wait for nothing.
    private let settings = loopbackSettings + [("enable_outgoing_utp", "false"), ("enable_incoming_utp", "false")]

    /// A session that seeds the content without checking it.
    public func seeder(_ extra: [(String, String)] = []) throws -> (session: Session, torrent: Torrent, port: Int) {
        let session = try Session(settings: settings + extra)
        var options = AddOptions(savePath: seedPath)
        options.seedMode = true
        let torrent = try session.add(.metainfo(metainfo), options: options)
        sessions.append(session)
        let port = try waitFor("the seeder to listen") { session.listenPort > 0 ? session.listenPort : nil }
        return (session, torrent, port)
    }

    /// A session that fetches into `directory` (under the scratch
    /// directory), from `peers` when given.
    public func leecher(_ directory: String = "leech", peers: [String] = [], extra: [(String, String)] = [],
                 _ adjust: (inout AddOptions) -> Void = { _ in }) throws -> (session: Session, torrent: Torrent) {
        try dir.mkdir(directory)
        let session = try Session(settings: settings + extra)
        sessions.append(session)
        var options = AddOptions(savePath: dir.path + "/" + directory)
        options.peers = peers
        adjust(&options)
        return (session, try session.add(.metainfo(metainfo), options: options))
    }

    /// Whether `directory` holds exactly the seeded bytes.
    public func isComplete(in directory: String) -> Bool {
        files.allSatisfy { path, bytes in
            (try? Array(Data(contentsOf: URL(fileURLWithPath: directory + "/" + path)))) == bytes
        }
    }
}

/// Drains `session`'s events until `match` picks one out, or throws at the deadline.
@discardableResult
public func waitForEvent<T>(_ session: Session, _ what: String, timeout: Double = 30, _ match: (Event) -> T?) throws -> T {
    try waitFor(what, timeout: timeout) { () -> T? in
        for event in try session.events(timeout: 0.1) {
            if let found = match(event) { return found }
        }
        return nil
    }
}

/// Waits for `torrent` to finish, draining `session`'s events.
public func waitUntilFinished(_ session: Session, _ torrent: Torrent, timeout: Double = 60) throws {
    try waitFor("the download to finish", timeout: timeout) { () -> Bool? in
        _ = try session.events(timeout: 0.1)
        return try session.status(torrent).isComplete ? true : nil
    }
}

/// Resume data for `torrent`, asked for and waited on.
public func resumeData(_ session: Session, _ torrent: Torrent) throws -> [UInt8] {
    try session.requestResumeData(torrent)
    return try waitForEvent(session, "resume data") { event -> [UInt8]? in
        if case .resumeData(torrent, _, let data, _) = event { return data }
        return nil
    }
}

/// A helper process (a tracker, a web server): its output goes nowhere, and
/// it is killed and reaped when the object goes, whatever the test did.
public final class Helper {
    public let pid: pid_t

    public init(_ executable: String, _ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw XCTSkip("\(executable) is not installed (make deps installs it)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw TorrentKitError(.io, "cannot start \(executable): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    private var exitStatus: Int32?

    deinit {
        if exitStatus == nil { kill(pid, SIGKILL) }
        _ = wait()
    }

    /// Waits for the process to end; its exit code (or 128 + the signal).
    public func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return exitStatus!
    }

    /// Runs a tool to its end; its exit status.
    public static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        try Helper(executable, arguments).wait()
    }
}

/// Debian's opentracker on 127.0.0.1, serving the whitelisted info-hashes.
public func startOpentracker(_ dir: TemporaryDirectory, hashes: [String]) throws -> (Helper, url: String) {
    let port = freePort()
    // The whitelist is read after opentracker chroots into -d, hence the relative -w.
    try dir.write("tracker/whitelist", bytes: Array(hashes.map { $0 + "\n" }.joined().utf8))
    let tracker = try Helper("/usr/bin/opentracker", ["-i", "127.0.0.1", "-p", "\(port)", "-P", "\(port)",
                                                      "-d", dir.path + "/tracker", "-w", "whitelist"])
    try waitFor("opentracker to listen") { canConnect(port: port) ? true : nil }
    return (tracker, "http://127.0.0.1:\(port)/announce")
}

/// A tmpfs mounted at `path` for the test's length; skips the test where
/// mounting is not allowed.
public func mountTmpfs(_ test: XCTestCase, at path: String, options: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    guard getuid() == 0 else { throw XCTSkip("a tmpfs mount needs root") }
    guard try Helper.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]) == 0 else {
        throw XCTSkip("cannot mount a tmpfs here")
    }
    test.addTeardownBlock { _ = try? Helper.run("/bin/umount", ["-l", path]) }
}
