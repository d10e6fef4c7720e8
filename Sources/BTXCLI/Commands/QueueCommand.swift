import BTXSession

let queueCommand = Command(
    name: "queue",
    usage: "queue [TORRENT up|down|top|bottom]",
    summary: "show the download queue, or move a torrent in it",
    details: """
        The queue orders unfinished torrents (position 0 first); with 'btx daemon --max-active-downloads N' \
        only the first N run and the others wait, in state queued. With no arguments, lists the queue in \
        order; with a torrent and a move, moves it there. Positions show in 'btx status' too. \
        Needs the running session.
        """,
    positional: .torrent,
    run: runQueue
)

private func runQueue(_ invocation: Invocation) throws {
    if invocation.arguments.isEmpty { return try listQueue(invocation) }
    try invocation.expectArguments(2, 2)
    let move = invocation.arguments[1].lowercased()
    guard ["up", "down", "top", "bottom"].contains(move) else {
        throw BTXError.usage("'\(invocation.arguments[1])' is not up, down, top or bottom", command: "queue")
    }
    let reply = try SessionClient(invocation).callLive(.queue, [("torrent", .string(invocation.arguments[0])),
                                                                  ("move", .string(move))])
    if invocation.output.json { return invocation.output.document(reply) }
    let position = reply["queue_position"]?.intValue.map { "position \($0)" } ?? "not queued (complete)"
    invocation.output.line("\(reply["name"]?.stringValue ?? ""): \(position)")
}

/// Every torrent with a place in the queue, first first.
private func listQueue(_ invocation: Invocation) throws {
    let torrents = try SessionClient(invocation).callLive(.status).documents("torrents", TorrentDocument.init(json:))
        .compactMap { torrent in torrent.queuePosition.map { ($0, torrent) } }
        .sorted { $0.0 < $1.0 }
    let out = invocation.output
    if out.json {
        return out.document(.object([("torrents", .array(torrents.map { position, torrent in
            .object([("info_hash", .string(torrent.infoHash)), ("name", .string(torrent.name)),
                     ("queue_position", .int(position)), ("state", .string(torrent.state))])
        }))]))
    }
    guard !torrents.isEmpty else { return out.width == nil ? () : out.line("the queue is empty: every torrent is complete") }
    out.table([TableColumn("POS", numeric: true), TableColumn("STATE"), TableColumn("NAME", flexible: true)],
              torrents.map { [TableCell($0.0), TableCell(out.state($0.1.state)), TableCell($0.1.name)] })
}
