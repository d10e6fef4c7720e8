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
        --label shows only the torrents with that label; a LABELS column appears when any torrent has one. \
        Rows are printed as they arrive; on a terminal the first 1,000 size the columns, and a longer name \
        in a later row is cut.
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
            let client = try connectSession(invocation, directory)
            live.show(statusLines(invocation, directory, try statusDocuments(invocation, directory, client),
                                  notes: altSpeedsNote(invocation, client)), toStdout: true)
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
        var document = PassedThroughDocument()
        do {
            try client.callRaw(.status, statusParams(invocation)) { document.take($0) }
        } catch {
            throw document.abandoned(by: error)
        }
        return document.finish()
    }
    if out.json {
        out.document(.object([("torrents", .array(try statusDocuments(invocation, directory, client).map(\.json)))]))
        return
    }
    let print = { (line: String) in write(TerminalText.renderedPaint(line) + "\n", to: stdout) }
    guard let client else {
        return statusLines(invocation, directory, try statusDocuments(invocation, directory, nil)).forEach(print)
    }
    // Rows go out 64 KiB at a time, not a write a line: a terminal's stdout
    // is line-buffered, and 100,000 writes to a tty took a second.
    setvbuf(stdout, nil, _IOFBF, 1 << 16)
    var table = StatusTable(out, named: !invocation.arguments.isEmpty, printingRows: print)
    let parts = try statusParts(invocation, client)
    while let batch = try parts.take() {
        for part in batch {
            switch part {
            case .columns(let columns): table.know(columns)
            case .document(let document): table.add(document)
            }
        }
    }
    table.finish(notes: altSpeedsNote(invocation, client)).forEach(print)
}

private enum StatusPart {
    case columns(StatusTable.Columns)
    case document(TorrentDocument)
}

/// The parts of a session's status, read and parsed on a thread of their
/// own while this one makes them rows: on one thread a table of 100,000
/// took 2.2 s on a terminal, reading and parsing two fifths of it.
private func statusParts(_ invocation: Invocation, _ client: SessionChannel) throws -> Handoff<StatusPart> {
    let parts = Handoff<StatusPart>(ahead: 16)
    try startThread {
        var batch: [StatusPart] = []
        var failure: Error?
        do {
            try streamStatus(invocation, client) { batch.append(.columns($0)) } document: { document in
                batch.append(.document(document))
                guard batch.count == 256 else { return }
                parts.put(batch)
                batch = []
            }
        } catch {
            failure = error
        }
        // The rows that came are shown, then the error if one stopped them.
        parts.put(batch)
        parts.finish(failure)
    }
    return parts
}

/// A session's status, each document handed over as it arrives, after
/// the columns a table of them needs when the session says (one on
/// another machine may not).
private func streamStatus(_ invocation: Invocation, _ client: SessionChannel, columns: (StatusTable.Columns) -> Void,
                          document: (TorrentDocument) -> Void) throws {
    try client.stream(.status, statusParams(invocation) + [("overview", .bool(true))]) { part in
        switch part {
        case .member(key: "overview", let value): StatusTable.Columns(overview: value).map(columns)
        case .item(key: "torrents", let text): document(try TorrentDocument(text: text))
        default: break
        }
    }
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

/// The human table of `torrents`, whole (--watch redraws it, and saved
/// state is read at once).
private func statusLines(_ invocation: Invocation, _ directory: StateDirectory, _ torrents: [TorrentDocument],
                         notes: [String] = []) -> [String] {
    var table = StatusTable(invocation.output, named: !invocation.arguments.isEmpty)
    torrents.forEach { table.add($0) }
    return table.finish(notes: notes)
}

/// Turtle mode holds every torrent to other caps: said under the table.
private func altSpeedsNote(_ invocation: Invocation, _ client: SessionChannel?) -> [String] {
    guard invocation.output.width != nil, let ping = try? client?.call(.ping), ping["alt"]?.boolValue == true else { return [] }
    let cap = { (key: String) in (ping[key]?.intValue).map { $0 > 0 ? Units.rate($0) : "unlimited" } ?? "unlimited" }
    return ["alternate speeds on: down \(cap("alt_max_down")), up \(cap("alt_max_up"))"
            + (ping["alt_scheduled"]?.boolValue == true ? " (alt-schedule)" : " ('btx set --alt off' ends it)")]
}

private func statusParams(_ invocation: Invocation) -> [(String, JSON)] {
    [("torrents", .array(invocation.arguments.map(JSON.string))), ("pieces", .bool(!invocation.arguments.isEmpty))]
        + (invocation.value("label").map { [("label", .string($0))] } ?? [])
}
