import BTXSession
import Glibc
import TorrentKit

let verifyCommand = Command(
    name: "verify",
    usage: "verify TORRENT | verify FILE.torrent DIR",
    summary: "recheck a torrent's files against its piece hashes",
    details: """
        Hashes every piece on disk again, whatever the torrent's state: a paused torrent is checked and stays \
        paused; without a running session the saved torrent is checked on its own, without any network, and its \
        saved state updated. Shows progress while checking, then how many pieces are good, bad (their bytes \
        are on disk but fail their hash) and missing (a file absent or short); --json lists the bad and \
        missing pieces by index. Exits 1 when wanted data is bad or missing (the JSON document says so too: \
        complete is false).
        With a .torrent file and a directory, checks the data in DIR against the file with no session and no \
        saved state: DIR is where the torrent was downloaded to (as with add -o DIR), or the torrent's own \
        folder or file. Every file is listed with its state (good; bad: a piece failed its hash, or the file \
        is longer than the torrent says; missing: not there; incomplete: there, but some of its pieces are \
        missing), then the pieces good, bad and missing; --json lists the bad and missing pieces by index. \
        v1 and hybrid torrents are checked by their SHA-1 pieces, v2 torrents by their SHA-256 piece layers, \
        on every core. Exits 0 only when every piece and every file is good, 1 otherwise.
        """,
    positional: .torrentOrFile,
    run: runVerify
)

private func runVerify(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 2)
    if invocation.arguments.count == 2 {
        try verifyContent(torrent: invocation.arguments[0], directory: invocation.arguments[1], invocation: invocation)
        return
    }
    let query = invocation.arguments[0]
    let directory = StateDirectory(invocation: invocation)
    let live = LiveLines(output: invocation.output)
    installInterruptHandlers()
    let result: TorrentDocument
    let files: [FileDocument]
    if let client = try connectSession(invocation, directory) {
        let started = try client.call(.verify, [("torrent", .string(query))])
        let hash = started["info_hash"]?.stringValue ?? query
        // The session says "checking" from the request until libtorrent's check is over.
        while true {
            guard let torrent = try client.call(.status, [("torrents", .array([.string(hash)]))])
                .documents("torrents", TorrentDocument.init(json:)).first else {
                throw BTXError.notFound("\(hash) was removed while it was checked")
            }
            if !["checking", "resuming"].contains(torrent.state) {
                // Again with its piece map, and its files, to tell bad pieces from missing ones.
                result = try client.call(.status, [("torrents", .array([.string(hash)])), ("pieces", .bool(true))])
                    .documents("torrents", TorrentDocument.init(json:)).first ?? torrent
                files = try client.call(.files, [("torrent", .string(hash))]).documents("files", FileDocument.init(json:))
                break
            }
            live.show(["\(torrent.name)  \(invocation.output.state("checking", onStderr: true))  \(Units.oneDecimal(torrent.progress * 100))%"])
            if interruptRequested() {
                live.clear()
                throw BTXError(exitCode: interruptExitCode(), message: "stopped watching; the session goes on checking")
            }
            usleep(100_000)
        }
    } else {
        let lock = try StateLock(directory: directory)
        let saved = try loadSavedTorrent(query, invocation: invocation, includeFiles: true)
        let status = try checkSavedTorrent(saved, directory: directory) { status in
            live.show(["\(status.name)  \(invocation.output.state("checking", onStderr: true))  \(Units.oneDecimal(status.progress * 100))%"])
        }
        withExtendedLifetime(lock) {}
        var checked = TorrentDocument(status, running: false, state: status.savedStateWord,
                                      settings: directory.savedSettings(status.infoHash, output: invocation.output))
        checked.pieceMap = directory.savedPieceMap(status, pieceLength: saved.info?.pieceLength ?? 0)
        result = checked
        files = (saved.info?.files ?? []).map(FileDocument.init(metainfo:))
    }
    live.clear()
    try report(result, files: files, output: invocation.output)
}

/// "N of M pieces good, B bad, M missing"; exit 1 when wanted bytes are bad or missing.
private func report(_ torrent: TorrentDocument, files: [FileDocument], output: Output) throws {
    let name = torrent.name
    let good = torrent.piecesDone, total = torrent.pieces ?? 0
    let missing = max(0, (torrent.wanted ?? 0) - torrent.done)
    let have = torrent.pieceMap.flatMap { bitfieldBits(hex: $0.bitfield, count: $0.pieces) } ?? []
    let failed = unverifiedPieces(have: have, pieceLength: torrent.pieceMap?.pieceLength ?? 0, files: files,
                                  savePath: torrent.savePath)
    if output.json {
        output.document(.object([("info_hash", .string(torrent.infoHash)), ("name", .string(name)),
                                 ("pieces", .int(total)), ("pieces_done", .int(good)),
                                 ("pieces_bad", .int(failed.bad.count)), ("pieces_missing", .int(failed.missing.count)),
                                 ("bad_pieces", .array(failed.bad.map(JSON.int))), ("missing_pieces", .array(failed.missing.map(JSON.int))),
                                 ("wanted", torrent.wanted.map(JSON.int) ?? .null),
                                 ("done", .int(torrent.done)), ("complete", .bool(missing == 0)),
                                 ("state", .string(torrent.state))]))
    } else {
        output.line("\(name): \(good) of \(total) pieces good, \(failed.bad.count) bad, \(failed.missing.count) missing")
    }
    if missing > 0 {
        throw BTXError(exitCode: .failure, message: "\(name): \(Units.bytes(missing)) of wanted data bad or missing",
                       reported: true)
    }
}
