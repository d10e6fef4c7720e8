import BTXSession
import TorrentKit

let infoCommand = Command(
    name: "info",
    usage: "info FILE.torrent|TORRENT",
    summary: "show a torrent's metadata: hashes, pieces, trackers, magnet link",
    details: """
        Reads the .torrent file (or - for standard input), or a saved TORRENT's metadata, without starting a \
        session. Trackers are listed in the file's order, tiers counted from 0 as in --json.
        """,
    positional: .torrentOrFile,
    run: runInfo
)

private func runInfo(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let argument = invocation.arguments[0]
    let (file, ifNotNamed) = try torrentFile(argument, includeFiles: false)
    let info = try file ?? lookUp(ifNotNamed) {
        let saved = try loadSavedTorrent(argument, invocation: invocation, includeFiles: false)
        guard let metainfo = saved.info else {
            throw BTXError.failure("\(saved.status.infoHash): the metadata has not arrived yet")
        }
        return metainfo
    }
    let out = invocation.output
    if out.json {
        out.document(info.document)
        return
    }
    var fields: [(String, String)] = [("name", info.name)]
    if let v1 = info.infoHashV1 { fields.append(("info hash v1", v1)) }
    if let v2 = info.infoHashV2 { fields.append(("info hash v2", v2)) }
    fields += [
        ("size", "\(Units.bytes(info.totalSize)) (\(info.totalSize) bytes)"),
        ("files", String(info.fileCount)),
        ("pieces", "\(info.pieceCount) × \(Units.bytes(Int64(info.pieceLength)))"),
        ("private", info.isPrivate ? "yes" : "no"),
    ]
    let tiers = Dictionary(grouping: info.trackers, by: \.tier).sorted { $0.key < $1.key }
    for (tier, trackers) in tiers {
        fields.append(("tier \(tier)", trackers.map(\.url).joined(separator: " ")))
    }
    for seed in info.webSeeds { fields.append(("web seed", seed)) }
    if let comment = info.comment { fields.append(("comment", comment)) }
    if let creator = info.creator { fields.append(("created by", creator)) }
    if let source = info.source { fields.append(("source", source)) }
    if let date = info.creationDate { fields.append(("created", formatDate(date))) }
    fields.append(("magnet", info.magnetURI))
    out.fields(fields)
}

/// Reads and parses a .torrent file, with errors that name the file.
func loadTorrentFile(_ path: String, includeFiles: Bool) throws -> TorrentInfo {
    let bytes = try FileIO.read(path)
    do {
        return try TorrentInfo(bytes: bytes, includeFiles: includeFiles)
    } catch let error as TorrentKitError {
        throw BTXError.failure("\(path == "-" ? "standard input" : path) is not a valid torrent: \(error.message)")
    }
}
