import BTXSession

let queueCommand = Command(
    name: "queue",
    usage: "queue TORRENT up|down|top|bottom",
    summary: "move a torrent in the download queue",
    details: """
        The queue orders unfinished torrents (position 0 first); with 'btx daemon --max-active-downloads N' \
        only the first N run and the others wait, in state queued. Positions show in 'btx status'. \
        Needs the running session.
        """,
    positional: .torrent,
    run: runQueue
)

private func runQueue(_ invocation: Invocation) throws {
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
