import BTXSession
import Glibc
import TorrentKit

let removeCommand = Command(
    name: "remove",
    usage: "remove TORRENT... [--delete-data]",
    summary: "remove torrents from the session and the saved state",
    details: "Works on the running session, or on the saved state when none runs. The downloaded files stay unless --delete-data.",
    options: [OptionSpec(long: "delete-data", summary: "also delete the torrent's downloaded files")],
    positional: .torrent,
    run: runRemove
)

private func runRemove(_ invocation: Invocation) throws {
    try invocation.expectArguments(1)
    let deleteData = invocation.flag("delete-data")
    let directory = StateDirectory(invocation: invocation)
    if try connectSession(invocation, directory) != nil {
        return try steer(.remove, invocation, [("delete_data", .bool(deleteData))])
    }
    // No session: the lock keeps one from starting while the files change.
    let lock = try StateLock(directory: directory)
    defer { withExtendedLifetime(lock) {} }
    for query in invocation.arguments {
        let chosen = try loadSavedTorrent(query, invocation: invocation, includeFiles: deleteData)
        if deleteData, let info = chosen.info {
            deleteFiles(info.files.map(\.path), under: chosen.status.savePath)
        }
        directory.removeResumeData(chosen.status.infoHash)
        if let v2 = chosen.status.infoHashV2 { directory.removeResumeData(v2) }
        if invocation.output.json {
            invocation.output.document(.object([("action", .string("remove")), ("info_hash", .string(chosen.status.infoHash)),
                                                ("name", .string(chosen.status.name))]))
        } else {
            invocation.output.line("\(chosen.status.name): removed")
        }
    }
}

/// Deletes the torrent's files, then the folders they leave empty; nothing
/// outside `root` (the torrent's paths are relative and libtorrent refuses "..").
private func deleteFiles(_ paths: [String], under root: String) {
    var folders = Set<String>()
    for path in paths {
        unlink(root + "/" + path)
        var parts = path.split(separator: "/").dropLast()
        while !parts.isEmpty {
            folders.insert(parts.joined(separator: "/"))
            parts = parts.dropLast()
        }
    }
    for folder in folders.sorted(by: { $0.count > $1.count }) { rmdir(root + "/" + folder) }
}
