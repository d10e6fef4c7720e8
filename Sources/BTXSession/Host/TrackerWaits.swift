import TorrentKit

/// `trackers --reannounce` and `--scrape` requests waiting for the trackers'
/// answers, so that the listing they get back is the answer, not the table
/// from before the question. libtorrent sends an announce a moment after it
/// is asked, so "no tracker is updating" right away means "not asked yet":
/// an announce waits for a first answer and then for every tracker still
/// updating; a scrape, for an answer from each tracker. Either gives up at
/// its deadline. The session's loop never waits: it looks at them each step.
struct TrackerWaits {
    static let limit = 10.0

    struct Wait {
        let client: UInt64
        let torrent: Torrent
        let query: String
        let deadline: Double
        var announcing: Bool
        var heardAnnounce = false
        var scrapesLeft: Set<String>
    }

    private var waits: [Wait] = []

    var isEmpty: Bool { waits.isEmpty }

    mutating func add(client: UInt64, torrent: Torrent, query: String, announcing: Bool, scraping: [String], now: Double) {
        waits.append(Wait(client: client, torrent: torrent, query: query, deadline: now + Self.limit, announcing: announcing,
                          scrapesLeft: Set(scraping)))
    }

    mutating func heard(_ torrent: Torrent, url: String, scrape: Bool) {
        for index in waits.indices where waits[index].torrent == torrent {
            if scrape { waits[index].scrapesLeft.remove(url) } else { waits[index].heardAnnounce = true }
        }
    }

    /// The waits that are over: answered (`updating` says whether a torrent
    /// still has a tracker announcing) or out of time.
    mutating func finished(now: Double, updating: (Torrent) -> Bool) -> [Wait] {
        var done: [Wait] = []
        waits.removeAll { wait in
            let announced = !wait.announcing || (wait.heardAnnounce && !updating(wait.torrent))
            guard now >= wait.deadline || (announced && wait.scrapesLeft.isEmpty) else { return false }
            done.append(wait)
            return true
        }
        return done
    }
}
