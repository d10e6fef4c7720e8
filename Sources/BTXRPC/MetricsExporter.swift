import BTXSession

/// The daemon in Prometheus's text exposition format (0.0.4), at /metrics:
/// torrents by state and label, rates and caps, peers, DHT nodes, blocked
/// peers, byte counters for the run, and per-torrent series for at most
/// `perTorrentLimit` torrents (the busiest), so 100,000 torrents do not
/// make 100,000 series of each.
final class MetricsExporter {
    static let perTorrentLimit = 100
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let link: SessionLink
    private let mirror: TorrentMirror
    /// Each torrent's run counters as last seen: the session totals only grow
    /// (a removed torrent's bytes stay counted), as a counter must.
    private var seen: [String: (down: Int64, up: Int64)] = [:]
    private var downloaded: Int64 = 0
    private var uploaded: Int64 = 0

    init(link: SessionLink, mirror: TorrentMirror) {
        self.link = link
        self.mirror = mirror
    }

    func render() throws -> String {
        try mirror.refresh(link)
        let torrents = mirror.all
        let ping = try link.call(.ping, [("disk", .bool(true))])
        count(torrents)
        var out = MetricsText()
        out.family("btx_torrents", "gauge", "Torrents in the session, by state.")
        let states = Dictionary(grouping: torrents, by: \.state).mapValues(\.count)
        for state in TorrentDocument.states where states[state] != nil || ["downloading", "seeding", "paused"].contains(state) {
            out.sample("btx_torrents", ["state": state], Double(states[state] ?? 0))
        }
        out.family("btx_torrents_labelled", "gauge", "Torrents with each label.")
        let labels = Dictionary(grouping: torrents.flatMap(\.settings.labels), by: { $0 }).mapValues(\.count)
        for (label, count) in labels.sorted(by: { $0.key < $1.key }) { out.sample("btx_torrents_labelled", ["label": label], Double(count)) }
        out.family("btx_download_rate_bytes", "gauge", "Payload download rate of every torrent, bytes per second.")
        out.sample("btx_download_rate_bytes", [:], Double(torrents.map(\.downloadRate).reduce(0, +)))
        out.family("btx_upload_rate_bytes", "gauge", "Payload upload rate of every torrent, bytes per second.")
        out.sample("btx_upload_rate_bytes", [:], Double(torrents.map(\.uploadRate).reduce(0, +)))
        out.family("btx_rate_limit_bytes", "gauge", "The session's caps in bytes per second; 0 is none.")
        out.sample("btx_rate_limit_bytes", ["direction": "down"], Double(ping["max_down"]?.intValue ?? 0))
        out.sample("btx_rate_limit_bytes", ["direction": "up"], Double(ping["max_up"]?.intValue ?? 0))
        out.family("btx_downloaded_bytes_total", "counter", "Payload bytes downloaded in this daemon's run.")
        out.sample("btx_downloaded_bytes_total", [:], Double(downloaded))
        out.family("btx_uploaded_bytes_total", "counter", "Payload bytes uploaded in this daemon's run.")
        out.sample("btx_uploaded_bytes_total", [:], Double(uploaded))
        out.family("btx_peers", "gauge", "Connected peers, every torrent's.")
        out.sample("btx_peers", [:], Double(torrents.map(\.peers).reduce(0, +)))
        out.family("btx_seeds", "gauge", "Connected peers that are seeds.")
        out.sample("btx_seeds", [:], Double(torrents.map(\.seeds).reduce(0, +)))
        out.family("btx_blocked_peers", "gauge", "Distinct addresses the blocklist kept from each torrent this run, summed.")
        out.sample("btx_blocked_peers", [:], Double(torrents.compactMap(\.blockedPeers).reduce(0, +)))
        if let nodes = ping["dht_nodes"]?.intValue {
            out.family("btx_dht_nodes", "gauge", "Nodes in the DHT routing table.")
            out.sample("btx_dht_nodes", [:], Double(nodes))
        }
        out.family("btx_disk_queue_peers", "gauge", "Peers waiting for the disk: to write what they sent, or to read what they ask for.")
        out.sample("btx_disk_queue_peers", ["operation": "write"], Double(ping["disk_waiting_write"]?.intValue ?? 0))
        out.sample("btx_disk_queue_peers", ["operation": "read"], Double(ping["disk_waiting_read"]?.intValue ?? 0))
        out.family("btx_uptime_seconds", "gauge", "Seconds since the daemon started.")
        out.sample("btx_uptime_seconds", [:], ping["uptime"]?.doubleValue ?? 0)

        // The busiest torrents get series of their own.
        let chosen = torrents.sorted { ($0.downloadRate + $0.uploadRate, $0.downloaded + $0.uploaded) > ($1.downloadRate + $1.uploadRate, $1.downloaded + $1.uploaded) }
            .prefix(Self.perTorrentLimit)
        out.family("btx_torrent_series_omitted", "gauge", "Torrents left without series of their own (at most \(Self.perTorrentLimit) have them).")
        out.sample("btx_torrent_series_omitted", [:], Double(torrents.count - chosen.count))
        let perTorrent: [(String, String, String, (TorrentDocument) -> Double)] = [
            ("btx_torrent_downloaded_bytes_total", "counter", "A torrent's payload bytes downloaded, all runs.", { Double($0.downloaded) }),
            ("btx_torrent_uploaded_bytes_total", "counter", "A torrent's payload bytes uploaded, all runs.", { Double($0.uploaded) }),
            ("btx_torrent_progress_ratio", "gauge", "A torrent's verified part of what it wants, 0 to 1.", { $0.progress }),
            ("btx_torrent_peers", "gauge", "A torrent's connected peers.", { Double($0.peers) }),
        ]
        for (name, type, help, value) in perTorrent {
            out.family(name, type, help)
            for torrent in chosen { out.sample(name, ["info_hash": torrent.infoHash, "name": torrent.name], value(torrent)) }
        }
        return out.text
    }

    /// Adds what each torrent moved since the last look to the run's totals.
    private func count(_ torrents: [TorrentDocument]) {
        var next: [String: (down: Int64, up: Int64)] = [:]
        for torrent in torrents {
            let before = seen[torrent.infoHash] ?? (0, 0)
            // A torrent's run counters restart when it is added again: what it shows then is new.
            downloaded += torrent.sessionDownloaded >= before.down ? torrent.sessionDownloaded - before.down : torrent.sessionDownloaded
            uploaded += torrent.sessionUploaded >= before.up ? torrent.sessionUploaded - before.up : torrent.sessionUploaded
            next[torrent.infoHash] = (torrent.sessionDownloaded, torrent.sessionUploaded)
        }
        seen = next
    }
}

/// Prometheus's text format: HELP and TYPE once per family, then samples.
struct MetricsText {
    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help.replacingBackslashesAndNewlines)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value.escapedLabelValue)\"" }.joined(separator: ",") + "}"
        }
        text += " " + (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)) + "\n"
    }
}

private extension String {
    /// A label value: backslash, double quote and newline escaped.
    var escapedLabelValue: String { escaped(quotes: true) }

    /// HELP text: backslash and newline escaped.
    var replacingBackslashesAndNewlines: String { escaped(quotes: false) }

    private func escaped(quotes: Bool) -> String {
        var out = ""
        for character in self {
            switch character {
            case "\\": out += "\\\\"
            case "\"" where quotes: out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
