import TorrentKit

let statusCommand = Command(
    name: "status",
    usage: "status [TORRENT...]",
    summary: "show torrents: state, progress, size, transfer totals, ratio",
    details: """
        Without a running session, reads the saved state: progress comes from the resume data's piece bitfield, \
        and the state is complete, stopped or paused. A TORRENT is named by info-hash, a unique hash prefix \
        (6 hex digits or more) or its exact name.
        """,
    run: runStatus
)

private func runStatus(_ invocation: Invocation) throws {
    let directory = StateDirectory(invocation: invocation)
    let saved = loadSavedTorrents(directory, output: invocation.output)
    let chosen = invocation.arguments.isEmpty
        ? saved.map(\.status)
        : try invocation.arguments.map { try select($0, from: saved, key: \.key).status }
    let out = invocation.output
    if out.json {
        out.document(.object([("torrents", .array(chosen.map(\.savedJSON)))]))
        return
    }
    guard !chosen.isEmpty else {
        out.line("no torrents (add one with 'btx add')")
        return
    }
    out.table(["HASH", "NAME", "STATE", "DONE", "SIZE", "DOWNLOADED", "UPLOADED", "RATIO", "PATH"],
              chosen.map { s in
                  [s.key.shortHash, s.name, s.savedStateWord, Units.oneDecimal(s.progress * 100) + "%",
                   s.hasMetadata ? Units.bytes(s.totalSize) : "?", Units.bytes(s.totalDownloaded),
                   Units.bytes(s.totalUploaded), twoDecimals(s.ratio), s.savePath]
              },
              rightAligned: [3, 4, 5, 6, 7])
}

private func twoDecimals(_ value: Double) -> String {
    let hundredths = Int64((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

extension TorrentStatus {
    /// No session runs it: it is complete, paused by the user, or stopped.
    var savedStateWord: String {
        if isPaused { return "paused" }
        return state == .seeding || state == .finished ? "complete" : "stopped"
    }

    var savedJSON: JSON {
        .object([
            ("info_hash", .string(infoHash)),
            ("info_hash_v1", .optional(infoHashV1)),
            ("info_hash_v2", .optional(infoHashV2)),
            ("name", .string(name)),
            ("state", .string(savedStateWord)),
            ("running", .bool(false)),
            ("paused", .bool(isPaused)),
            ("has_metadata", .bool(hasMetadata)),
            ("progress", .double(progress)),
            ("size", .int(totalSize)),
            ("done", .int(totalDone)),
            ("pieces", .int(pieces)),
            ("pieces_done", .int(piecesDone)),
            ("downloaded", .int(totalDownloaded)),
            ("uploaded", .int(totalUploaded)),
            ("ratio", .double(ratio)),
            ("download_rate", .int(0)),
            ("upload_rate", .int(0)),
            ("peers", .int(0)),
            ("seeds", .int(0)),
            ("eta", .null),
            ("save_path", .string(savePath)),
            ("added_time", .int(addedTime)),
            ("completed_time", completedTime > 0 ? .int(completedTime) : .null),
        ])
    }
}
