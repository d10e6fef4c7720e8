import Glibc
import TorrentKit

/// Everything `btx add` tells the user: newline-delimited JSON events on
/// stdout with --json; otherwise live progress lines on a TTY's stderr and a
/// summary on stdout.
final class AddReporter {
    private let output: Output
    private let live: LiveLines
    private var lastProgress = -Double.infinity
    private var warned = Set<String>()
    private var ports = Set<Int>()

    /// A daemon logs events, but not progress ticks.
    private let showsProgress: Bool

    init(output: Output, showsProgress: Bool = true) {
        self.output = output
        self.showsProgress = showsProgress
        live = LiveLines(output: output)
    }

    /// JSON progress about once a second; a TTY redraws twice as often.
    private var progressInterval: Double { output.json ? 1.0 : 0.5 }

    private func event(_ type: String, _ fields: [(String, JSON)]) {
        output.document(.object([("type", .string(type)), ("data", .object(fields))]))
        fflush(stdout)
    }

    func added(name: String, infoHash: String, savePath: String, resumed: Bool) {
        guard output.json else { return }
        event("added", [("info_hash", .string(infoHash)), ("name", .string(name)), ("save_path", .string(savePath)),
                        ("resumed", .bool(resumed))])
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

    func trackerReply(infoHash: String, peers: Int) {
        guard output.json else { return }
        event("tracker_reply", [("info_hash", .string(infoHash)), ("peers", .int(peers))])
    }

    func progress(_ statuses: [TorrentStatus], now: Double) {
        guard showsProgress, now - lastProgress >= progressInterval else { return }
        lastProgress = now
        if output.json {
            for status in statuses { event("progress", status.progressFields) }
        } else {
            live.show(statuses.map(\.progressLine))
        }
    }

    func endProgress() { live.clear() }

    func finished(_ status: TorrentStatus, seconds: Double) {
        if output.json {
            event("finished", [("info_hash", .string(status.infoHash)), ("name", .string(status.name)),
                               ("size", .int(status.totalSize)), ("downloaded", .int(status.sessionDownloaded)),
                               ("seconds", .double(seconds))])
        }
    }

    func warning(name: String?, infoHash: String?, _ message: String, once: Bool = false) {
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

    /// JSON only: for humans, failures are the command's error message.
    func error(name: String, infoHash: String, _ message: String) {
        guard output.json else { return }
        event("error", [("info_hash", .string(infoHash)), ("message", .string(message))])
    }

    /// One line per torrent on stdout (humans only; JSON has had its events).
    func summary(_ lines: [(name: String, status: TorrentStatus?, text: String)]) {
        guard !output.json else { return }
        for line in lines {
            let place = line.status.map { " in \($0.savePath)" } ?? ""
            output.line("\(line.name): \(line.text)\(place)")
        }
    }

    func exit(reason: String, code: ExitCode) {
        guard output.json else { return }
        event("exit", [("reason", .string(reason)), ("code", .int(Int(code.rawValue)))])
    }
}

extension TorrentStatus {
    /// The words status and progress use for a running torrent's state.
    var stateWord: String {
        if error != nil { return "error" }
        if isPaused { return "paused" }
        switch state {
        case .checkingFiles: return "checking"
        case .checkingResumeData: return "resuming"
        case .downloadingMetadata: return "metadata"
        case .downloading: return "downloading"
        case .finished: return "finished"
        case .seeding: return "seeding"
        case .unknown: return "unknown"
        }
    }

    var progressFields: [(String, JSON)] {
        [("info_hash", .string(infoHash)), ("name", .string(name)), ("state", .string(stateWord)),
         ("progress", .double(progress)), ("size", .int(totalSize)), ("done", .int(totalDone)),
         ("downloaded", .int(sessionDownloaded)), ("uploaded", .int(sessionUploaded)),
         ("download_rate", .int(downloadRate)), ("upload_rate", .int(uploadRate)),
         ("peers", .int(peers)), ("seeds", .int(seeds)), ("eta", eta.map(JSON.int) ?? .null)]
    }

    var progressLine: String {
        BTXCLI.progressLine(name: name, state: stateWord, progress: progress, downloadRate: downloadRate,
                            uploadRate: uploadRate, peers: peers, eta: eta)
    }
}

/// One torrent's live line, for `add` in the session and for `add` following one.
func progressLine(name: String, state: String, progress: Double, downloadRate: Int64, uploadRate: Int64, peers: Int,
                  eta: Int64?) -> String {
    var parts = [name, state, Units.oneDecimal(progress * 100) + "%", "↓ " + Units.rate(downloadRate),
                 "↑ " + Units.rate(uploadRate), "\(peers) peer\(peers == 1 ? "" : "s")"]
    if let eta { parts.append("ETA " + Units.duration(seconds: eta)) }
    return parts.joined(separator: "  ")
}
