import BTXSession

let allOption = OptionSpec(long: "all", summary: "every torrent")

let pauseCommand = Command(
    name: "pause",
    usage: "pause TORRENT... | --all",
    summary: "pause torrents",
    details: """
        In the running session, or in the saved state when none runs. The pause is saved: the torrent stays \
        paused across restarts until 'btx resume' or 'btx add'.
        """,
    options: [allOption],
    positional: .torrent,
    run: { try steer(.pause, $0) }
)

let resumeCommand = Command(
    name: "resume",
    usage: "resume TORRENT... | --all",
    summary: "resume paused torrents",
    details: "In the running session, or in the saved state when none runs: the next session starts them.",
    options: [allOption],
    positional: .torrent,
    run: { try steer(.resume, $0) }
)

/// Sends `method` for each TORRENT to the running session.
func steer(_ method: ControlMethod, _ invocation: Invocation, _ extra: [(String, JSON)] = []) throws {
    let all = invocation.flag("all")
    if all && !invocation.arguments.isEmpty {
        throw BTXError.usage("--all names every torrent: give no TORRENT with it", command: method.rawValue)
    }
    if !all { try invocation.expectArguments(1) }
    let client = try SessionClient(invocation)
    let replies = all
        ? try client.call(method, [("all", .bool(true))])["torrents"]?.arrayValue ?? []
        : try invocation.arguments.map { try client.call(method, [("torrent", .string($0))] + extra) }
    for reply in replies {
        if invocation.output.json {
            invocation.output.document(.object([("action", .string(method.rawValue))] + (reply.objectFields ?? [])))
        } else {
            invocation.output.line("\(reply["name"]?.stringValue ?? ""): \(method == .remove ? "removed" : method.rawValue + "d")")
        }
    }
}
