import TorrentKit

let filesCommand = Command(
    name: "files",
    usage: "files FILE.torrent",
    summary: "list a torrent's files: index, size, path",
    details: "On a .torrent file (or - for standard input) no session is needed, like transmission-show. Padding files (BEP 47) are left out.",
    positional: .file,
    run: runFiles
)

private func runFiles(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let info = try loadTorrentFile(invocation.arguments[0], includeFiles: true)
    let files = info.files.filter { !$0.isPadding }
    let out = invocation.output
    if out.json {
        out.document(.object([
            ("name", .string(info.name)),
            ("info_hash", .string(info.infoHash)),
            ("files", .array(files.map { file in
                .object([("index", .int(file.index)), ("path", .string(file.path)), ("size", .int(file.size))])
            })),
        ]))
        return
    }
    out.table(["INDEX", "SIZE", "PATH"],
              files.map { [String($0.index), Units.bytes($0.size), $0.path] },
              rightAligned: [0, 1])
}
