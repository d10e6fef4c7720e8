import CBTX

/// A step in libtorrent's download queue: up is closer to the front.
public enum QueueMove: Sendable {
    case up, down, top, bottom
}

extension Session {
    /// 0 = first in line; nil when not queued (complete, or not auto-managed).
    public func queuePosition(_ torrent: Torrent) throws -> Int? {
        var position: Int32 = -1
        try check(btx_torrent_queue_position(raw, torrent.rawValue, &position))
        return position >= 0 ? Int(position) : nil
    }

    public func queue(_ torrent: Torrent, _ move: QueueMove) throws {
        let code: btx_queue_move
        switch move {
        case .up: code = BTX_QUEUE_UP
        case .down: code = BTX_QUEUE_DOWN
        case .top: code = BTX_QUEUE_TOP
        case .bottom: code = BTX_QUEUE_BOTTOM
        }
        try check(btx_torrent_queue_move(raw, torrent.rawValue, Int32(code.rawValue)))
    }

    /// Puts a queued torrent at `position` (0: first in line; past the end: last).
    public func queue(_ torrent: Torrent, to position: Int) throws {
        try check(btx_torrent_queue_set(raw, torrent.rawValue, Int32(clamping: position)))
    }

    /// Stops every torrent at once. Their own paused flags stay as they
    /// are, so `resumeSession` restarts exactly those that ran.
    public func pauseSession() throws { try check(btx_session_pause(raw)) }
    public func resumeSession() throws { try check(btx_session_resume(raw)) }

    public var isSessionPaused: Bool {
        var paused: Int32 = 0
        return (try? check(btx_session_is_paused(raw, &paused))) != nil && paused != 0
    }
}
