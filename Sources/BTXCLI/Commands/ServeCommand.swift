import BTXSession
import Glibc
import TorrentKit

let serveCommand = Command(
    name: "serve",
    usage: "serve TORRENT|SOURCE [FILES] [--listen ADDRESS:PORT] [--print-url]",
    summary: "serve a torrent's files over HTTP as they download, with seeking",
    details: """
        An HTTP/1.1 server for the torrent's files (FILES: indices, paths or globs, as 'btx files' shows \
        them; every file by default) that answers as soon as the requested bytes are downloaded and verified: \
        a player opens the URL and plays while the torrent downloads (mpv "$(btx serve X --print-url)"). \
        Range requests get 206 Partial Content, so players seek; a seek moves the download to the requested \
        pieces at once (piece deadlines, as 'btx cat'), and a client that disconnects takes its deadlines \
        with it. Several clients may read at once. File N is at /N/ followed by its path, and an M3U \
        playlist of them all at / and /playlist.m3u.

        The source is a .torrent file, a magnet link, an info-hash, or the name of a torrent the session has \
        or saved, with add's options. When a session runs (btx daemon, or a btx add) the torrent is handed \
        to it; otherwise serve runs one of its own (whose BitTorrent address is --bt-listen, since --listen \
        is the HTTP one) and saves the torrent's resume data when it stops.

        It prints the URL to open: the file's when one is served, else the playlist's, then each file's. \
        With --json, one document says the same. It serves until SIGINT/SIGTERM (130/143), or until \
        --idle SECONDS pass with no client connected (exit 0). --print-url prints only the URL, once the \
        server listens, and returns while the server goes on in the background; it stops after 60 s with no \
        client unless --idle says otherwise.
        """,
    options: [
        OptionSpec(long: "listen", argument: "ADDRESS:PORT", summary: "HTTP address (default 127.0.0.1 and a free port; PORT alone means 127.0.0.1:PORT)",
                   completion: .format(["127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080"], hint: "ADDRESS:PORT")),
        OptionSpec(long: "print-url", summary: "print the URL, leave the server running in the background, and return"),
        OptionSpec(long: "idle", argument: "SECONDS", summary: "stop after SECONDS with no client connected (default: never; 60 with --print-url)"),
    ] + streamAddOptions + serveSessionOptions,
    positional: .file,
    run: runServe
)

/// A background server with no client for this long stops (--print-url).
private let backgroundIdleSeconds = 60.0

private func runServe(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 2)
    let selection = invocation.arguments.dropFirst().first.map(FileSelection.init(list:))
    let background = invocation.flag("print-url")
    var idleLimit = background ? backgroundIdleSeconds : nil
    if let text = invocation.value("idle") {
        guard let seconds = Units.parseDuration(text), seconds > 0 else {
            throw BTXError.usage("--idle: '\(text)' is not a duration like 60, 90s or 5m", command: "serve")
        }
        idleLimit = Double(seconds)
    }
    let setup = try StreamSetup(invocation)
    // A player that hangs up is an ordinary end: writes fail with EPIPE instead of killing btx.
    signal(SIGPIPE, SIG_IGN)
    // Before anything starts: a port in use is told at once, even for a magnet with no metadata yet.
    let listener = try HTTPListener(invocation.value("listen") ?? "127.0.0.1:0")
    if background { try continueInBackground() }
    // Each connection is a reader on the session's control socket, whichever session that is.
    let connect = { [directory = setup.directory] in try connectToSession(directory) }

    if let client = try ControlClient.connect(setup.directory) {
        let query = try setup.handOver(to: client)
        installInterruptHandlers()
        let channel = SocketChannel(client: client)
        let files = try servedFiles(query, selection) { method, params, wait in
            if wait { try channel.pause() }
            return try channel.ask(method, params)
        }
        let server = try HTTPServer(listener: listener, handler: FileServer(files: files, listener: listener, connect: connect))
        try announce(files, server.baseURL, invocation, background: background)
        try server.start()
        // Until the idle limit, or an interrupt (the pause throws it).
        while idleLimit.map({ server.idleSeconds < $0 }) ?? true { try channel.pause() }
        return
    }
    try setup.runOwnSession { host, query in
        let files = try servedFiles(query, selection) { method, params, wait in
            if wait { try HostChannel(host: host).pause() }
            return try host.call(method, params)
        }
        let server = try HTTPServer(listener: listener, handler: FileServer(files: files, listener: listener, connect: connect))
        try announce(files, server.baseURL, invocation, background: background)
        try server.start()
        while true {
            switch try host.tick(wait: 0.25) {
            case .running, .finished: break
            case .interrupted:
                return SessionHost.Outcome(failure: BTXError(exitCode: interruptExitCode(), message: "interrupted; resume data saved"))
            case .stopped: return SessionHost.Outcome()
            }
            if let idleLimit, server.idleSeconds >= idleLimit { break }
        }
        try host.shutdown()
        return SessionHost.Outcome()
    }
}

/// The files to serve once the torrent's metadata is known (a magnet waits
/// for it). `ask(method, params, wait)` asks the session, letting a moment
/// pass first when `wait` is set.
private func servedFiles(_ query: String, _ selection: FileSelection?,
                         _ ask: (ControlMethod, [(String, JSON)], Bool) throws -> JSON) throws -> ServedFiles {
    var wait = false
    while true {
        let reply = try ask(.status, [("torrents", .array([.string(query)]))], wait)
        wait = true
        guard let torrent = try reply.documents("torrents", TorrentDocument.init(json:)).first else { continue }
        if let error = torrent.error { throw BTXError.failure("\(torrent.name): \(error)") }
        guard torrent.hasMetadata else { continue }
        let infoHash = torrent.infoHash
        let listing = try ask(.files, [("torrent", .string(infoHash))], false)
        let entries = try listing.documents("files", FileDocument.init(json:)).map {
            FileEntry(index: $0.index, path: $0.path, size: $0.size)
        }
        let chosen = try selection.map { try $0.indices(in: entries, option: "FILES", command: "serve") }
        let name = torrent.name
        return ServedFiles(infoHash: infoHash, name: name, files: entries.filter { chosen?.contains($0.index) ?? true }.map {
            ServedFiles.File(index: $0.index, path: $0.path, size: $0.size)
        })
    }
}

/// Says where to point a player: the one URL (--print-url), the URLs, or the JSON document.
private func announce(_ files: ServedFiles, _ base: String, _ invocation: Invocation, background: Bool) throws {
    let main = files.files.count == 1 ? base + files.files[0].urlPath : base + ServedFiles.playlistPath
    if invocation.output.json {
        invocation.output.document(.object([
            ("info_hash", .string(files.infoHash)), ("name", .string(files.name)), ("url", .string(main)),
            ("playlist", .string(base + ServedFiles.playlistPath)),
            ("files", .array(files.files.map { file in
                .object([("index", .int(Int64(file.index))), ("path", .string(file.path)), ("size", .int(file.size)),
                         ("content_type", .string(file.contentType)), ("url", .string(base + file.urlPath))])
            })),
        ]))
    } else {
        invocation.output.line(main)
        if files.files.count > 1 && !background {
            for file in files.files { invocation.output.line(base + file.urlPath) }
        }
    }
    fflush(stdout)
    if background { detachFromCaller() }
}

private func connectToSession(_ directory: StateDirectory) throws -> ControlClient {
    guard let client = try ControlClient.connect(directory) else {
        throw BTXError(exitCode: .noSession, message: "the session has stopped")
    }
    return client
}
