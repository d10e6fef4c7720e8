import CBTX

/// A failure reported by the shim: a stable code and libtorrent's message.
public struct TorrentKitError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Code: Int32, Sendable {
        case invalidArgument = -1
        case badHandle = -2
        case noMemory = -3
        case parse = -4
        case io = -5
        case duplicate = -6
        case noMetadata = -7
        case cancelled = -8
        case `internal` = -9
        /// A tracker or web seed the torrent does not have.
        case notFound = -10
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Turns a btx_* return code into a thrown TorrentKitError; the one place
/// that reads btx_last_error().
@discardableResult
func check(_ rc: Int32) throws -> Int32 {
    guard rc < 0 else { return rc }
    let message = String(cString: btx_last_error())
    throw TorrentKitError(TorrentKitError.Code(rawValue: rc) ?? .internal, message.isEmpty ? "error \(rc)" : message)
}

/// The shim's ABI version must match the header TorrentKit was compiled against;
/// a mismatch would silently misread every struct.
func checkABI() throws {
    let loaded = btx_abi_version()
    guard loaded == BTX_ABI_VERSION else {
        throw TorrentKitError(.internal, "shim ABI version \(loaded) does not match TorrentKit's \(BTX_ABI_VERSION)")
    }
}

/// libtorrent's version, e.g. "2.0.8.0".
public var libtorrentVersion: String { String(cString: btx_libtorrent_version()) }
