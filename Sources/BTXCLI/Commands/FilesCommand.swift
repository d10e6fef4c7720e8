import TorrentKit

let filesCommand = Command(
    name: "files",
    usage: "files TORRENT|FILE.torrent",
    summary: "list a torrent's files: index, size, progress, priority, path",
    details: """
        On a .torrent file (or - for standard input) no session is needed, like transmission-show. \
        A TORRENT (by hash, hash prefix or name) shows each file's progress and priority: live from the \
        running session, else from its resume data. Padding files (BEP 47) are left out.
        """,
    positional: .file,
    run: runFiles
)

private func runFiles(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let argument = invocation.arguments[0]
    let out = invocation.output
    if namesTorrentFile(argument) {
        let info = try loadTorrentFile(argument, includeFiles: true)
        let files = info.files.filter { !$0.isPadding }
        if out.json {
            out.document(filesDocument(info, files.map { file in
                [("index", .int(file.index)), ("path", .string(file.path)), ("size", .int(file.size))]
            }))
            return
        }
        out.table(["INDEX", "SIZE", "PATH"], files.map { [String($0.index), Units.bytes($0.size), $0.path] },
                  rightAligned: [0, 1])
        return
    }

    if let client = try ControlClient.connect(StateDirectory(invocation: invocation)) {
        let reply = try client.call("files", [("torrent", .string(argument))])
        if out.json { return out.document(reply) }
        out.table(["INDEX", "SIZE", "DONE", "PRIORITY", "PATH"], (reply["files"]?.arrayValue ?? []).map { f in
            [String(f["index"]?.intValue ?? 0), Units.bytes(f["size"]?.intValue ?? 0),
             Units.oneDecimal((f["progress"]?.doubleValue ?? 0) * 100) + "%", priorityWord(Int(f["priority"]?.intValue ?? 4)),
             f["path"]?.stringValue ?? ""]
        }, rightAligned: [0, 1, 2])
        return
    }
    let saved = try loadSavedTorrent(argument, invocation: invocation, includeFiles: true)
    guard let info = saved.info else {
        throw CLIError.failure("\(saved.status.infoHash): the metadata has not arrived yet; no file list")
    }
    let files = info.files.filter { !$0.isPadding }
    if out.json {
        out.document(filesDocument(info, files.map { file in
            [("index", .int(file.index)), ("path", .string(file.path)), ("size", .int(file.size)),
             ("downloaded", .int(file.downloaded)), ("progress", .double(file.progress)),
             ("priority", .int(file.priority))]
        }))
        return
    }
    out.table(["INDEX", "SIZE", "DONE", "PRIORITY", "PATH"],
              files.map { [String($0.index), Units.bytes($0.size), Units.oneDecimal($0.progress * 100) + "%",
                           priorityWord($0.priority), $0.path] },
              rightAligned: [0, 1, 2])
}

private func filesDocument(_ info: TorrentInfo, _ files: [[(String, JSON)]]) -> JSON {
    .object([("name", .string(info.name)), ("info_hash", .string(info.infoHash)), ("files", .array(files.map(JSON.object)))])
}

/// libtorrent's 0..7 in the words other clients use.
private func priorityWord(_ priority: Int) -> String {
    switch priority {
    case 0: "skip"
    case 1...3: "low"
    case 4: "normal"
    default: "high"
    }
}
