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
        // Printed once whole: a session that stops answering midway (one
        // loading 100,000 torrents) must not leave half a document in a pipe.
        // Gathered in pieces as they came, not grown in one buffer.
        var pieces: [[UInt8]] = []
        try client.callRaw(.status, statusParams(invocation)) { pieces.append(Array($0)) }
        for piece in pieces { piece.withUnsafeBytes { out.raw($0) } }
        return out.rawLine([0x0A])
    }
    if out.json {
        out.document(.object([("torrents", .array(try statusDocuments(invocation, directory, client).map(\.json)))]))
        return
    }
    // Escaped already: the table's cells, and the lines after it (see statusLines).
    for line in try statusLines(invocation, directory, client) { write(TerminalText.renderedPaint(line) + "\n", to: stdout) }
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
    // Turtle mode holds every torrent to other caps: said under the table.
    var altLine: [String] = []
    if invocation.output.width != nil, let ping = try? client?.call(.ping), ping["alt"]?.boolValue == true {
        let cap = { (key: String) in (ping[key]?.intValue).map { $0 > 0 ? Units.rate($0) : "unlimited" } ?? "unlimited" }
        altLine = ["alternate speeds on: down \(cap("alt_max_down")), up \(cap("alt_max_up"))"
                   + (ping["alt_scheduled"]?.boolValue == true ? " (alt-schedule)" : " ('btx set --alt off' ends it)")]
    }
    // Off a terminal the rows are a script's: no words around them.
    guard !torrents.isEmpty else { return invocation.output.width == nil ? [] : ["no torrents (add one with 'btx add')"] + altLine }
    let running = torrents.contains(where: \.running)
    let labelled = torrents.contains { !$0.settings.labels.isEmpty }
    // The queue holds some back: where each waits is worth a column.
    let queueing = torrents.contains { $0.state == "queued" }
    let out = invocation.output
    // On a narrow terminal the least needed go first; NAME, STATE and DONE stay.
    var columns = [TableColumn("HASH", drop: running ? 5 : 6), TableColumn("NAME", flexible: true)]
    if labelled { columns.append(TableColumn("LABELS", drop: 3)) }
    if queueing { columns.append(TableColumn("POS", numeric: true, drop: 4)) }
    columns += [TableColumn("STATE"), TableColumn("DONE", numeric: true), TableColumn("SIZE", numeric: true, drop: 4)]
    columns += running
        ? [TableColumn("DOWN", numeric: true, drop: 7), TableColumn("UP", numeric: true, drop: 2), TableColumn("PEERS", numeric: true, drop: 1),
           TableColumn("RATIO", numeric: true, drop: 0), TableColumn("ETA", numeric: true, drop: 6)]
        : [TableColumn("DOWNLOADED", numeric: true, drop: 2), TableColumn("UPLOADED", numeric: true, drop: 1),
           TableColumn("RATIO", numeric: true, drop: 5), TableColumn("PATH", flexible: true, drop: 0)]
    let rows: [[TableCell]] = torrents.map { t in
        var row = [TableCell(String(t.infoHash.prefix(8)), raw: t.infoHash), TableCell(t.name)]
        if labelled { row.append(TableCell(t.settings.labels.joined(separator: ","))) }
        if queueing { row.append(TableCell(t.queuePosition.map(String.init) ?? "-", raw: t.queuePosition.map(String.init) ?? "")) }
        // Painted off a terminal only when asked (--color always).
        row += [TableCell(out.state(t.state)),
                TableCell(Units.oneDecimal(t.progress * 100) + "%", raw: String(t.progress)),
                TableCell(t.size.map(Units.bytes) ?? "?", raw: t.size.map(String.init) ?? "")]
        let ratio = TableCell(Units.twoDecimals(t.ratio), raw: String(t.ratio))
        if running {
            return row + [TableCell(Units.rate(t.downloadRate), raw: String(t.downloadRate)),
                          TableCell(Units.rate(t.uploadRate), raw: String(t.uploadRate)), TableCell(t.peers), ratio,
                          TableCell(t.eta.map { Units.duration(seconds: $0) } ?? "-", raw: t.eta.map(String.init) ?? "")]
        }
        return row + [TableCell(Units.bytes(t.downloaded), raw: String(t.downloaded)),
                      TableCell(Units.bytes(t.uploaded), raw: String(t.uploaded)), ratio, TableCell(t.savePath)]
    }
    let table = out.tableLines(columns, rows)
    guard let width = out.width else { return table }
    let maps = torrents.compactMap { t in t.pieceMap.flatMap(PieceMapLines.init).map { (t.name, $0) } }
    let after = torrents.compactMap(streamLine) + maps.flatMap { name, map in (maps.count > 1 ? [name] : []) + map.lines(width: width) }
        + altLine
    return table + after.map(TerminalText.escaped)
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
