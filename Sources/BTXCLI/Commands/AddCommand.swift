import Glibc
import TorrentKit

let addCommand = Command(
    name: "add",
    usage: "add SOURCE... [-o DIR] [--seed]",
    summary: "download torrents: .torrent files, - (stdin), magnet links or info-hashes",
    details: """
        Runs a session in the foreground until every torrent is complete, then exits 0. When a session already \
        runs (btx daemon, or another btx add), the torrents are handed to it and this command follows them to \
        completion; --detach returns at once (and starts a daemon when none runs). \
        With --seed it keeps seeding until interrupted, or until --seed-ratio or --seed-time is reached. \
        Resume data is saved in the state directory every 5 seconds, on completion and on SIGINT/SIGTERM \
        (exit 130/143), so running the same 'btx add' again continues where it stopped without a recheck.

        With --json, stdout carries one JSON event per line: added, listening, metadata, tracker_reply, \
        progress (about once a second per torrent), finished, warning, error and, last, exit.
        """,
    options: [
        OptionSpec(long: "output", short: "o", argument: "DIR", summary: "download into DIR (default: the current directory)", completion: .directory),
        OptionSpec(long: "paused", summary: "add and save the torrents without transferring anything, then exit"),
        OptionSpec(long: "sequential", summary: "download pieces in order"),
        OptionSpec(long: "only", argument: "LIST", summary: "download only these files: indices, ranges (2-5) or globs, comma-separated"),
        OptionSpec(long: "seed", summary: "keep seeding after completion until interrupted"),
        OptionSpec(long: "seed-ratio", argument: "RATIO", summary: "seed until uploaded/size reaches RATIO"),
        OptionSpec(long: "seed-time", argument: "DURATION", summary: "seed for DURATION after completion (90s, 30m, 2h)"),
        OptionSpec(long: "max-down", argument: "RATE", summary: "cap each torrent's download rate, e.g. 5M or 500k (bytes/s)"),
        OptionSpec(long: "max-up", argument: "RATE", summary: "cap each torrent's upload rate"),
        OptionSpec(long: "tracker", short: "t", argument: "URL", summary: "also announce to URL", repeatable: true),
        OptionSpec(long: "peer", argument: "HOST:PORT", summary: "connect to this peer directly", repeatable: true),
        OptionSpec(long: "detach", short: "d", summary: "hand the torrents to the background session (starting one) and return"),
    ] + sessionOptions,
    positional: .file,
    run: runAdd
)

private func runAdd(_ invocation: Invocation) throws {
    try invocation.expectArguments(1)
    guard invocation.arguments.filter({ $0 == "-" }).count <= 1 else {
        throw CLIError.usage("standard input (-) can be read only once", command: "add")
    }
    let plan = try AddPlan(invocation)
    let sources = try invocation.arguments.map(AddSource.resolve)
    let environment = Environment.current()
    let directory = StateDirectory(invocation: invocation, environment: environment)
    let config = try UserConfig.load(directory, output: invocation.output)
    let savePath = absolutePath(invocation.value("output") ?? config["output"] ?? ".")
    let explicitSavePath = invocation.value("output") != nil

    var client = try ControlClient.connect(directory)
    if client == nil && invocation.flag("detach") {
        client = try startDaemon(invocation)
    }
    if let client {
        // A session runs: it takes the torrents, and this command follows them.
        // One request per torrent keeps each well under the socket's line limit.
        var added: [JSON] = []
        for source in sources {
            let reply = try client.call("add", [("sources", .array([source.json]))]
                                            + plan.json(savePath: savePath, explicitSavePath: explicitSavePath))
            added += reply["torrents"]?.arrayValue ?? []
        }
        let reply = JSON.object([("torrents", .array(added))])
        let hashes = added.compactMap { $0["info_hash"]?.stringValue }
        if invocation.flag("detach") || plan.paused {
            reportHandedOver(reply, output: invocation.output)
            return
        }
        return try follow(hashes, seeding: plan.policy.seedForever || plan.policy.hasLimit, client: client,
                          directory: directory, output: invocation.output)
    }

    let configuration = try sessionConfiguration(invocation, config: config, environment: environment)
    let lock = try StateLock(directory: directory)
    let host = try SessionHost(configuration: configuration, directory: directory, output: invocation.output,
                               mode: .foreground)
    for source in sources {
        try host.add(source, plan: plan, savePath: savePath, explicitSavePath: explicitSavePath)
    }
    let outcome = try host.run(untilPaused: plan.paused)
    withExtendedLifetime(lock) {}
    if let failure = outcome.failure { throw failure }
}

