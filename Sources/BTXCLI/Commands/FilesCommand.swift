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
        out.table([TableColumn("INDEX", numeric: true), TableColumn("SIZE", numeric: true), TableColumn("PATH", flexible: true)],
                  info.files.map { [TableCell($0.index), TableCell(Units.bytes($0.size), raw: String($0.size)), TableCell($0.path)] })
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
    let columns = [TableColumn("INDEX", numeric: true), TableColumn("SIZE", numeric: true, drop: 2),
                   TableColumn("DONE", numeric: true), TableColumn("PRIORITY", drop: 1), TableColumn("PATH", flexible: true)]
    out.table(columns, try document.documents("files", FileDocument.init(json:)).map { f in
        [TableCell(f.index), TableCell(Units.bytes(f.size), raw: String(f.size)),
         TableCell(f.progress.map { Units.oneDecimal($0.fraction * 100) + "%" } ?? "-", raw: f.progress.map { String($0.fraction) } ?? ""),
         TableCell(f.progress?.priority ?? "-", raw: f.progress?.priority ?? ""), TableCell(f.path)]
    })
}

/// `files --json`, live or saved: the same document either way.
func filesDocument(_ name: String, _ infoHash: String, _ files: [FileDocument]) -> JSON {
    .object([("name", .string(name)), ("info_hash", .string(infoHash)), ("files", .array(files.map(\.json)))])
}
