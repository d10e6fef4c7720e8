import BTXSession
import TorrentKit

/// What torrent-get shows of a torrent's metainfo (comment, creator,
/// private flag, piece size), read from its saved resume data, which holds
/// the info dictionary, once per torrent: metainfo never changes.
final class MetainfoFacts {
    struct Facts {
        var comment = ""
        var creator = ""
        var isPrivate = false
        var pieceSize = 0
        var created: Int64 = 0
        var webSeeds: [String] = []
    }

    private let directory: StateDirectory
    private var known: [String: Facts] = [:]

    init(directory: StateDirectory) {
        self.directory = directory
    }

    /// nil until the metadata is there (a magnet) and saved.
    func facts(_ infoHash: String) -> Facts? {
        if let facts = known[infoHash] { return facts }
        guard let bytes = try? directory.loadResumeData(infoHash), let info = try? SavedTorrent(resumeData: bytes).info else {
            return nil
        }
        let facts = Facts(comment: info.comment ?? "", creator: info.creator ?? "", isPrivate: info.isPrivate,
                          pieceSize: info.pieceLength, created: info.creationDate ?? 0, webSeeds: info.webSeeds)
        known[infoHash] = facts
        return facts
    }

    func forget(_ gone: Set<String>) {
        for hash in gone { known[hash] = nil }
    }
}