private func reportHandedOver(_ reply: JSON, output: Output) {
    for torrent in reply["torrents"]?.arrayValue ?? [] {
        if output.json {
            output.document(.object([("type", .string("added")), ("data", torrent)]))
        } else {
            output.line("\(torrent["name"]?.stringValue ?? ""): handed to the running session")
        }
    }
}

/// Follows torrents handed to a running session until they are complete
/// (or, when `seeding`, until the session says their seeding goal is met);
/// an interrupt stops the following, not the torrents.
private func follow(_ hashes: [String], seeding: Bool, client: ControlClient, directory: StateDirectory,
                    output: Output) throws {
    installInterruptHandlers()
    let live = LiveLines(output: output)
    var finished = Set<String>()
    while true {
        let torrents: [JSON]
        do {
            torrents = try client.call("status", [("torrents", .array(hashes.map(JSON.string)))])["torrents"]?.arrayValue ?? []
        } catch let error as CLIError where error.exitCode == .noSession {
            // A foreground session exits once everything it holds is done,
            // maybe between two looks: its saved state says how it ended.
            live.clear()
            return try settle(hashes.filter { !finished.contains($0) }, directory: directory, output: output)
        }
        for t in torrents {
            let hash = t["info_hash"]?.stringValue ?? ""
            if output.json { output.document(.object([("type", .string("progress")), ("data", t)])) }
            if let error = t["error"]?.stringValue {
                live.clear()
                throw CLIError.failure("\(t["name"]?.stringValue ?? hash): \(error)")
            }
            let complete = ["seeding", "finished"].contains(t["state"]?.stringValue ?? "")
            let reached = seeding ? t["goal_reached"]?.boolValue == true : complete
            if reached && finished.insert(hash).inserted && !output.json {
                live.clear()
                output.line("\(t["name"]?.stringValue ?? hash): complete in \(t["save_path"]?.stringValue ?? "")")
            }
        }
        fflush(stdout)
        if finished.count == hashes.count {
            if output.json { output.document(.object([("type", .string("exit")), ("data", .object([("reason", .string("complete")), ("code", .int(0))]))])) }
            return
        }
        live.show(torrents.filter { !finished.contains($0["info_hash"]?.stringValue ?? "") }.map(progressLine))
        let deadline = monotonicSeconds() + (output.json ? 1.0 : 0.5)
        while monotonicSeconds() < deadline {
            if interruptRequested() {
                live.clear()
                throw CLIError(exitCode: interruptExitCode(), message: "stopped following; the session keeps the torrents")
            }
            usleep(20_000)
        }
    }
}

private func progressLine(_ t: JSON) -> String {
    progressLine(name: t["name"]?.stringValue ?? "", state: t["state"]?.stringValue ?? "",
                 progress: t["progress"]?.doubleValue ?? 0, downloadRate: t["download_rate"]?.intValue ?? 0,
                 uploadRate: t["upload_rate"]?.intValue ?? 0, peers: Int(t["peers"]?.intValue ?? 0),
                 eta: t["eta"]?.intValue)
}

/// The followed torrents' outcome from saved state, after their session ended.
private func settle(_ hashes: [String], directory: StateDirectory, output: Output) throws {
    for hash in hashes {
        guard let bytes = directory.loadResumeData(hash), let saved = try? SavedTorrent(resumeData: bytes),
              saved.status.state == .seeding || saved.status.state == .finished else {
            throw CLIError.failure("the session stopped before \(hash) was complete")
        }
        if output.json {
            output.document(.object([("type", .string("progress")),
                                     ("data", saved.status.json(running: false, state: "complete", goalReached: true))]))
        } else {
            output.line("\(saved.status.name): complete in \(saved.status.savePath)")
        }
    }
    if output.json {
        output.document(.object([("type", .string("exit")), ("data", .object([("reason", .string("complete")), ("code", .int(0))]))]))
    }
}
