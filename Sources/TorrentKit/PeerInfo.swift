import CBTX

public struct PeerInfo: Sendable, Equatable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let weAreInterested = Flags(rawValue: UInt32(BTX_PEER_WE_INTERESTED))
        public static let theyChokeUs = Flags(rawValue: UInt32(BTX_PEER_THEY_CHOKE_US))
        public static let theyAreInterested = Flags(rawValue: UInt32(BTX_PEER_THEY_INTERESTED))
        public static let weChokeThem = Flags(rawValue: UInt32(BTX_PEER_WE_CHOKE_THEM))
        public static let seed = Flags(rawValue: UInt32(BTX_PEER_SEED))
        public static let encrypted = Flags(rawValue: UInt32(BTX_PEER_ENCRYPTED))
        public static let utp = Flags(rawValue: UInt32(BTX_PEER_UTP))
        /// They connected to us.
        public static let incoming = Flags(rawValue: UInt32(BTX_PEER_INCOMING))
    }

    public let address: String
    public let client: String
    public let flags: Flags
    public let progress: Double
    public let downloadRate: Int64
    public let uploadRate: Int64
    public let totalDownloaded: Int64
    public let totalUploaded: Int64

    init(_ p: btx_peer) {
        address = string(fromTuple: p.address)
        client = string(fromTuple: p.client)
        flags = Flags(rawValue: p.flags)
        progress = p.progress
        downloadRate = p.download_rate
        uploadRate = p.upload_rate
        totalDownloaded = p.total_downloaded
        totalUploaded = p.total_uploaded
    }
}
