import BTXSession
import TorrentKit

let filesCommand = Command(
    name: "files",
    usage: "files TORRENT|FILE.torrent",
    summary: "list a torrent's files: index, size, progress, priority, path",
    details: """
        On a .torrent file (or - for standard input) no session is needed, like transmission-show. \
        A TORRENT (by hash, hash prefix or name) shows each file's progress and priority: live from the \
        running session, else from its resume data. A saved torrent's name wins over a file of that name \
        which is not a .torrent. Files are numbered from 0, as --only counts them; padding files (BEP 47) \
        are not files here.
        """,
    positional: .torrentOrFile,
    run: runFiles
)

private func runFiles(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let argument = invocation.arguments[0]
    let out = invocation.output
    let (file, ifNotNamed) = try torrentFile(argument, includeFiles: true)
    if let info = file {
        if out.json { return out.document(filesDocument(info.name, info.infoHash, info.files.map(FileDocument.init(metainfo:)))) }
        out.table(["INDEX", "SIZE", "PATH"], info.files.map { [String($0.index), Units.bytes($0.size), $0.path] },
                  rightAligned: [0, 1], flexible: [2])
        return
    }

    let document: JSON = try lookUp(ifNotNamed) {
        if let client = try connectSession(invocation, StateDirectory(invocation: invocation)) {
            return try client.call(.files, [("torrent", .string(argument))])
        }
        let saved = try loadSavedTorrent(argument, invocation: invocation, includeFiles: true)
        guard let info = saved.info else {
            throw BTXError.failure("\(saved.status.infoHash): the metadata has not arrived yet; no file list")
        }
        return filesDocument(info.name, info.infoHash, info.files.map { FileDocument($0) })
    }
    if out.json { return out.document(document) }
    out.table(["INDEX", "SIZE", "DONE", "PRIORITY", "PATH"], try document.documents("files", FileDocument.init(json:)).map { f in
        [String(f.index), Units.bytes(f.size), f.progress.map { Units.oneDecimal($0.fraction * 100) + "%" } ?? "-",
         f.progress?.priority ?? "-", f.path]
    }, rightAligned: [0, 1, 2], flexible: [4])
}

/// `files --json`, live or saved: the same document either way.
func filesDocument(_ name: String, _ infoHash: String, _ files: [FileDocument]) -> JSON {
    .object([("name", .string(name)), ("info_hash", .string(infoHash)), ("files", .array(files.map(\.json)))])
}
