import Foundation
import TorrentKit

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
