import Glibc

/// The session's end of the control socket: newline-delimited JSON requests
/// in, one reply line out for each. Only the session's own user is served;
/// a bad request gets an error reply and never disturbs the session.
final class ControlServer {
    /// A request line longer than this is refused and the connection
    /// closed. An add carries a whole .torrent, which can run to megabytes.
    static let maxRequest = 16 << 20
    private static let maxClients = 64

    private var listenFD: Int32
    private let path: String
    private var buffers: [Int32: [UInt8]] = [:]
    /// Each connection's id: a put-off reply goes to its connection, not to
    /// whoever reuses the descriptor after it closed.
    private var ids: [Int32: UInt64] = [:]
    private var nextID: UInt64 = 1

    /// The caller holds the state lock, so a socket file already there was
    /// left by a session that died: it is replaced.
    init(directory: StateDirectory) throws {
        path = directory.controlSocketPath
        try makeDirectories(directory.runtime, mode: 0o700)
        chmod(directory.runtime, 0o700)
        unlink(path)
        listenFD = try UnixSocket.listen(at: path)
    }

    deinit { close() }

    /// Stops serving at once, before the session's slow shutdown: a command
    /// that comes meanwhile finds no socket rather than one that never answers.
    func close() {
        guard listenFD >= 0 else { return }
        for fd in buffers.keys { Glibc.close(fd) }
        buffers.removeAll()
        Glibc.close(listenFD)
        listenFD = -1
        unlink(path)
    }

    var descriptors: [Int32] { (listenFD >= 0 ? [listenFD] : []) + Array(buffers.keys) }

    /// Accepts, reads and answers whatever is ready among `readable`.
    /// `handle` gets the request and the connection's id; nil means
    /// "answered later with respond(to:with:)".
    func service(readable: Set<Int32>, handle: (JSON, UInt64) -> JSON?) {
        if readable.contains(listenFD) { acceptClients() }
        for fd in Array(buffers.keys) where readable.contains(fd) { read(fd, handle: handle) }
    }

    private func acceptClients() {
        while true {
            let fd = accept(listenFD, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            guard buffers.count < Self.maxClients, UnixSocket.peerUID(fd) == getuid() else {
                Glibc.close(fd)
                continue
            }
            // A client that stops reading must not stall the session.
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            buffers[fd] = []
            ids[fd] = nextID
            nextID += 1
        }
    }

    private func read(_ fd: Int32, handle: (JSON, UInt64) -> JSON?) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard n > 0 else { return drop(fd) }
        let received = chunk[0..<n]
        buffers[fd, default: []] += received
        // Only new bytes can end a line: rescanning the whole buffer would
        // make a long line cost quadratic time.
        guard received.contains(0x0A) else {
            if buffers[fd]!.count > Self.maxRequest {
                _ = send(fd, Self.error("bad_request", "request longer than \(Self.maxRequest) bytes"))
                drop(fd)
            }
            return
        }
        while let newline = buffers[fd]?.firstIndex(of: 0x0A) {
            guard newline <= Self.maxRequest else {
                _ = send(fd, Self.error("bad_request", "request longer than \(Self.maxRequest) bytes"))
                return drop(fd)
            }
            let line = Array(buffers[fd]![..<newline])
            buffers[fd]!.removeSubrange(...newline)
            guard let answer = reply(to: line, client: ids[fd] ?? 0, handle: handle) else { continue }
            guard send(fd, answer) else { return drop(fd) }
        }
    }

    private func reply(to line: [UInt8], client: UInt64, handle: (JSON, UInt64) -> JSON?) -> JSON? {
        guard let text = String(validatingUTF8: line) else { return Self.error("bad_request", "request is not UTF-8") }
        guard let request = try? JSON(parsing: text) else { return Self.error("bad_request", "request is not JSON") }
        guard request["method"]?.stringValue != nil else {
            return Self.error("bad_request", "request needs a \"method\" string")
        }
        return handle(request, client)
    }

    /// Answers a request that was put off; a client gone meanwhile is skipped.
    func respond(to client: UInt64, with reply: JSON) {
        guard let fd = ids.first(where: { $0.value == client })?.key else { return }
        if !send(fd, reply) { drop(fd) }
    }

    /// A reply gets 2 s in all: a client that reads slowly is dropped rather
    /// than holding up the session.
    private func send(_ fd: Int32, _ reply: JSON) -> Bool {
        let bytes = Array((reply.text + "\n").utf8)
        let deadline = monotonicSeconds() + 2
        var offset = 0
        while offset < bytes.count {
            guard monotonicSeconds() < deadline else { return false }
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    private func drop(_ fd: Int32) {
        buffers[fd] = nil
        ids[fd] = nil
        Glibc.close(fd)
    }

    static func error(_ code: String, _ message: String) -> JSON {
        .object([("ok", .bool(false)), ("error", .object([("code", .string(code)), ("message", .string(message))]))])
    }

    static func result(_ value: JSON) -> JSON { .object([("ok", .bool(true)), ("result", value)]) }
}
