import BTXSession

/// The download rate a progress line shows: bytes verified over the last few
/// seconds of what it saw. libtorrent's rate is a moving average that takes
/// seconds to climb, so early in a fast download it showed 346 KiB/s and an
/// ETA of minutes for a transfer that averaged 8 MiB/s and took 6 s.
final class ProgressRates {
    private static let window = 3.0
    private var samples: [String: [(time: Double, done: Int64)]] = [:]

    /// `torrent` seen at `now`: its rate, and the seconds it has left at that rate.
    func observe(_ torrent: TorrentDocument, now: Double) -> (rate: Int64, eta: Int64?) {
        var seen = samples[torrent.infoHash, default: []]
        seen.append((now, torrent.done))
        seen.removeAll { now - $0.time > Self.window }
        samples[torrent.infoHash] = seen
        // A finished torrent downloads nothing, whatever the average remembers.
        guard torrent.state == "downloading" else { return (0, nil) }
        var rate = torrent.downloadRate
        if let first = seen.first, now - first.time >= 1 {
            rate = max(0, Int64(Double(torrent.done - first.done) / (now - first.time)))
        }
        let left = (torrent.wanted ?? 0) - torrent.done
        return (rate, rate > 0 && left > 0 ? (left + rate - 1) / rate : nil)
    }
}

/// One torrent's live line on stderr, from its status document: for `add`
/// running the session and for `add` following one.
func progressLine(_ t: TorrentDocument, output: Output, rates: ProgressRates, now: Double) -> String {
    let (rate, eta) = rates.observe(t, now: now)
    var parts = [t.name, output.state(t.state, onStderr: true), Units.oneDecimal(t.progress * 100) + "%",
                 "↓ " + Units.rate(rate), "↑ " + Units.rate(t.uploadRate), "\(t.peers) peer\(t.peers == 1 ? "" : "s")"]
    if let eta { parts.append("ETA " + Units.duration(seconds: eta)) }
    return parts.joined(separator: "  ")
}
