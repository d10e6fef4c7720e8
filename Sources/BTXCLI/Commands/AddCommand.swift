import TorrentKit

let addCommand = Command(
    name: "add",
    usage: "add SOURCE... [-o DIR] [--seed]",
    summary: "download torrents: .torrent files, - (stdin), magnet links or info-hashes",
    details: """
        Runs a session in the foreground until every torrent is complete, then exits 0. \
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
    let config = try UserConfig.load(directory.configPath)
    let configuration = try sessionConfiguration(invocation, config: config, environment: environment)
    let lock = try StateLock(directory: directory)
    let savePath = absolutePath(invocation.value("output") ?? config["output"] ?? ".")

    let run = try ForegroundRun(configuration: configuration, directory: directory, output: invocation.output,
                                policy: plan.policy)
    for source in sources {
        try run.add(source, options: plan.options(savePath: savePath), only: plan.only,
                    explicitSavePath: invocation.value("output") != nil)
    }
    let outcome = try run.run(untilPaused: plan.paused)
    withExtendedLifetime(lock) {}
    if let failure = outcome.failure { throw failure }
}

/// What the options of one `btx add` ask for, validated before anything starts.
private struct AddPlan {
    var paused = false
    var sequential = false
    var only: FileSelection?
    var policy = SeedPolicy()
    var downloadLimit: Int64 = 0
    var uploadLimit: Int64 = 0
    var trackers: [String] = []
    var peers: [String] = []

    init(_ invocation: Invocation) throws {
        paused = invocation.flag("paused")
        sequential = invocation.flag("sequential")
        only = invocation.value("only").map(FileSelection.init)
        policy.seedForever = invocation.flag("seed")
        if let text = invocation.value("seed-ratio") {
            guard let ratio = Double(text), ratio >= 0, ratio.isFinite else {
                throw CLIError.usage("--seed-ratio: '\(text)' is not a number like 1.5", command: "add")
            }
            policy.ratio = ratio
        }
        if let text = invocation.value("seed-time") {
            guard let seconds = Units.parseDuration(text) else {
                throw CLIError.usage("--seed-time: '\(text)' is not a duration like 90s, 30m or 2h", command: "add")
            }
            policy.seconds = seconds
        }
        downloadLimit = try invocation.value("max-down").map { try parseRate($0, option: "--max-down") } ?? 0
        uploadLimit = try invocation.value("max-up").map { try parseRate($0, option: "--max-up") } ?? 0
        trackers = invocation.all("tracker")
        peers = invocation.all("peer")
        for peer in peers where !isEndpoint(peer) {
            throw CLIError.usage("--peer: '\(peer)' is not IP:PORT or [IPv6]:PORT", command: "add")
        }
    }

    func options(savePath: String) -> AddOptions {
        var options = AddOptions(savePath: savePath)
        options.paused = paused
        options.sequential = sequential
        options.downloadLimit = downloadLimit
        options.uploadLimit = uploadLimit
        options.trackers = trackers
        options.peers = peers
        return options
    }
}

/// When a complete torrent is done: at once by default; never with --seed
/// alone; at the ratio or after the time, whichever comes first.
struct SeedPolicy {
    var seedForever = false
    var ratio: Double?
    var seconds: Int64?

    func isMet(ratio current: Double, seededFor elapsed: Double) -> Bool {
        if ratio == nil && seconds == nil { return !seedForever }
        if let ratio, current >= ratio { return true }
        if let seconds, elapsed >= Double(seconds) { return true }
        return false
    }
}

private func isEndpoint(_ text: String) -> Bool {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return false }
    return (1...65535).contains(port) && colon != text.startIndex
}
