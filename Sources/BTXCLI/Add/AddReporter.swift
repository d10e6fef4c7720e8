import Glibc
import BTXSession
import TorrentKit

/// Everything `btx add` tells the user: newline-delimited JSON events on
/// stdout with --json; otherwise live progress lines on a TTY's stderr and a
/// summary on stdout.
final class AddReporter: SessionObserver {
    private let output: Output
    private let live: LiveLines
    private let rates = ProgressRates()
    private var lastProgress = -Double.infinity
    private var warned = Set<String>()
    private var ports = Set<Int>()

    /// A daemon logs events, but not progress ticks.
    let showsProgress: Bool

    init(output: Output, showsProgress: Bool = true) {
        self.output = output
        self.showsProgress = showsProgress
        live = LiveLines(output: output)
    }

    /// JSON progress about once a second; a TTY redraws twice as often.
    private var progressInterval: Double { output.json ? 1.0 : 0.5 }

    private func event(_ type: String, _ fields: [(String, JSON)]) { event(type, .object(fields)) }

    private func event(_ type: String, _ data: JSON) {
        output.document(streamEvent(type, data))
        fflush(stdout)
    }

    func added(_ data: JSON) {
        guard output.json else { return }
        event("added", data)
    }

    func listening(port: Int) {
        // IPv4 and IPv6 sockets share the port; say it once.
        guard output.json, ports.insert(port).inserted else { return }
        event("listening", [("port", .int(port))])
    }

    func metadata(name: String, infoHash: String, size: Int64) {
        guard output.json else { return }
        event("metadata", [("info_hash", .string(infoHash)), ("name", .string(name)), ("size", .int(size))])
    }

    /// The blocklist a session put in force (JSON only: people hear of bad lines as warnings).
    func blocklist(_ document: JSON) {
        guard output.json else { return }
        event("blocklist", document)
    }

    func trackerReply(infoHash: String, peers: Int) {
        guard output.json else { return }
        event("tracker_reply", [("info_hash", .string(infoHash)), ("peers", .int(peers))])
    }

    /// `torrents`: the progress events' data.
    func progress(_ torrents: [TorrentDocument], now: Double) {
        guard showsProgress, now - lastProgress >= progressInterval else { return }
        lastProgress = now
        if output.json {
            for torrent in torrents { event("progress", torrent.json) }
        } else {
            live.show(torrents.map { progressLine($0, output: output, rates: rates, now: now) })
        }
    }

    func endProgress() { live.clear() }

    func finished(_ status: TorrentStatus, seconds: Double) {
        guard output.json else { return }
        event("finished", finishedEvent(infoHash: status.infoHash, name: status.name, size: status.totalSize,
                                        wanted: status.totalWanted, sessionDownloaded: status.sessionDownloaded,
                                        seconds: seconds))
    }

    func warning(name: String?, infoHash: String?, _ message: String, once: Bool) {
        let text = name.map { "\($0): \(message)" } ?? message
        if once {
            guard !warned.contains(text) else { return }
            warned.insert(text)
        }
        if output.json {
            event("warning", [("info_hash", .optional(infoHash)), ("message", .string(message))])
        } else {
            live.clear()
            output.warning(text)
        }
    }

    /// What the swarm did that a user may want to know (a tracker that does
    /// not answer, a piece that failed its hash): said once each, in the
    /// JSON stream or on a terminal, never into a script's stderr.
    func diagnostic(name: String?, infoHash: String?, _ message: String) {
        guard output.json || output.showsProgress else { return }
        warning(name: name, infoHash: infoHash, message, once: true)
    }

    /// JSON only: for humans, failures are the command's error message.
    func error(name: String, infoHash: String, _ message: String) {
        guard output.json else { return }
        event("error", errorEvent(code: "failed", message: message, infoHash: infoHash, name: name))
    }

    /// One line per torrent on stdout (humans only; JSON has had its events).
    func summary(_ lines: [(name: String, status: TorrentStatus?, outcome: TorrentOutcome)]) {
        guard !output.json else { return }
        for line in lines {
            let place = line.status.map { " in \($0.savePath)" } ?? ""
            output.line("\(line.name): \(text(line.outcome))\(place)")
        }
    }

    private func text(_ outcome: TorrentOutcome) -> String {
        switch outcome {
        case .complete: "complete"
        case .alreadyComplete: "already complete"
        case .addedPaused: "added paused"
        case .downloaded(let bytes, let seconds):
            "downloaded \(Units.bytes(bytes)) in \(Units.oneDecimal(seconds))s (\(Units.rate(Int64(Double(bytes) / seconds))))"
        }
    }

    func hookFinished(_ result: HookResult) {
        if output.json {
            return event("hook", [("info_hash", .string(result.infoHash)), ("name", .string(result.name)),
                                  ("command", .string(result.command)),
                                  ("exit_code", result.exitCode.map { .int(Int($0)) } ?? .null),
                                  ("signal", result.signal.map { .int(Int($0)) } ?? .null),
                                  ("timed_out", .bool(result.timedOut)), ("seconds", .double(result.seconds)),
                                  ("stderr", .string(result.stderr))])
        }
        guard !result.succeeded else { return }
        let how = result.timedOut ? "was killed at its timeout"
            : result.exitCode.map { "exited \($0)" } ?? "was killed by signal \(result.signal ?? 0)"
        let reason = result.stderr.split(separator: "\n").last.map { ": " + $0 } ?? ""
        warning(name: result.name, infoHash: result.infoHash, "on-complete hook \(how)\(reason)", once: false)
    }

    func exit(reason: String, code: ExitCode) {
        guard output.json else { return }
        event("exit", exitEvent(reason: reason, code: code))
    }
}


