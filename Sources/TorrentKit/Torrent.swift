/// A torrent in a running Session: a generation-tagged handle that turns
/// stale (TorrentKitError.badHandle) once the torrent is removed.
public struct Torrent: Hashable, Sendable {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Stands for a torrent kept out of the session, the `number`th (from
    /// 1): no slot has index 0, so every session call refuses it as a bad
    /// handle rather than act on another torrent.
    public static func placeholder(_ number: UInt32) -> Torrent { Torrent(rawValue: UInt64(number) << 32) }

    public var isPlaceholder: Bool { rawValue & 0xffff_ffff == 0 }
}
