import Glibc

let verifyCommand = Command(
    name: "verify",
    usage: "verify TORRENT",
    summary: "recheck a torrent's files against its piece hashes",
    details: "Needs a running session. Shows progress while checking, then how many pieces are good.",
    run: runVerify
)

private func runVerify(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let client = try requireSession(invocation)
    let query = invocation.arguments[0]
    let started = try client.call("verify", [("torrent", .string(query))])
    let hash = started["info_hash"]?.stringValue ?? query
    let live = LiveLines(output: invocation.output)
    var sawChecking = false
    let deadline = monotonicSeconds() + 3
    while true {
        let torrent = try client.call("status", [("torrents", .array([.string(hash)]))])["torrents"]?.arrayValue?.first ?? .null
        let state = torrent["state"]?.stringValue ?? ""
        let checking = state == "checking" || state == "resuming"
        sawChecking = sawChecking || checking
        // The recheck may be over before the first look, or start a moment later.
        if !checking && (sawChecking || monotonicSeconds() > deadline) {
            live.clear()
            let done = torrent["pieces_done"]?.intValue ?? 0, total = torrent["pieces"]?.intValue ?? 0
            if invocation.output.json {
                invocation.output.document(.object([("info_hash", .string(hash)), ("name", torrent["name"] ?? .null),
                                                    ("pieces", .int(total)), ("pieces_good", .int(done)),
                                                    ("progress", torrent["progress"] ?? .null)]))
            } else {
                invocation.output.line("\(torrent["name"]?.stringValue ?? hash): \(done) of \(total) pieces good")
            }
            return
        }
        live.show(["\(torrent["name"]?.stringValue ?? hash)  checking  \(Units.oneDecimal((torrent["progress"]?.doubleValue ?? 0) * 100))%"])
        usleep(100_000)
    }
}
