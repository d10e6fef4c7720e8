import CBTX

/// How a torrent behaves, beyond running or paused. libtorrent keeps these
/// in resume data (see `AddOptions.keepSavedSettings`).
public struct TorrentFlags: Sendable, Equatable {
    /// Pieces in order.
    public var sequential: Bool
    /// BEP 16 initial seeding, for a seed: libtorrent turns it off on a
    /// torrent that is not one (when set, and when added again).
    public var superSeeding: Bool
    /// Serve pieces, request none (libtorrent's upload mode).
    public var uploadOnly: Bool
    /// Download only what improves the share ratio. Turning it on sets
    /// every file to skip (libtorrent then picks pieces itself); turning it
    /// off does not bring the old file priorities back.
    public var shareMode: Bool
    /// libtorrent's queue starts and stops it.
    public var autoManaged: Bool

    public init(sequential: Bool = false, superSeeding: Bool = false, uploadOnly: Bool = false, shareMode: Bool = false,
                autoManaged: Bool = false) {
        self.sequential = sequential
        self.superSeeding = superSeeding
        self.uploadOnly = uploadOnly
        self.shareMode = shareMode
        self.autoManaged = autoManaged
    }

    private static let bits: [(WritableKeyPath<TorrentFlags, Bool>, Int)] = [
        (\.sequential, BTX_TORRENT_SEQUENTIAL), (\.superSeeding, BTX_TORRENT_SUPER_SEEDING),
        (\.uploadOnly, BTX_TORRENT_UPLOAD_MODE), (\.shareMode, BTX_TORRENT_SHARE_MODE),
        (\.autoManaged, BTX_TORRENT_AUTO_MANAGED),
    ]

    init(bits value: UInt32) {
        self.init()
        for (path, bit) in Self.bits { self[keyPath: path] = value & UInt32(bit) != 0 }
    }

    var bits: UInt32 { Self.bits.reduce(0) { $0 | (self[keyPath: $1.0] ? UInt32($1.1) : 0) } }
    static var allBits: UInt32 { bits.reduce(0) { $0 | UInt32($1.1) } }
}

extension Session {
    public func flags(_ torrent: Torrent) throws -> TorrentFlags {
        var value: UInt32 = 0
        try check(btx_torrent_flags(raw, torrent.rawValue, &value))
        return TorrentFlags(bits: value)
    }

    /// Sets every flag to the value given.
    public func setFlags(_ torrent: Torrent, _ flags: TorrentFlags) throws {
        try check(btx_torrent_set_flags(raw, torrent.rawValue, flags.bits, TorrentFlags.allBits))
    }
}
