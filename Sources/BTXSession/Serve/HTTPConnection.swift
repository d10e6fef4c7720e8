import Glibc

/// One client connection of `btx serve`: requests one after another
/// (keep-alive), each file answered with its bytes as the session verifies
/// them, from the requested offset (a seek moves the deadlines at once).
struct HTTPConnection {
    /// A request head longer than this is refused (431).
    static let maxHead = 16 << 10
    /// An idle keep-alive connection is closed after this many milliseconds.
    static let idleTimeout: Int32 = 30_000
    /// A request head, once begun, must be whole within this many seconds,
    /// however slowly its bytes trickle in (a byte every 10 s held a thread).
    static let headTimeout = 10.0
    /// A send that cannot go on for this many seconds ends the connection:
    /// long enough for a paused player to come back to the same one (a
    /// stalled client that others need the room of is closed sooner, see
    /// HTTPServer), short enough that no thread waits forever.
    static let sendTimeout = 300

    let fd: Int32
    let server: HTTPServer
    private var buffer: [UInt8] = []
    /// Opened at the first file request: that is the reader the session sees.
    private var session: ControlClient?

    init(fd: Int32, server: HTTPServer) {
        self.fd = fd
        self.server = server
    }

    mutating func run() {
        while let request = nextRequest() {
            guard answer(request), request.keepsAlive else { return }
        }
    }

