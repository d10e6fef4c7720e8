/// How commands reach torrents: the running session over its control
/// socket, or, with none running, the saved state through an offline host
/// (see OfflineHost). Commands that only read saved state read it directly;
/// `isLive` tells them which they got.
public final class SessionClient {
    public let directory: StateDirectory
    private let control: SessionChannel?
    private let warn: (String) -> Void

    public convenience init(directory: StateDirectory, warn: @escaping (String) -> Void) throws {
        try self.init(directory: directory, channel: ControlClient.connect(directory), warn: warn)
    }

    /// `channel`: the running session's (or a remote daemon's); nil for the saved state.
    public init(directory: StateDirectory, channel: SessionChannel?, warn: @escaping (String) -> Void) {
        self.directory = directory
        self.warn = warn
        control = channel
    }

    public var isLive: Bool { control != nil }

    /// Live: the session answers. Otherwise the saved torrent that
    /// `params.torrent` names (all of them when none) is changed offline.
    public func call(_ method: ControlMethod, _ params: [(String, JSON)] = []) throws -> JSON {
        if let control { return try control.call(method, params) }
        let request = method.request(params)
        return try OfflineHost.answer(request, directory: directory, warn: warn)
    }

    /// The running session only: what exists only while one runs (peers, the blocklist).
    public func callLive(_ method: ControlMethod, _ params: [(String, JSON)] = []) throws -> JSON {
        guard let control else {
            throw BTXError(exitCode: .noSession, message: "no btx session is running (start one with 'btx daemon')")
        }
        return try control.call(method, params)
    }

    /// `call`'s result unparsed (see ControlClient.callRaw); nil with no session.
    public func callRaw(_ method: ControlMethod, _ params: [(String, JSON)] = []) throws -> [UInt8]? {
        guard let control else { return nil }
        var bytes: [UInt8] = []
        try control.callRaw(method, params) { bytes.append(contentsOf: $0) }
        return bytes
    }

    public func waitForReplies(upTo seconds: Double) { control?.waitForReplies(upTo: seconds) }
}
