import BTXSession
import Glibc
import TorrentKit

let catCommand = Command(
    name: "cat",
    usage: "cat TORRENT|SOURCE [FILE] [--range START-END]",
    summary: "write a file of a torrent to stdout as it downloads, in order",
    details: """
        Writes one file's bytes to standard output in order, as soon as they are downloaded and verified: \
        pipe it into a player (btx cat X.torrent | mpv -) or any tool. FILE is an index, a path or a glob \
        naming one file (see 'btx files'); a torrent of one file needs none. The source is a .torrent file, \
        a magnet link, an info-hash, or the name of a torrent the session has or saved.

        The next pieces to write get deadlines, so they come first: a read-ahead window of about four \
        seconds at the measured download rate (at least 4 pieces, at most 64 MiB), which 'btx status' \
        shows while it lasts. The rest of the torrent downloads as usual. --range START-END (bytes, END \
        included, as in HTTP; START- for the rest of the file; sizes like 10M allowed) writes only that \
        part and downloads only its pieces.

        When a session runs (btx daemon, or a btx add), the torrent is handed to it, which then streams, and \
        cat reads the file as the session verifies it; the torrent stays in the session afterwards. Otherwise \
        cat runs a session of its own, with add's options, and saves the torrent's resume data when it exits: \
        after the last byte, when the reader closes the pipe (btx cat X | head -c 1000 exits 0), or on \
        SIGINT/SIGTERM (130/143).

        With --json the bytes are not written: cat waits until the range is verified on disk and prints \
        where it is (the file's absolute path, the range), for a reader that opens the file itself.
        """,
    options: [
        OptionSpec(long: "range", argument: "START-END", summary: "write only these bytes of the file (END included; START- to the end)"),
    ] + streamAddOptions + sessionOptions,
    positional: .file,
    run: runCat
)

private func runCat(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 2)
    let (start, end) = try invocation.value("range").map(parseByteRange) ?? (0, nil)
    let setup = try StreamSetup(invocation)
    // A closed pipe is an ordinary end (| head): write returns EPIPE instead of killing btx.
    signal(SIGPIPE, SIG_IGN)

    if let client = try ControlClient.connect(setup.directory) {
        let query = try setup.handOver(to: client)
        installInterruptHandlers()
        do {
            try report(streamCopy(invocation, query, start, end).run(SocketChannel(client: client)), from: start, invocation)
        } catch is ReaderGone {
            _ = try? client.call(.streamEnd)
        }
        return
    }
    try setup.runOwnSession { host, query in
        do {
            try report(streamCopy(invocation, query, start, end).run(HostChannel(host: host)), from: start, invocation)
        } catch is ReaderGone {}
        try host.shutdown()
        return SessionHost.Outcome()
    }
}

private func streamCopy(_ invocation: Invocation, _ query: String, _ start: Int64, _ end: Int64?) -> StreamCopy {
    var copy = StreamCopy(torrent: query, file: invocation.arguments.dropFirst().first, start: start, end: end,
                          narrow: invocation.value("range") != nil)
    if invocation.output.json { copy.output = nil }
    return copy
}

/// --json: where the verified range is.
private func report(_ reply: JSON, from start: Int64, _ invocation: Invocation) {
    guard invocation.output.json else { return }
    let fields = ["info_hash", "name", "file", "path", "size"].map { ($0, reply[$0] ?? .null) }
    invocation.output.document(.object(fields + [("offset", .int(start)), ("end", reply["end"] ?? .null)]))
}

/// START-END (END included, as HTTP ranges are) or START-: the first byte
/// and the end (exclusive), sizes like 10M allowed.
func parseByteRange(_ text: String) throws -> (Int64, Int64?) {
    let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    func bad() -> BTXError { .usage("--range: '\(text)' is not START-END or START- (bytes, END included)", command: "cat") }
    guard parts.count == 2, let start = Units.parseSize(parts[0]) else { throw bad() }
    if parts[1].isEmpty { return (start, nil) }
    guard let last = Units.parseSize(parts[1]), last >= start else { throw bad() }
    return (start, last + 1)
}

/// The session's chatter goes to stderr: stdout carries the file.
final class StreamReporter: SessionObserver {
    let output: Output
    init(output: Output) { self.output = output }

    func warning(name: String?, infoHash: String?, _ message: String, once: Bool) {
        output.warning(name.map { "\($0): \(message)" } ?? message)
    }
    func error(name: String, infoHash: String, _ message: String) {
        write(TerminalText.rendered("btx: \(name): \(message)") + "\n", to: stderr)
    }
}
