import TorrentKit

/// Every torrent with resume data in the state directory, read without a
/// session. Damaged files are reported and skipped, never fatal.
func loadSavedTorrents(_ directory: StateDirectory, includeFiles: Bool = false, output: Output) -> [SavedTorrent] {
    var torrents: [SavedTorrent] = []
    for hash in directory.savedHashes() {
        guard let bytes = directory.loadResumeData(hash) else { continue }
        do {
            torrents.append(try SavedTorrent(resumeData: bytes, includeFiles: includeFiles))
        } catch let error as TorrentKitError {
            output.warning("skipping \(directory.resumePath(hash)): \(error.message)")
        } catch {
            output.warning("skipping \(directory.resumePath(hash)): \(error)")
        }
    }
    // Oldest first, the order they were added in.
    return torrents.sorted { ($0.status.addedTime, $0.status.name) < ($1.status.addedTime, $1.status.name) }
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
    guard includeFiles, let bytes = directory.loadResumeData(chosen.status.infoHash) else { return chosen }
    return try SavedTorrent(resumeData: bytes, includeFiles: true)
}

/// A .torrent path rather than a saved torrent's hash or name: "-", an
/// existing file, or something shaped like a path (so a typo'd path says
/// "No such file" rather than "no torrent matches").
func namesTorrentFile(_ argument: String) -> Bool {
    argument == "-" || argument.hasSuffix(".torrent") || argument.contains("/") || FileIO.exists(argument)
}
