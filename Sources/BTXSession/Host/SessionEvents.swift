import TorrentKit

/// What a running session tells whoever runs it (`btx add`'s reporter, the
/// daemon's log): the host decides what happened, the observer how to say it.
public protocol SessionObserver: AnyObject {
    func added(_ data: JSON)
    func listening(port: Int)
    func metadata(name: String, infoHash: String, size: Int64)
    func blocklist(_ document: JSON)
    func trackerReply(infoHash: String, peers: Int)
    /// Whether it shows progress: a daemon's log does not, and a daemon of
    /// thousands of torrents would build their documents every second for nothing.
    var showsProgress: Bool { get }
    func progress(_ torrents: [TorrentDocument], now: Double)
    func endProgress()
    func finished(_ status: TorrentStatus, seconds: Double)
    /// `once`: the same text is said only the first time.
    func warning(name: String?, infoHash: String?, _ message: String, once: Bool)
    /// What the swarm did that a user may want to know (an unanswering
    /// tracker, a failed piece): not for a script's stderr.
    func diagnostic(name: String?, infoHash: String?, _ message: String)
    func error(name: String, infoHash: String, _ message: String)
    func summary(_ lines: [(name: String, status: TorrentStatus?, outcome: TorrentOutcome)])
    func exit(reason: String, code: ExitCode)
    /// An --on-complete hook ended.
    func hookFinished(_ result: HookResult)
}

extension SessionObserver {
    func warning(name: String?, infoHash: String?, _ message: String) {
        warning(name: name, infoHash: infoHash, message, once: false)
    }
}

/// An observer says only what it cares about; the rest goes unsaid.
extension SessionObserver {
    public func added(_ data: JSON) {}
    public func listening(port: Int) {}
    public func metadata(name: String, infoHash: String, size: Int64) {}
    public func blocklist(_ document: JSON) {}
    public func trackerReply(infoHash: String, peers: Int) {}
    public var showsProgress: Bool { false }
    public func progress(_ torrents: [TorrentDocument], now: Double) {}
    public func endProgress() {}
    public func finished(_ status: TorrentStatus, seconds: Double) {}
    public func diagnostic(name: String?, infoHash: String?, _ message: String) {}
    public func error(name: String, infoHash: String, _ message: String) {}
    public func summary(_ lines: [(name: String, status: TorrentStatus?, outcome: TorrentOutcome)]) {}
    public func exit(reason: String, code: ExitCode) {}
    public func hookFinished(_ result: HookResult) {}
}

/// How a torrent's run ended, for the closing summary.
public enum TorrentOutcome: Equatable {
    case complete
    case alreadyComplete
    case addedPaused
    case downloaded(bytes: Int64, seconds: Double)
}

/// The `add --json` events whose data both a session and a follower build.
public func streamEvent(_ type: String, _ data: JSON) -> JSON { .object([("type", .string(type)), ("data", data)]) }

/// `resumed`: it continues from saved state.
public func addedEvent(infoHash: String, name: String, savePath: String, resumed: Bool, hasMetadata: Bool) -> JSON {
    .object([("info_hash", .string(infoHash)), ("name", .string(name)), ("save_path", .string(savePath)),
             ("resumed", .bool(resumed)), ("has_metadata", .bool(hasMetadata))])
}

public func finishedEvent(infoHash: String, name: String, size: Int64, wanted: Int64, sessionDownloaded: Int64,
                   seconds: Double) -> JSON {
    .object([("info_hash", .string(infoHash)), ("name", .string(name)), ("size", .int(size)), ("wanted", .int(wanted)),
             ("session_downloaded", .int(sessionDownloaded)), ("seconds", .double(seconds))])
}

public func errorEvent(code: String, message: String, infoHash: String? = nil, name: String? = nil) -> JSON {
    .object([("info_hash", .optional(infoHash)), ("name", .optional(name)), ("code", .string(code)),
             ("message", .string(message))])
}

public func exitEvent(reason: String, code: ExitCode) -> JSON {
    .object([("reason", .string(reason)), ("code", .int(Int(code.rawValue)))])
}

