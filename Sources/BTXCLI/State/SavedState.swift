import TorrentKit

/// Every torrent with resume data in the state directory, read without a
/// session. Damaged files are reported and skipped, never fatal.
func loadSavedTorrents(_ directory: StateDirectory, includeFiles: Bool = false, output: Output) -> [SavedTorrent] {
    var torrents: [SavedTorrent] = []
    let hashes: [String]
    do {
        hashes = try directory.savedHashes()
    } catch {
        output.warning("cannot list the saved torrents: \(error)")
        return []
    }
    for hash in hashes {
        do {
            guard let bytes = try directory.loadResumeData(hash) else { continue }
            torrents.append(try SavedTorrent(resumeData: bytes, includeFiles: includeFiles))
        } catch let error as CLIError {
            // Read errors name the file already.
            output.warning("skipping saved torrent \(hash): \(error.message)")
        } catch {
            output.warning("skipping saved torrent \(hash): \(directory.resumePath(hash)): \(error)")
        }
    }
    // Oldest first, the order they were added in.
    return torrents.sorted { ($0.status.addedTime, $0.status.name) < ($1.status.addedTime, $1.status.name) }
}

extension StateDirectory {
    /// A saved torrent's settings: its seeding goal; a run's caps and order
    /// are not saved. A damaged goal is warned about and shown as none.
    func savedSettings(_ infoHash: String, output: Output) -> TorrentSettings {
        var settings = TorrentSettings()
        do {
            if let goal = try loadSeedGoal(infoHash) { settings.seeding = SeedPolicy(json: goal) }
        } catch {
            output.warning("ignoring the seeding goal: \(error)")
        }
        return settings
    }
}

extension TorrentStatus {
    var key: TorrentKey { TorrentKey(infoHashV1: infoHashV1, infoHashV2: infoHashV2, name: name) }
}

extension SavedTorrent {
    var key: TorrentKey { status.key }
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
func torrentFile(_ argument: String, includeFiles: Bool) throws -> (info: TorrentInfo?, ifNotNamed: CLIError?) {
    if argument == "-" { return (try loadTorrentFile(argument, includeFiles: includeFiles), nil) }
    // Names and hashes never hold a "/": reading the path gives its error.
    if argument.contains("/") && !FileIO.isRegularFile(argument) { _ = try FileIO.read(argument) }
    if FileIO.isRegularFile(argument) {
        do {
            return (try loadTorrentFile(argument, includeFiles: includeFiles), nil)
        } catch let error as CLIError {
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
func lookUp<T>(_ ifNotNamed: CLIError?, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as CLIError where error.exitCode == .notFound {
        throw ifNotNamed ?? error
    }
}
