import TorrentKit

/// One reader of one file (a `btx cat`, a `btx serve` connection): the
/// bytes it wants next get piece deadlines, so they come before the rest.
/// A stream lives while its reader keeps asking (see SessionHost+Stream).
final class ActiveStream {
    let torrent: Torrent
    let file: FileEntry
    /// Where the reader is, and where it stops, in bytes of the file.
    var offset: Int64
    var end: Int64
    var windowPieces = 0
    var renewedAt: Double
    /// --range: only the pieces of [offset, end) are downloaded while it lasts.
    var narrowed = false
    /// When its torrent's --peer endpoints were last dialled for it.
    var dialledAt = -Double.infinity
    /// Its torrent was taken out of the download queue for it, to go back in line when it ends.
    var leftQueue = false

    init(torrent: Torrent, file: FileEntry, offset: Int64, end: Int64, now: Double) {
        self.torrent = torrent
        self.file = file
        self.offset = offset
        self.end = end
        renewedAt = now
    }

    /// The pieces holding [offset, end) of the file.
    func pieces(pieceLength: Int) -> ClosedRange<Int>? {
        guard end > offset, pieceLength > 0 else { return nil }
        let length = Int64(pieceLength)
        return Int((file.offset + offset) / length)...Int((file.offset + end - 1) / length)
    }
}

/// How far ahead of the reader pieces get deadlines: four seconds at the
/// measured rate, at least four pieces (a slow start still asks for more
/// than the piece being read), at most 64 MiB (a fast swarm does not turn
/// a stream into a whole-torrent rush).
enum ReadAhead {
    static let seconds: Int64 = 4
    static let minimumPieces = 4
    static let maximumBytes: Int64 = 64 << 20

    static func pieces(rate: Int64, pieceLength: Int) -> Int {
        let length = Int64(max(pieceLength, 1))
        let bytes = min(max(rate * seconds, length * Int64(minimumPieces)), maximumBytes)
        return max(minimumPieces, Int((bytes + length - 1) / length))
    }

    /// The deadline of the `position`-th piece of the window: all of them
    /// soon, in reading order. libtorrent hurries only pieces due within
    /// about a second (its average piece time and a margin); later ones go
    /// to its ordinary rarest-first picker, which at one slow peer scatters
    /// the window over many half-done pieces (measured: 2-3 s gaps).
    static func deadline(position: Int) -> Int { position * 10 }
}
