import BTXSession
import Glibc

let eventsCommand = Command(
    name: "events",
    usage: "events [--since ID] [--no-wait] [--json]",
    summary: "follow what happens in the running session, as it happens",
    details: """
        Prints each event of the running session as it happens, until interrupted: added, metadata (a magnet's \
        arrived), state (from, to), file_completed (path), finished, error, moved, removed, tracker_error, \
        blocklist (reloaded), new_version (a followed btpk link named a newer version) and reused (files already on \
        disk placed for a new torrent: files, bytes, made). \
        Each has an id that only grows, also across a daemon's restarts: --since ID prints what came after \
        it first, so a reader that reconnects with the last id it saw misses nothing the session still holds \
        (the last 10,000; a line says when some are gone). --no-wait prints what is held after ID and exits, \
        for a script that looks now and then. With --json, one JSON object a line: id, time, type and data. \
        Needs the running session.
        """,
    options: [
        OptionSpec(long: "since", argument: "ID", summary: "start after event ID (default: from now)"),
        OptionSpec(long: "no-wait", summary: "print what the session holds after ID, then exit"),
    ],
    run: runEvents
)

private func runEvents(_ invocation: Invocation) throws {
    try invocation.expectArguments(0, 0)
    var since: Int64?
    if let text = invocation.value("since") {
        guard let id = Int64(text), id >= 0 else { throw BTXError.usage("--since: '\(text)' is not an event id", command: "events") }
        since = id
    }
    let client = try requireSession(invocation)
    let out = invocation.output
    installInterruptHandlers()
    while !interruptRequested() {
        let once = invocation.flag("no-wait")
        var params: [(String, JSON)] = [("wait", .double(once ? 0 : 0.5))]
        if let since { params.append(("since", .int(since))) }
        let reply = try client.call(.events, params)
        if reply["missed"]?.boolValue == true {
            out.warning("some events after \(since ?? 0) are no longer held: the session keeps the last 10,000")
        }
        for event in reply["events"]?.arrayValue ?? [] {
            if out.json {
                out.document(event)
            } else {
                out.line(eventLine(event))
            }
        }
        fflush(stdout)
        since = reply["next"]?.intValue ?? since
        if once { return }
    }
    throw BTXError(exitCode: interruptExitCode(), message: "stopped following", reported: true)
}

/// "12:00:01  #1733486401000001  finished  ubuntu.iso  size 5.7 GiB".
private func eventLine(_ event: JSON) -> String {
    var seconds = time_t(event["time"]?.intValue ?? 0)
    var local = tm()
    localtime_r(&seconds, &local)
    let two = { (value: Int32) in value < 10 ? "0\(value)" : "\(value)" }
    let clock = "\(two(local.tm_hour)):\(two(local.tm_min)):\(two(local.tm_sec))"
    let data = event["data"] ?? .object([])
    let details = (data.objectFields ?? []).filter { !["info_hash", "name"].contains($0.0) }.compactMap { key, value -> String? in
        switch value {
        case .null: return nil
        case .string(let text): return "\(key) \(text)"
        case .int(let number): return "\(key) \(number)"
        case .double(let number): return "\(key) \(Units.oneDecimal(number))"
        case .bool(let flag): return flag ? key : nil
        default: return nil
        }
    }
    return ([clock, "#\(event["id"]?.intValue ?? 0)", event["type"]?.stringValue ?? "?", data["name"]?.stringValue ?? "-"] + details)
        .joined(separator: "  ")
}
