// The http fuzz target compiles percentEncoded's file into its own module.
#if canImport(TorrentKit)
import TorrentKit
#endif

/// The files `btx serve` offers and where each lives on the server: file N
/// of the torrent at /N/ its path (the path is for the player, which guesses
/// the format from the name; the index alone finds the file), and all of
/// them in an M3U playlist at / and /playlist.m3u.
public struct ServedFiles {
    public struct File {
        public let index: Int
        public let path: String
        public let size: Int64

        public init(index: Int, path: String, size: Int64) {
            self.index = index
            self.path = path
            self.size = size
        }

        public var urlPath: String { "/\(index)/" + path.split(separator: "/").map { percentEncoded(String($0)) }.joined(separator: "/") }
        public var contentType: String { MediaType.of(path: path) }
    }

    public static let playlistPath = "/playlist.m3u"

    public let infoHash: String
    public let name: String
    public let files: [File]

    public init(infoHash: String, name: String, files: [File]) {
        self.infoHash = infoHash
        self.name = name
        self.files = files
    }

    public enum Route: Equatable {
        case playlist
        case file(Int)
        case notFound
    }

    public func route(_ path: String) -> Route {
        if path == "/" || path == Self.playlistPath { return .playlist }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        // Only the canonical form names a file: /0/, never /00/ or /+0/.
        guard let first = segments.first, let index = Int(first), String(index) == first,
              let position = files.firstIndex(where: { $0.index == index })
        else { return .notFound }
        return .file(position)
    }

    /// Extended M3U: a title per entry, then its absolute URL.
    public func playlist(base: String) -> String {
        var text = "#EXTM3U\n"
        for file in files {
            text += "#EXTINF:-1,\(file.path.replacingNewlines)\n\(base)\(file.urlPath)\n"
        }
        return text
    }

    /// Strong and stable: a file of a torrent never changes, so a player's
    /// If-Range always matches, unless it asks about another torrent.
    public func entityTag(_ file: File) -> String { "\"\(infoHash)-\(file.index)\"" }
}

private extension String {
    /// A title in a playlist is one line.
    var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}
