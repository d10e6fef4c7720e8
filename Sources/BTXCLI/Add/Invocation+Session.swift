import BTXSession
import Glibc
import TorrentKit

// How the command line's options become the session module's values.

extension StateDirectory {
    init(invocation: Invocation, environment: Environment = .current()) {
        self.init(override: invocation.stateDirectory, environment: environment)
    }

    /// A saved torrent's settings, with warnings on stderr.
    func savedSettings(_ infoHash: String, output: Output) -> TorrentSettings {
        savedSettings(infoHash, warn: output.warning)
    }
}

extension UserConfig {
    /// The directory's config files, with warnings on stderr.
    static func load(_ directory: StateDirectory, output: Output) throws -> UserConfig {
        try load(directory.configPaths, warn: output.warning)
    }
}

/// Every saved torrent, with warnings on stderr.
func loadSavedTorrents(_ directory: StateDirectory, includeFiles: Bool = false, output: Output) -> [SavedTorrent] {
    loadSavedTorrents(directory, includeFiles: includeFiles, warn: output.warning)
}

extension DHTKeyFile {
    static func path(_ invocation: Invocation) -> String {
        invocation.value("key") ?? path(in: StateDirectory(invocation: invocation))
    }
}

/// --incomplete-dir, else the config's incomplete-dir (with `config`),
/// made if missing: one that cannot be written to stops the command before
/// anything is added, not each add later.
func incompleteFolder(_ invocation: Invocation, config: UserConfig?) throws -> String? {
    guard let given = invocation.value("incomplete-dir") ?? config?["incomplete-dir"] else { return nil }
    let path = absolutePath(given)
    do {
        try makeDirectories(path, mode: 0o755)
    } catch let error as BTXError {
        throw BTXError.failure("incomplete-dir: \(error.message)")
    }
    guard access(path, W_OK) == 0 else { throw BTXError.failure("incomplete-dir: \(path) is not writable") }
    return path
}

extension AddPlan {
    /// `config`'s seed-ratio and seed-time are the goal of an add that gives none.
    init(_ invocation: Invocation, config: UserConfig) throws {
        self.init()
        paused = invocation.flag("paused")
        settings.sequential = invocation.flag("sequential")
        only = invocation.value("only").map(FileSelection.init)
        settings.seeding.seedForever = invocation.flag("seed")
        let command = invocation.command.name
        let ratioText = invocation.value("seed-ratio"), timeText = invocation.value("seed-time"), idleText = invocation.value("seed-idle")
        if ratioText != nil || timeText != nil || idleText != nil || invocation.flag("seed") {
            settings.seeding.ratio = try ratioText.map { try parseSeedRatio($0, option: "--seed-ratio", command: command) }
            settings.seeding.seconds = try timeText.map { try parseSeedTime($0, option: "--seed-time", command: command) }
            settings.seeding.idleSeconds = try idleText.map { try parseSeedTime($0, option: "--seed-idle", command: command) }
        } else {
            settings.seeding = config.seedGoal
        }
        for label in invocation.all("label") {
            do { try checkLabel(label) } catch let error as BTXError { throw BTXError.usage("--label: \(error.message)", command: command) }
            if !settings.labels.contains(label) { settings.labels.append(label) }
        }
        settings.maxDown = try invocation.value("max-down").map { try parseRate($0, option: "--max-down") } ?? 0
        settings.maxUp = try invocation.value("max-up").map { try parseRate($0, option: "--max-up") } ?? 0
        trackers = invocation.all("tracker")
        peers = invocation.all("peer")
        onComplete = invocation.value("on-complete")
        incompleteDir = try incompleteFolder(invocation, config: nil)
        reuse = try invocation.value("reuse").map { try ReuseMode(parsing: $0, option: "--reuse") }
        for peer in peers where !isEndpoint(peer) {
            throw BTXError.usage("--peer: '\(peer)' is not IP:PORT or [IPv6]:PORT", command: "add")
        }
    }

}

/// The saved torrent a TORRENT argument names (hash, prefix or name).
func loadSavedTorrent(_ query: String, invocation: Invocation, includeFiles: Bool) throws -> SavedTorrent {
    let directory = StateDirectory(invocation: invocation)
    let chosen = try select(query, from: loadSavedTorrents(directory, output: invocation.output), key: \.key)
    guard includeFiles, let bytes = try directory.loadResumeData(chosen.status.infoHash) else { return chosen }
    return try SavedTorrent(resumeData: bytes, includeFiles: true)
}

/// A TORRENT|FILE.torrent argument read as a .torrent file: "-" or a file
/// that parses as one. Anything else is looked up as a torrent by hash or
/// name, and a saved torrent's name wins over a file of the same name that
/// is not a torrent (its own data file, in the download directory). `ifNotNamed` is
/// the error to give when the lookup finds nothing.
func torrentFile(_ argument: String, includeFiles: Bool) throws -> (info: TorrentInfo?, ifNotNamed: BTXError?) {
    if argument == "-" { return (try loadTorrentFile(argument, includeFiles: includeFiles), nil) }
    // Names and hashes never hold a "/": reading the path gives its error.
    if argument.contains("/") && !FileIO.isRegularFile(argument) { _ = try FileIO.read(argument) }
    if FileIO.isRegularFile(argument) {
        do {
            return (try loadTorrentFile(argument, includeFiles: includeFiles), nil)
        } catch let error as BTXError {
            return (nil, error)
        }
    }
    if FileIO.exists(argument) {
        let what = FileIO.isDirectory(argument) ? "a directory, not a .torrent file" : "not a .torrent file"
        return (nil, .failure("\(argument) is \(what)"))
    }
    if argument.hasSuffix(".torrent") { return (nil, .notFound("\(argument): No such file")) }
    return (nil, nil)
}

/// Runs a lookup by torrent name; when it finds nothing, the path's own error wins.
func lookUp<T>(_ ifNotNamed: BTXError?, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as BTXError where error.exitCode == .notFound {
        throw ifNotNamed ?? error
    }
}

func parseSeedRatio(_ text: String, option: String, command: String) throws -> Double {
    guard let ratio = Double(text), ratio >= 0, ratio.isFinite else {
        throw BTXError.usage("\(option): '\(text)' is not a number like 1.5", command: command)
    }
    return ratio
}

func parseSeedTime(_ text: String, option: String, command: String) throws -> Int64 {
    guard let seconds = Units.parseDuration(text) else {
        throw BTXError.usage("\(option): '\(text)' is not a duration like 90s, 30m or 2h", command: command)
    }
    return seconds
}
