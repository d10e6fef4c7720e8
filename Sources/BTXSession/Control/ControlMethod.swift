/// The methods a session answers on its control socket, for its clients
/// and its server alike: a method misspelt on either side fails to compile.
/// A request is `{"method": M, "params": {...}}`; a reply
/// `{"ok": true, "result": R}` or `{"ok": false, "error": {"code", "message"}}`.
public enum ControlMethod: String, CaseIterable, Sendable {
    case ping
    case status
    case files
    case peers
    case trackers
    case add
    case pause
    case resume
    case verify
    case remove
    case set
    case queue
    case move
    /// A file or folder inside a torrent: `path` to `new_path`, both relative to the save path.
    case rename
    case stream
    case streamEnd = "stream_end"
    case blocklist
    case blocklistReload = "blocklist_reload"
    /// The session's own caps: `max_down`, `max_up` (bytes/s, 0 none) to change them; the caps in force back.
    case sessionRates = "session_rates"
    case dhtGet = "dht_get"
    case dhtPut = "dht_put"
    /// What happened after `since` (an event id; none: from now), waiting up to `wait` seconds for some.
    case events
    case stop

    public func request(_ params: [(String, JSON)]) -> JSON {
        .object([("method", .string(rawValue)), ("params", .object(params))])
    }
}
