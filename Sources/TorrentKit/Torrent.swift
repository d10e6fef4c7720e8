/// A torrent in a running Session: a generation-tagged handle that turns
/// stale (TorrentKitError.badHandle) once the torrent is removed.
public struct Torrent: Hashable, Sendable {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
}
