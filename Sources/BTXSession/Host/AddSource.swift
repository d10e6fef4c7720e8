import TorrentKit

/// One SOURCE argument of `btx add`, read and identified before any
/// session starts, so a typo fails fast with nothing half-done.
public struct AddSource {
    public let argument: String
    public let source: TorrentSource
    /// Files included for .torrent input; a magnet's come with its metadata.
    public let info: TorrentInfo
    /// The btpk link this version came from, for a daemon to follow.
    public var follows: FollowedLink?
    /// Files found on disk for it (`--reuse-from`), confirmed by its piece
    /// hashes: file index to absolute path.
    public var reusing: [Int: String] = [:]

    public static func resolve(_ argument: String) throws -> AddSource {
        if argument.hasPrefix("magnet:") { return try magnet(argument, shown: argument) }
        // Fetching would mean an HTTP client (TLS, redirects, proxies) for what curl does well.
        let lowered = argument.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), !FileIO.exists(argument) {
            throw BTXError(exitCode: .usage, message: "URLs are not supported: download the .torrent first "
                           + "(e.g. curl -O URL) and add the file")
        }
        let hex = argument.lowercased()
        if (hex.count == 40 || hex.count == 64), hex.allSatisfy(\.isHexDigit), !FileIO.exists(argument) {
            let uri = hex.count == 40 ? "magnet:?xt=urn:btih:\(hex)" : "magnet:?xt=urn:btmh:1220\(hex)"
            return try magnet(uri, shown: argument)
        }
        return try resolveMetainfo(try FileIO.read(argument), shown: argument == "-" ? "standard input" : argument)
    }

    public static func resolveMetainfo(_ bytes: [UInt8], shown: String) throws -> AddSource {
        do {
            let info = try TorrentInfo(bytes: bytes, includeFiles: true)
            return AddSource(argument: shown, source: .metainfo(bytes), info: info)
        } catch let error as TorrentKitError {
            throw BTXError.failure("\(shown) is not a valid torrent: \(error.message)")
        }
    }

    public static func resolveMagnet(_ uri: String) throws -> AddSource { try magnet(uri, shown: uri) }

    private static func magnet(_ uri: String, shown: String) throws -> AddSource {
        do {
            return AddSource(argument: shown, source: .magnet(uri), info: try TorrentInfo(magnet: uri))
        } catch let error as TorrentKitError {
            throw BTXError.failure("\(shown) is not a valid magnet link: \(error.message)")
        }
    }
}
