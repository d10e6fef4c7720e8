import BTXSession
import Glibc

/// A session's JSON reply passed through to stdout as it arrives, so that
/// a session that stops midway leaves no half document where it can be
/// helped. A reply is held until whole while it is small; past `heldAtMost`
/// (about 20,000 torrents' status) it is written as it comes: holding the
/// 85 MB of 100,000 made its reader wait for all of it before the first
/// byte (0.55 s against 0.375 s into a pipe) and cost the client as much
/// memory. A regular file is then cut back to where the document began if
/// the reply is cut short; a pipe is left with JSON that does not parse,
/// and the error says so.
struct PassedThroughDocument {
    static let heldAtMost = 16 << 20

    private var held: [[UInt8]] = []
    private var heldBytes = 0
    private var passing = false
    /// Where the document began in the regular file stdout is, if it is one.
    private var fileStart: off_t?

    mutating func take(_ bytes: UnsafeRawBufferPointer) {
        if passing { return StdoutWriter.write(bytes) }
        held.append(Array(bytes))
        heldBytes += bytes.count
        guard heldBytes > Self.heldAtMost else { return }
        fileStart = Self.regularFileOffset()
        passing = true
        for piece in held { piece.withUnsafeBytes(StdoutWriter.write) }
        held = []
    }

    /// The whole reply is in: what is held goes out, and a newline ends it.
    func finish() {
        for piece in held { piece.withUnsafeBytes(StdoutWriter.write) }
        [UInt8(0x0A)].withUnsafeBytes(StdoutWriter.write)
    }

    /// The reply was cut short by `error`: the error to show.
    func abandoned(by error: Error) -> Error {
        guard passing else { return error }
        let code = (error as? BTXError)?.exitCode ?? .failure
        let reason = (error as? BTXError)?.message ?? "\(error)"
        let cutBack = fileStart.map { ftruncate(STDOUT_FILENO, $0) == 0 } ?? false
        let left = cutBack ? "the part written was taken out of the file again" : "the JSON printed is cut short"
        return BTXError(exitCode: code, message: "\(reason): its reply stopped midway, and \(left)")
    }

    /// Where the next byte goes in stdout when it is a regular file; nil
    /// for a pipe or a terminal. Appended to, it goes at the end.
    private static func regularFileOffset() -> off_t? {
        fflush(stdout)
        var info = stat()
        guard fstat(STDOUT_FILENO, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        if fcntl(STDOUT_FILENO, F_GETFL) & O_APPEND != 0 { return info.st_size }
        let offset = lseek(STDOUT_FILENO, 0, SEEK_CUR)
        return offset < 0 ? nil : offset
    }
}
