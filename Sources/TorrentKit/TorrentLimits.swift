import CBTX

/// A torrent's own caps; 0 = unlimited throughout. libtorrent keeps them in
/// resume data (see `AddOptions.keepSavedSettings`).
public struct TorrentLimits: Sendable, Equatable {
    /// Bytes per second.
    public var downloadRate: Int64
    public var uploadRate: Int64
    /// Peer connections: 0, or at least 2.
    public var maxConnections: Int
    /// Peers unchoked at once.
    public var maxUploads: Int

    public init(downloadRate: Int64 = 0, uploadRate: Int64 = 0, maxConnections: Int = 0, maxUploads: Int = 0) {
        self.downloadRate = downloadRate
        self.uploadRate = uploadRate
        self.maxConnections = maxConnections
        self.maxUploads = maxUploads
    }
}

extension Session {
    public func limits(_ torrent: Torrent) throws -> TorrentLimits {
        var l = btx_limits()
        try check(btx_torrent_limits(raw, torrent.rawValue, &l))
        return TorrentLimits(downloadRate: l.download_rate, uploadRate: l.upload_rate,
                             maxConnections: Int(l.max_connections), maxUploads: Int(l.max_uploads))
    }

    /// Throws `.invalidArgument` for negative values, rates above 2^31-1
    /// bytes/s and `maxConnections` 1.
    public func setLimits(_ torrent: Torrent, _ limits: TorrentLimits) throws {
        guard let connections = Int32(exactly: limits.maxConnections), let uploads = Int32(exactly: limits.maxUploads) else {
            throw TorrentKitError(.invalidArgument, "a connection cap is out of range")
        }
        var l = btx_limits(download_rate: limits.downloadRate, upload_rate: limits.uploadRate,
                           max_connections: connections, max_uploads: uploads)
        try check(btx_torrent_set_limits(raw, torrent.rawValue, &l))
    }
}