    /// The next request head, nil when the connection is over (closed, idle,
    /// or refused for a head btx cannot read).
    private mutating func nextRequest() -> HTTPRequest? {
        var headDeadline = buffer.isEmpty ? nil : monotonicSeconds() + Self.headTimeout
        while true {
            if let end = endOfHead(buffer) {
                let head = Array(buffer[..<(end - 4)])
                buffer.removeFirst(end)
                do {
                    return try HTTPRequest(head: head)
                } catch HTTPRequest.ParseError.unsupportedVersion {
                    Self.refuse(fd, status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are served")
                } catch {
                    Self.refuse(fd, status: 400, reason: "malformed request")
                }
                return nil
            }
            guard buffer.count <= Self.maxHead else {
                Self.refuse(fd, status: 431, reason: "request head over \(Self.maxHead) bytes")
                return nil
            }
            let wait = headDeadline.map { Int32(max(0, ($0 - monotonicSeconds()) * 1000)) } ?? Self.idleTimeout
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard wait > 0, poll(&ready, 1, wait) > 0 else {
                if headDeadline != nil { Self.refuse(fd, status: 408, reason: "the request head took too long") }
                return nil
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = Syscall.retrying { chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
            guard n > 0 else { return nil }
            if headDeadline == nil {
                headDeadline = monotonicSeconds() + Self.headTimeout
                server.progressed(fd)
            }
            buffer += chunk[..<n]
        }
    }

    /// Answers one request; false when the connection must close.
    private mutating func answer(_ request: HTTPRequest) -> Bool {
        guard request.method == "GET" || request.method == "HEAD" else {
            return send(status: 405, headers: [("Allow", "GET, HEAD")], body: "only GET and HEAD are served\n",
                        request: request)
        }
        let files = server.files
        switch files.route(request.path) {
        case .notFound:
            return send(status: 404, headers: [], body: "no such file; the playlist is at \(ServedFiles.playlistPath)\n",
                        request: request)
        case .playlist:
            // The Host a client named, when it is one (a name or address and
            // this server's port): a player on the LAN gets URLs it can
            // reach, and a forged header gets nothing of its own into them.
            let host = request.header("host").flatMap { server.listener.acceptedHost($0) }.map { "http://" + $0 }
                ?? server.baseURL
            return send(status: 200, headers: [("Content-Type", "audio/x-mpegurl; charset=utf-8")],
                        body: files.playlist(base: host), request: request)
        case .file(let position):
            return serve(files.files[position], request)
        }
    }

    private mutating func serve(_ file: ServedFiles.File, _ request: HTTPRequest) -> Bool {
        let tag = server.files.entityTag(file)
        // A Range that depends on another version of the file is not honoured (If-Range).
        let ranged = request.header("if-range").map { $0 == tag } ?? true
        var headers = [("Content-Type", file.contentType), ("Accept-Ranges", "bytes"), ("ETag", tag)]
        let start: Int64, end: Int64, status: Int
        switch ranged ? RangeAnswer(header: request.header("range"), size: file.size) : .whole {
        case .unsatisfiable:
            return send(status: 416, headers: headers + [("Content-Range", "bytes */\(file.size)")], body: "",
                        request: request)
        case .whole:
            (start, end, status) = (0, file.size, 200)
        case .partial(let first, let stop):
            (start, end, status) = (first, stop, 206)
            headers.append(("Content-Range", "bytes \(first)-\(stop - 1)/\(file.size)"))
        }
        headers.append(("Content-Length", String(end - start)))
        if request.method == "HEAD" || start == end {
            return writeHead(status: status, headers: headers, request: request)
        }
        do {
            if session == nil { session = try server.connect() }
            // Asked before the status line goes: a torrent removed meanwhile is a 404, not an empty 200.
            _ = try session?.call(.status, [("torrents", .array([.string(server.files.infoHash)]))])
        } catch let error as BTXError where error.exitCode == .notFound {
            return send(status: 404, headers: [], body: "the torrent is no longer in the session\n", request: request)
        } catch {
            return send(status: 503, headers: [], body: "the session is gone: \(error)\n", request: request)
        }
        guard writeHead(status: status, headers: headers, request: request), let session else { return false }
        var copy = StreamCopy(torrent: server.files.infoHash, file: String(file.index), start: start, end: end, narrow: false)
        copy.output = fd
        copy.wrote = { [server, fd] in server.progressed(fd) }
        do {
            try copy.run(HTTPStreamChannel(client: session, socket: fd))
            return true
        } catch {
            // The status line is gone already: closing is all that says the body is short.
            return false
        }
    }

    private func send(status: Int, headers: [(String, String)], body: String, request: HTTPRequest) -> Bool {
        let bytes = Array(body.utf8)
        var all = headers + [("Content-Length", String(bytes.count))]
        if headers.first(where: { $0.0 == "Content-Type" }) == nil, !bytes.isEmpty {
            all.append(("Content-Type", "text/plain; charset=utf-8"))
        }
        guard writeHead(status: status, headers: all, request: request) else { return false }
        return request.method == "HEAD" || Self.writeAll(fd, bytes)
    }

    private func writeHead(status: Int, headers: [(String, String)], request: HTTPRequest) -> Bool {
        let connection = request.keepsAlive ? "keep-alive" : "close"
        return Self.writeAll(fd, Self.head(status: status, headers: headers + [("Connection", connection)]))
    }

    /// A short answer before any request was read, and the connection closes.
    static func refuse(_ fd: Int32, status: Int, reason: String) {
        let body = Array((reason + "\n").utf8)
        _ = writeAll(fd, head(status: status, headers: [("Content-Type", "text/plain; charset=utf-8"),
                                                        ("Content-Length", String(body.count)), ("Connection", "close")]) + body)
    }

    static func head(status: Int, headers: [(String, String)]) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\nDate: \(httpDate())\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Syscall.sendAll(fd, $0) } == nil
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 206: return "Partial Content"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 416: return "Range Not Satisfiable"
        case 431: return "Request Header Fields Too Large"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}

/// IMF-fixdate, as the Date header wants it.
func httpDate(_ seconds: time_t = time(nil)) -> String {
    var now = seconds
    var parts = tm()
    gmtime_r(&now, &parts)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
        + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
}

/// The session over this connection's own control socket; while it waits
/// for pieces it watches the HTTP client, so one that hung up ends its
/// stream at once rather than at the next write.
struct HTTPStreamChannel: StreamChannel {
    let client: ControlClient
    let socket: Int32

    func ask(_ method: ControlMethod, _ params: [(String, JSON)]) throws -> JSON { try client.call(method, params) }

    func pause() throws {
        var ready = pollfd(fd: socket, events: pollReadHangup, revents: 0)
        if poll(&ready, 1, 50) > 0 && ready.revents & (pollReadHangup | Int16(POLLHUP | POLLERR)) != 0 { throw ReaderGone() }
    }
}

/// POLLRDHUP (Linux): the peer closed its end. Glibc's module leaves it out.
private let pollReadHangup: Int16 = 0x2000
