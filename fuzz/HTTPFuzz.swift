// Request heads as btx serve reads them from any client that connects: the
// request line, headers, the Range header against files of several sizes,
// the route and the playlist. Built from only the files it needs.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let head = endOfHead(bytes).map { Array(bytes[..<($0 - 4)]) } ?? bytes
    guard let request = try? HTTPRequest(head: head) else { return 0 }
    _ = request.keepsAlive
    let files = ServedFiles(infoHash: String(repeating: "ab", count: 20), name: "n", files: [
        .init(index: 0, path: "dir/a b.mkv", size: 1000),
        .init(index: 3, path: "dir/\u{E9}t\u{E9}.srt", size: 0),
    ])
    switch files.route(request.path) {
    case .file(let position):
        guard files.files.indices.contains(position) else { fatalError("route to file \(position) of \(files.files.count)") }
    case .playlist, .notFound: break
    }
    for size: Int64 in [0, 1, 1000, Int64.max] {
        if case .partial(let start, let end) = RangeAnswer(header: request.header("range"), size: size) {
            guard start >= 0, start < end, end <= size else { fatalError("range [\(start), \(end)) of \(size) bytes") }
        }
    }
    _ = files.playlist(base: "http://" + (request.header("host") ?? "h"))
    return 0
}
