import BTXSession

let pauseCommand = Command(
    name: "pause",
    usage: "pause TORRENT...",
    summary: "pause torrents",
    details: """
        In the running session, or in the saved state when none runs. The pause is saved: the torrent stays \
        paused across restarts until 'btx resume' or 'btx add'.
        """,
    run: { try steer("pause", $0) }
)

let resumeCommand = Command(
    name: "resume",
    usage: "resume TORRENT...",
    summary: "resume paused torrents",
    details: "In the running session, or in the saved state when none runs: the next session starts them.",
    run: { try steer("resume", $0) }
)

/// Sends `method` for each TORRENT to the running session.
func steer(_ method: String, _ invocation: Invocation, _ extra: [(String, JSON)] = []) throws {
    try invocation.expectArguments(1)
    let client = try SessionClient(invocation)
    for query in invocation.arguments {
        let reply = try client.call(method, [("torrent", .string(query))] + extra)
        if invocation.output.json {
            invocation.output.document(.object([("action", .string(method))] + (reply.objectFields ?? [])))
        } else {
            invocation.output.line("\(reply["name"]?.stringValue ?? query): \(method == "remove" ? "removed" : method + "d")")
        }
    }
}
