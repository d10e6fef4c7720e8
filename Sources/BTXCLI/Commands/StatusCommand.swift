import BTXSession
import Glibc
import TorrentKit

let statusCommand = Command(
    name: "status",
    usage: "status [TORRENT...] [--label LABEL] [--watch[=SECONDS]]",
    summary: "show torrents: state, progress, size, rates, peers, ratio, ETA",
    details: """
        Asks the running session when there is one (live rates, peers, ETA). Without one it reads the saved \
        state: progress comes from the resume data's piece bitfield, and the state is complete, stopped or \
        paused. A TORRENT is named by info-hash, a unique hash prefix (6 hex digits or more) or its exact name. \
        Named torrents also show a piece map (█ done, ▒ partly there or being fetched, ░ missing) and, live, \
        how many peers have each part (▁ few to █ most); their JSON carries it as piece_map: the bitfield and \
        the pieces being fetched as hex (high bit of the first byte is piece 0) and availability per piece. \
        --watch redraws every SECONDS (default 2) on a terminal; with --json it prints one document per tick. \
        --label shows only the torrents with that label; a LABELS column appears when any torrent has one.
        """,
    options: [
        OptionSpec(long: "watch", short: "w", argument: "SECONDS", summary: "refresh every SECONDS (default 2) until interrupted",
                   valueIsOptional: true),
        OptionSpec(long: "label", short: "L", argument: "LABEL", summary: "only the torrents with this label"),
    ],
    positional: .torrent,
    run: runStatus
)

private func runStatus(_ invocation: Invocation) throws {
    let directory = StateDirectory(invocation: invocation)
    guard invocation.flag("watch") || invocation.value("watch") != nil else {
        return try showStatus(invocation, directory)
    }
    let text = invocation.value("watch") ?? "2"
    guard let seconds = Double(text), seconds >= 0.1, seconds.isFinite else {
        throw BTXError.usage("--watch: '\(text)' is not a number of seconds (0.1 or more)", command: "status")
    }
    installInterruptHandlers()
    let live = LiveLines(output: invocation.output)
    while !interruptRequested() {
        if invocation.output.json {
            try showStatus(invocation, directory)
            fflush(stdout)
        } else {
            live.show(try statusLines(invocation, directory, connectSession(invocation, directory)), toStdout: true)
        }
        let deadline = monotonicSeconds() + seconds
        while !interruptRequested() && monotonicSeconds() < deadline { usleep(20_000) }
    }
    // Watching ends only by an interrupt, and says so like any other command.
    throw BTXError(exitCode: interruptExitCode(), message: "stopped watching", reported: true)
}

private func showStatus(_ invocation: Invocation, _ directory: StateDirectory) throws {
    let out = invocation.output
    let client = try connectSession(invocation, directory)
    if out.json, let client {
        try client.callRaw(.status, statusParams(invocation)) { out.raw($0) }
        return out.rawLine([0x0A])
    }
    if out.json {
        out.document(.object([("torrents", .array(try statusDocuments(invocation, directory, client).map(\.json)))]))
        return
    }
    let lines = try statusLines(invocation, directory, client)
    lines.forEach(out.line)
}

/// The torrents asked for, as JSON: live from the session, else saved.
private func statusDocuments(_ invocation: Invocation, _ directory: StateDirectory,
                             _ client: SessionChannel?) throws -> [TorrentDocument] {
    if let client {
        return try client.call(.status, statusParams(invocation)).documents("torrents", TorrentDocument.init(json:))
    }
    let saved = loadSavedTorrents(directory, output: invocation.output)
    let chosen = invocation.arguments.isEmpty ? saved : try invocation.arguments.map { try select($0, from: saved, key: \.key) }
    let label = invocation.value("label")
    return chosen.compactMap { torrent in
        let status = torrent.status
        let failure = directory.loadError(status.infoHash)
        var document = TorrentDocument(status, running: false, state: failure != nil ? "error" : status.savedStateWord,
                                       settings: directory.savedSettings(status.infoHash, output: invocation.output), error: failure)
        if let label, !document.settings.labels.contains(label) { return nil }
        if !invocation.arguments.isEmpty {
            document.pieceMap = directory.savedPieceMap(status, pieceLength: torrent.info?.pieceLength ?? 0)
        }
        return document
    }
}

/// The human table, built from the same documents scripts get.
private func statusLines(_ invocation: Invocation, _ directory: StateDirectory,
                         _ client: SessionChannel?) throws -> [String] {
    let torrents = try statusDocuments(invocation, directory, client)
    guard !torrents.isEmpty else { return ["no torrents (add one with 'btx add')"] }
    let running = torrents.contains(where: \.running)
    let labelled = torrents.contains { !$0.settings.labels.isEmpty }
    let rows: [[String]] = torrents.map { t in
        let done = Units.oneDecimal(t.progress * 100) + "%"
        let common = [String(t.infoHash.prefix(8)), t.name] + (labelled ? [t.settings.labels.joined(separator: ",")] : [])
            + [invocation.output.state(t.state), done, t.size.map(Units.bytes) ?? "?"]
        let ratio = Units.twoDecimals(t.ratio)
        if running {
            let eta = t.eta.map { Units.duration(seconds: $0) } ?? "-"
            return common + [Units.rate(t.downloadRate), Units.rate(t.uploadRate), "\(t.peers)", ratio, eta]
        }
        return common + [Units.bytes(t.downloaded), Units.bytes(t.uploaded), ratio, t.savePath]
    }
    let header = ["HASH", "NAME"] + (labelled ? ["LABELS"] : []) + (running
        ? ["STATE", "DONE", "SIZE", "DOWN", "UP", "PEERS", "RATIO", "ETA"]
        : ["STATE", "DONE", "SIZE", "DOWNLOADED", "UPLOADED", "RATIO", "PATH"])
    // Column numbers past NAME move one to the right with LABELS.
    let shift = labelled ? 1 : 0
    let table = invocation.output.tableLines(header, rows,
                                             rightAligned: Set((running ? [3, 4, 5, 6, 7, 8, 9] : [3, 4, 5, 6, 7]).map { $0 + shift }),
                                             flexible: running ? [1] : [8 + shift, 1])
    let maps = torrents.compactMap { t in t.pieceMap.flatMap(PieceMapLines.init).map { (t.name, $0) } }
    let width = terminalWidth(STDOUT_FILENO)
    return table + torrents.compactMap(streamLine) + maps.flatMap { name, map in (maps.count > 1 ? [name] : []) + map.lines(width: width) }
}

/// "NAME: streaming PATH at 12.0 MiB, 16 pieces ahead": a torrent btx cat or a btx serve client is reading.
private func streamLine(_ t: TorrentDocument) -> String? {
    guard let stream = t.stream else { return nil }
    return "\(t.name): streaming \(stream.path) at \(Units.bytes(stream.offset)), \(stream.windowPieces) pieces ahead"
        + (stream.readers > 1 ? " (\(stream.readers) readers)" : "")
}

private func statusParams(_ invocation: Invocation) -> [(String, JSON)] {
    [("torrents", .array(invocation.arguments.map(JSON.string))), ("pieces", .bool(!invocation.arguments.isEmpty))]
        + (invocation.value("label").map { [("label", .string($0))] } ?? [])
}
