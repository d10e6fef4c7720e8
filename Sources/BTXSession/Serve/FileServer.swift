/// `btx serve`'s answers: the playlist, and each file's bytes as the
/// session verifies them, from the requested offset (a seek moves the
/// deadlines at once). Each client connection reads through a control
/// connection of its own, so the session sees every player as one reader
/// with its own deadlines, and drops them when the player goes.
public final class FileServer: HTTPHandler {
    public let files: ServedFiles
    /// What the playlist's URLs start with when the client named no usable Host.
    let baseURL: String
    let acceptedHost: (String) -> String?
    let connect: () throws -> ControlClient

    public init(files: ServedFiles, listener: HTTPListener, connect: @escaping () throws -> ControlClient) {
        self.files = files
        baseURL = listener.baseURL
        acceptedHost = listener.acceptedHost
        self.connect = connect
    }

    public func respond(to request: HTTPRequest, from client: HTTPClient) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .text(405, "only GET and HEAD are served\n", headers: [("Allow", "GET, HEAD")])
        }
        switch files.route(request.path) {
        case .notFound:
            return .text(404, "no such file; the playlist is at \(ServedFiles.playlistPath)\n")
        case .playlist:
            // The Host a client named, when it is one (a name or address and
            // this server's port): a player on the LAN gets URLs it can
            // reach, and a forged header gets nothing of its own into them.
            let base = request.header("host").flatMap(acceptedHost).map { "http://" + $0 } ?? baseURL
            return HTTPResponse(status: 200, headers: [("Content-Type", "audio/x-mpegurl; charset=utf-8")],
                                body: .bytes(Array(files.playlist(base: base).utf8)))
        case .file(let position):
            return serve(files.files[position], request, client)
        }
    }

    private func serve(_ file: ServedFiles.File, _ request: HTTPRequest, _ client: HTTPClient) -> HTTPResponse {
        let tag = files.entityTag(file)
        // A Range that depends on another version of the file is not honoured (If-Range).
        let ranged = request.header("if-range").map { $0 == tag } ?? true
        var headers = [("Content-Type", file.contentType), ("Accept-Ranges", "bytes"), ("ETag", tag)]
        let start: Int64, end: Int64, status: Int
        switch ranged ? RangeAnswer(header: request.header("range"), size: file.size) : .whole {
        case .unsatisfiable:
            return HTTPResponse(status: 416, headers: headers + [("Content-Range", "bytes */\(file.size)")])
        case .whole:
            (start, end, status) = (0, file.size, 200)
        case .partial(let first, let stop):
            (start, end, status) = (first, stop, 206)
            headers.append(("Content-Range", "bytes \(first)-\(stop - 1)/\(file.size)"))
        }
        headers.append(("Content-Length", String(end - start)))
        if request.method == "HEAD" || start == end { return HTTPResponse(status: status, headers: headers) }
        let session: ControlClient
        do {
            session = try (client.attachment as? ControlClient) ?? connect()
            client.attachment = session
            // Asked before the status line goes: a torrent removed meanwhile is a 404, not an empty 200.
            _ = try session.call(.status, [("torrents", .array([.string(files.infoHash)]))])
        } catch let error as BTXError where error.exitCode == .notFound {
            return .text(404, "the torrent is no longer in the session\n")
        } catch {
            client.attachment = nil
            return .text(503, "the session is gone: \(error)\n")
        }
        let body = TorrentFileBody(session: session, torrent: files.infoHash, file: file.index, start: start, end: end)
        return HTTPResponse(status: status, headers: headers, body: .stream(body))
    }
}
