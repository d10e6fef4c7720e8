import BTXSession
import Glibc
import TorrentKit

let exportCommand = Command(
    name: "export",
    usage: "export TORRENT [-o FILE.torrent | -] [--force]",
    summary: "write a torrent's .torrent file, also for one added by magnet",
    details: """
        Writes the metadata btx keeps for TORRENT (its info dictionary byte for byte, so the same info-hash, \
        with its trackers, web seeds and, for v2, piece layers) to FILE, by default NAME.torrent in the \
        current folder, or to standard output with -o -. A torrent added by magnet can be exported once its \
        metadata has arrived. Reads the saved state; with a running session, waits a moment for metadata \
        that has just arrived to be saved. An existing FILE is replaced only with --force.
        """,
    options: [
        OptionSpec(long: "output", short: "o", argument: "FILE", summary: "write to FILE (- for stdout)", completion: .file),
        OptionSpec(long: "force", short: "f", summary: "replace FILE if it exists"),
    ],
    positional: .torrent,
    run: runExport
)

private func runExport(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let out = invocation.output
    let destination = invocation.value("output")
    if destination == "-" && out.json {
        throw BTXError.usage("-o - writes the torrent to standard output: leave out --json", command: "export")
    }
    let directory = StateDirectory(invocation: invocation)
    let saved = try loadSavedTorrent(invocation.arguments[0], invocation: invocation, includeFiles: false)
    let bytes = try exportedTorrent(saved, directory: directory, live: try connectSession(invocation, directory))
    let info = try TorrentInfo(bytes: bytes)
    guard let destination, destination == "-" else {
        let path = destination ?? safeFileName(info.name) + ".torrent"
        try FileIO.writeAtomically(bytes, to: path, replace: invocation.flag("force"), mode: 0o644)
        if out.json {
            var document = info.document
            if case .object(let fields) = document { document = .object([("path", .string(absolutePath(path)))] + fields) }
            return out.document(document)
        }
        return out.line("\(info.name): written to \(path) (info-hash \(info.infoHash))")
    }
    bytes.withUnsafeBytes { StdoutWriter.write($0) }
}

/// The .torrent a saved torrent's resume data holds. A magnet's metadata
/// that the running session has but has not saved yet (it saves it as it
/// arrives) is waited for a few seconds.
private func exportedTorrent(_ saved: SavedTorrent, directory: StateDirectory, live: SessionChannel?) throws -> [UInt8] {
    let hash = saved.status.infoHash
    let deadline = monotonicSeconds() + 5
    while true {
        guard let resume = try directory.loadResumeData(hash) else { throw BTXError.notFound("\(hash): no saved state") }
        do {
            return try SavedTorrent.torrentFile(resumeData: resume)
        } catch let error as TorrentKitError where error.code == .noMetadata {
            let arrived = try live?.call(.status, [("torrents", .array([.string(hash)]))])
                .documents("torrents", TorrentDocument.init(json:)).first?.hasMetadata == true
            guard arrived, monotonicSeconds() < deadline else {
                throw BTXError.failure("\(saved.status.name): the metadata has not arrived yet; nothing to export")
            }
            usleep(100_000)
        } catch let error as TorrentKitError {
            throw BTXError.failure("\(saved.status.name): \(error.message)")
        }
    }
}

/// A torrent's name as one file name: no slash, not "." or "..", not empty.
private func safeFileName(_ name: String) -> String {
    let cleaned = String(name.map { $0 == "/" || $0 == "\0" ? "_" : $0 })
    return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? "torrent" : cleaned
}
