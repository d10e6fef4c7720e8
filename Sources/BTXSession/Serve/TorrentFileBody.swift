import Glibc

/// A file's bytes [offset, end) as the session verifies them: each time the
/// verified part runs out, a `stream` request asks for more (which also
/// moves the piece deadlines to where the reader is), and the bytes are
/// read from the file on disk.
final class TorrentFileBody: HTTPBodySource {
    private let session: ControlClient
    private let torrent: String
    private let file: Int
    private var offset: Int64
    private let end: Int64
    /// Verified bytes from `offset` on, known from the last answer.
    private var available: Int64 = 0
    private var source: Int32 = -1
    /// Pieces arrive in the session's own time: a twentieth of a second
    /// costs a 4 MiB piece at 80 MB/s nothing, and saves the session work.
    private static let retry = 0.05

    init(session: ControlClient, torrent: String, file: Int, start: Int64, end: Int64) {
        self.session = session
        self.torrent = torrent
        self.file = file
        offset = start
        self.end = end
    }

    deinit { if source >= 0 { close(source) } }

    func next(max: Int) -> HTTPBodyChunk {
        if offset >= end { return finished() }
        if available == 0 {
            let params: [(String, JSON)] = [("torrent", .string(torrent)), ("file", .string(String(file))),
                                            ("offset", .int(offset)), ("end", .int(end)), ("range", .bool(false))]
            guard let reply = try? session.call(.stream, params), reply["error"]?.stringValue == nil else { return .failed }
            guard reply["has_metadata"]?.boolValue == true, let path = reply["path"]?.stringValue,
                  let stop = reply["end"]?.intValue else { return .later(Self.retry) }
            if offset >= stop { return finished() }
            available = reply["available"]?.intValue ?? 0
            guard available > 0 else { return .later(Self.retry) }
            if source < 0 {
                source = open(path, O_RDONLY | O_CLOEXEC)
                guard source >= 0 else { return .failed }
            }
        }
        var buffer = [UInt8](repeating: 0, count: Int(min(Int64(max), available)))
        let n = Syscall.retrying { buffer.withUnsafeMutableBytes { pread(source, $0.baseAddress, $0.count, off_t(offset)) } }
        guard n >= 0 else { return .failed }
        guard n > 0 else {
            // Verified but not on disk yet (libtorrent writes after the hash check passes): next round.
            available = 0
            return .later(Self.retry)
        }
        buffer.removeLast(buffer.count - n)
        offset += Int64(n)
        available -= Int64(n)
        return .bytes(buffer)
    }

    /// The session forgets this reader's deadlines; its connection stays for the next request.
    private func finished() -> HTTPBodyChunk {
        _ = try? session.call(.streamEnd, [])
        return .end
    }
}
