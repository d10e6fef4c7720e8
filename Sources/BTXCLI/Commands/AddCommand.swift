import BTXSession
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

        With --json, stdout carries one JSON event per line, {"type": T, "data": {...}}, in the same sequence \
        whether this command runs the session or follows one: added, listening, metadata (magnets), progress \
        (about once a second per torrent; its data is the torrent's status --json document), finished, error \
        and, last, exit (reason complete, paused, detached, interrupted or error, and the exit code). \
        tracker_reply, blocklist (the --blocklist it put in force, as 'btx blocklist --json' shows it) and warning \
        come only from the process that runs the session (a daemon logs them). \
        --max-down, --max-up and --sequential apply to this run only; the next run of the torrent starts without them.

        Nothing is written outside DIR: libtorrent cleans the paths a torrent names (no .., no absolute paths, \
        no / inside a name; 'btx files' shows the result), and a torrent whose files would be reached through a \
        symlink in DIR that leads out of it stops with an error naming the link. Links that stay inside DIR are \
        followed, and DIR itself may be one.

        --on-complete CMD (or on-complete in the config file) runs CMD with /bin/sh -c once for each torrent \
        that finishes downloading in this run, with its status --json document on stdin and BTX_INFO_HASH, \
        BTX_NAME and BTX_SAVE_PATH in its environment. Its exit status and stderr are reported (a hook event \
        with --json, a warning when it fails; a daemon logs both). The session never waits for a hook: one \
        still running after on-complete-timeout seconds (config, default 600) is killed with its process \
        group. A finished foreground add waits for its hooks before it exits; a stopped session gives them 2 s.
        """,
    options: [
        OptionSpec(long: "output", short: "o", argument: "DIR", summary: "download into DIR (default: the current directory)", completion: .directory),
        OptionSpec(long: "incomplete-dir", argument: "DIR", summary: "download into DIR, and move the data to -o DIR once complete",
                   completion: .directory),
        OptionSpec(long: "paused", summary: "add and save the torrents without transferring anything, then exit"),
        OptionSpec(long: "sequential", summary: "download pieces in order"),
        OptionSpec(long: "only", argument: "LIST", summary: "download only these files: indices, ranges (2-5) or globs, comma-separated"),
        OptionSpec(long: "seed", summary: "keep seeding after completion until interrupted"),
        OptionSpec(long: "seed-ratio", argument: "RATIO", summary: "seed until uploaded/size reaches RATIO"),
        OptionSpec(long: "seed-idle", argument: "DURATION", summary: "stop seeding once no peer has taken a byte for DURATION",
                   completion: .format(["30m", "2h"], hint: "DURATION")),
        OptionSpec(long: "seed-time", argument: "DURATION", summary: "seed for DURATION after completion (90s, 30m, 2h)",
                   completion: .format(["90s", "30m", "2h"], hint: "DURATION")),
        OptionSpec(long: "label", short: "L", argument: "LABEL", summary: "label the torrents (kept with them; status --label shows them)",
                   repeatable: true),
        OptionSpec(long: "max-down", argument: "RATE", summary: "cap each torrent's download rate, e.g. 5M or 500k (bytes/s)",
                   completion: .format(["500k", "5M"], hint: "RATE in bytes/s")),
        OptionSpec(long: "max-up", argument: "RATE", summary: "cap each torrent's upload rate",
                   completion: .format(["500k", "5M"], hint: "RATE in bytes/s")),
        OptionSpec(long: "tracker", short: "t", argument: "URL", summary: "also announce to URL", repeatable: true),
        OptionSpec(long: "peer", argument: "HOST:PORT", summary: "connect to this peer directly", repeatable: true,
                   completion: .format(["192.0.2.7:6881", "[2001:db8::7]:6881"], hint: "IP:PORT or [IPv6]:PORT")),
        OptionSpec(long: "detach", short: "d", summary: "hand the torrents to the background session (starting one) and return"),
        OptionSpec(long: "on-complete", argument: "CMD", summary: "run CMD (sh -c) when a torrent finishes (status JSON on stdin)"),
        OptionSpec(long: "reuse", argument: "MODE", summary: "how files already on disk are taken: reflink (default), link, copy or off",
                   completion: .words(ReuseMode.allCases.map(\.rawValue))),
        OptionSpec(long: "reuse-from", argument: "DIR", summary: "take the torrent's files from DIR where found (by size, checked by hash)",
                   repeatable: true, completion: .directory),
    ] + sessionOptions,
    positional: .torrentFile,
    streamsEvents: true,
    run: runAdd
)

private func runAdd(_ invocation: Invocation) throws {
    try invocation.expectArguments(1)
    guard invocation.arguments.filter({ $0 == "-" }).count <= 1 else {
        throw BTXError.usage("standard input (-) can be read only once", command: "add")
    }
    let environment = Environment.current()
    let directory = StateDirectory(invocation: invocation, environment: environment)
    let config = try UserConfig.load(directory, output: invocation.output)
    let plan = try AddPlan(invocation, config: config)
    let sources = try findingExistingCopies(try resolvingMutableLinks(invocation.arguments, invocation), invocation, directory,
                                            mode: plan.reuse ?? config.reuse)
    // A reader of the events that goes away (| head) stops the add the way
    // SIGTERM does, resume data saved (StdoutWriter), instead of killing it.
    signal(SIGPIPE, SIG_IGN)
    // A label with a save path of its own (config `category = NAME PATH`) puts its torrents there.
    let labelPath = invocation.all("label").lazy.compactMap { label in config.categories.first { $0.name == label }?.savePath }.first
    let savePath = absolutePath(invocation.value("output") ?? labelPath ?? config["output"] ?? ".")
    let explicitSavePath = invocation.value("output") != nil

    var client: SessionChannel? = try connectSession(invocation, directory)
    if client != nil && invocation.value("blocklist") != nil {
        // Not ignored in silence: the user would believe those peers kept out.
        throw BTXError.usage("--blocklist: a session is already running with its own list; change it with 'btx blocklist --reload FILE'",
                             command: "add")
    }
    if client != nil { try refuseNetworkOptionsForRunningSession(invocation, directory: directory) }
    var startedDaemon: String?
    if client == nil && invocation.flag("detach") {
        let daemon = try startDaemon(invocation)
        let pid = (try? daemon.call(.ping))?["pid"]?.intValue.map { "pid \($0), " } ?? ""
        startedDaemon = "\(pid)log \(directory.logPath); 'btx daemon --stop' stops it"
        client = daemon
    }
    if let client {
        // A session runs: it takes the torrents, and this command follows them.
        // One request per torrent keeps each well under the socket's line limit.
        var added: [JSON] = []
        for source in sources {
            let reply = try client.call(.add, [("sources", .array([source.json]))]
                                            + plan.json(savePath: savePath, explicitSavePath: explicitSavePath))
            added += reply["torrents"]?.arrayValue ?? []
        }
        let following = !invocation.flag("detach") && !plan.paused
        reportHandedOver(added, output: invocation.output, following: following, startedDaemon: startedDaemon)
        if !following {
            if invocation.output.json {
                invocation.output.document(streamEvent("exit", exitEvent(reason: plan.paused ? "paused" : "detached",
                                                                         code: .success)))
            }
            return
        }
        let seeding = plan.settings.seeding.seedForever || plan.settings.seeding.hasLimit
        return try follow(added, seeding: seeding, client: client, directory: directory, output: invocation.output)
    }

    let configuration = try sessionConfiguration(invocation, config: config, environment: environment)
    let lock = try StateLock(directory: directory)
    let outcome = try runSession(of: lock) {
        let host = try SessionHost(configuration: configuration, directory: directory,
                                   observer: AddReporter(output: invocation.output, showsProgress: true),
                                   mode: .foreground, saveInterval: config.saveInterval,
                                   blocklist: blocklistPath(invocation, config: config),
                                   onComplete: config["on-complete"], hookTimeout: config.hookTimeout)
        host.incompleteDir = try incompleteFolder(invocation, config: config)
        host.reuseMode = config.reuse
        for source in sources {
            try host.add(source, plan: plan, savePath: savePath, explicitSavePath: explicitSavePath)
        }
        return try host.run(untilPaused: plan.paused)
    }
    if let failure = outcome.failure { throw failure }
}

/// magnet:?xs=urn:btpk: links (BEP 46) as the magnet of the version their
/// publisher's DHT item names now, looked up before anything is added.
private func resolvingMutableLinks(_ arguments: [String], _ invocation: Invocation) throws -> [AddSource] {
    let links = try arguments.map { try MutableTorrentLink(magnet: $0) }
    guard links.contains(where: { $0 != nil }) else { return try arguments.map(AddSource.resolve) }
    let dht = try CommandDHT(invocation, timeout: 30, lookupOnly: true)
    defer { dht.close() }
    return try zip(arguments, links).map { argument, link in
        guard let link else { return try AddSource.resolve(argument) }
        let item = try dht.get(link.publicKey, salt: link.salt)
        var source = try AddSource.resolveMagnet(link.versionMagnet(fromValue: item.value ?? []))
        // A daemon follows the link from this version on.
        source.follows = FollowedLink(link: argument, seq: item.seq)
        return source
    }
}

/// --reuse-from: each .torrent's files found in those folders, confirmed
/// by its piece hashes here, for the session to place before it checks.
private func findingExistingCopies(_ sources: [AddSource], _ invocation: Invocation, _ directory: StateDirectory,
                                   mode: ReuseMode) throws -> [AddSource] {
    let folders = invocation.all("reuse-from")
    guard !folders.isEmpty else { return sources }
    if invocation.remote != nil {
        throw BTXError.usage("--reuse-from: the folders would be looked for on this machine, not the remote session's", command: "add")
    }
    if mode == .off { throw BTXError.usage("--reuse-from takes files, and --reuse (or the config's reuse) is off", command: "add") }
    for source in sources {
        guard case .metainfo = source.source, source.info.pieceCount > 0 else {
            throw BTXError.usage("--reuse-from: \(source.argument) is a magnet; its files are known only once its metadata comes: "
                                 + "add its .torrent file", command: "add")
        }
    }
    try directory.prepare()
    let out = invocation.output
    installInterruptHandlers()
    let candidates: [Int64: [String]]
    do {
        candidates = try ExistingCopies.survey(folders, sizes: Set(sources.flatMap { $0.info.files.map(\.size) }),
                                               cancelled: interruptRequested)
    } catch let error as BTXError where error.exitCode == .notFound {
        throw BTXError.notFound("--reuse-from: \(error.message)")
    }
    return try sources.map { source in
        guard case .metainfo(let bytes) = source.source else { return source }
        let bar = ProgressBar(output: out, label: "matching")
        defer { bar.finish() }
        var found = source
        do {
            found.reusing = try ExistingCopies.find(for: bytes, files: source.info.files, candidates: candidates, staging: directory.state,
                                                    wholeOnly: mode == .link) { done, total in
                bar.update(done: done, total: total)
                return !interruptRequested()
            }
        } catch let error as TorrentKitError where error.code == .cancelled {
            throw BTXError(exitCode: interruptExitCode(), message: "add interrupted while matching files")
        }
        bar.finish()
        if !out.json && !out.quiet {
            let wanted = source.info.files.filter { $0.size > 0 }
            let bytesFound = wanted.filter { found.reusing[$0.index] != nil }.reduce(Int64(0)) { $0 + $1.size }
            out.line("\(source.info.name): \(found.reusing.count) of \(wanted.count) files found in \(folders.joined(separator: ", ")) "
                     + "(\(Units.bytes(bytesFound)))")
        }
        return found
    }
}

/// The `added` events for torrents a running session took; people are told
/// only when this command returns at once, and told of a daemon it started.
private func reportHandedOver(_ added: [JSON], output: Output, following: Bool, startedDaemon: String?) {
    for torrent in added {
        if output.json {
            output.document(streamEvent("added", torrent))
        } else if !following {
            let session = startedDaemon == nil ? "the running session" : "a daemon started for it"
            output.line("\(torrent["name"]?.stringValue ?? ""): handed to \(session)")
        }
    }
    if let startedDaemon, !output.json, !output.quiet, !following { output.line("the daemon runs in the background (\(startedDaemon))") }
    fflush(stdout)
}

/// Follows torrents handed to a running session until they are complete
/// (or, when `seeding`, until the session says their seeding goal is met),
/// printing the same events a session of its own would; an interrupt stops
/// the following, not the torrents.
private func follow(_ added: [JSON], seeding: Bool, client: SessionChannel, directory: StateDirectory,
                    output: Output) throws {
    let hashes = added.compactMap { $0["info_hash"]?.stringValue }
    installInterruptHandlers()
    let live = LiveLines(output: output)
    let rates = ProgressRates()
    let started = monotonicSeconds()
    func emit(_ type: String, _ data: JSON) {
        guard output.json else { return }
        output.document(streamEvent(type, data))
    }
    if let port = try? client.call(.ping)["port"]?.intValue, port > 0 { emit("listening", .object([("port", .int(port))])) }
    var awaitingMetadata = Set(added.filter { $0["has_metadata"]?.boolValue == false }.compactMap { $0["info_hash"]?.stringValue })
    var finished = Set<String>()
    while true {
        let torrents: [TorrentDocument]
        do {
            torrents = try client.call(.status, [("torrents", .array(hashes.map(JSON.string)))])
                .documents("torrents", TorrentDocument.init(json:))
        } catch let error as BTXError where error.exitCode == .noSession {
            // A foreground session exits once everything it holds is done,
            // maybe between two looks: its saved state says how it ended.
            live.clear()
            return try settle(hashes.filter { !finished.contains($0) }, directory: directory, output: output)
        }
        for t in torrents {
            let hash = t.infoHash
            let name = t.name
            if t.hasMetadata && awaitingMetadata.remove(hash) != nil {
                emit("metadata", .object([("info_hash", .string(hash)), ("name", .string(name)), ("size", t.size.map(JSON.int) ?? .null)]))
            }
            emit("progress", t.json)
            if let error = t.error {
                live.clear()
                emit("error", errorEvent(code: "failed", message: error, infoHash: hash, name: name))
                emit("exit", exitEvent(reason: "error", code: .failure))
                throw BTXError(exitCode: .failure, message: "\(name): \(error)", reported: true)
            }
            let complete = ["seeding", "finished"].contains(t.state)
            if complete && finished.insert(hash).inserted {
                emit("finished", finishedEvent(infoHash: hash, name: name, size: t.size ?? 0, wanted: t.wanted ?? 0,
                                               sessionDownloaded: t.sessionDownloaded, seconds: monotonicSeconds() - started))
                if !output.json {
                    live.clear()
                    output.line("\(name): complete in \(t.savePath)")
                }
            }
        }
        fflush(stdout)
        let reached = torrents.filter { seeding ? $0.goalReached == true : finished.contains($0.infoHash) }
        if reached.count == hashes.count {
            emit("exit", exitEvent(reason: "complete", code: .success))
            return
        }
        let now = monotonicSeconds()
        live.show(torrents.filter { !finished.contains($0.infoHash) }.map { progressLine($0, output: output, rates: rates, now: now) })
        let deadline = monotonicSeconds() + (output.json ? 1.0 : 0.5)
        while monotonicSeconds() < deadline {
            if interruptRequested() {
                live.clear()
                let code = interruptExitCode()
                emit("exit", exitEvent(reason: "interrupted", code: code))
                let why = code == .readerGone ? "the reader of the output went away" : "stopped following"
                throw BTXError(exitCode: code, message: why + "; the session keeps the torrents", reported: true)
            }
            usleep(20_000)
        }
    }
}

/// The followed torrents' outcome from saved state, after their session ended.
private func settle(_ hashes: [String], directory: StateDirectory, output: Output) throws {
    for hash in hashes {
        guard let bytes = try? directory.loadResumeData(hash), let saved = try? SavedTorrent(resumeData: bytes),
              saved.status.state == .seeding || saved.status.state == .finished else {
            throw BTXError.failure("the session stopped before \(hash) was complete")
        }
        if output.json {
            let status = saved.status
            output.document(streamEvent("progress", TorrentDocument(status, running: false, state: "complete",
                                                                    settings: directory.savedSettings(hash, output: output)).json))
            output.document(streamEvent("finished", finishedEvent(infoHash: status.infoHash, name: status.name,
                                                                  size: status.totalSize, wanted: status.totalWanted,
                                                                  sessionDownloaded: 0, seconds: 0)))
        } else {
            output.line("\(saved.status.name): complete in \(saved.status.savePath)")
        }
    }
    if output.json { output.document(streamEvent("exit", exitEvent(reason: "complete", code: .success))) }
}
