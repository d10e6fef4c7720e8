import Glibc

/// What happened in the session, each with an id that only grows, kept in
/// a bounded backlog for `btx events` (a reader that reconnects with the
/// last id it saw misses nothing still held) and handed to --on-event
/// hooks. Ids start from the clock, in microseconds, so they keep growing
/// across a daemon's restarts.
final class EventLog {
    static let kept = 10_000
    static let types = ["added", "metadata", "state", "file_completed", "finished", "error", "moved", "removed", "tracker_error",
                        "blocklist", "new_version", "reused"]

    struct Entry {
        let id: Int64
        let time: Int64
        let type: String
        let data: JSON

        var json: JSON { .object([("id", .int(id)), ("time", .int(time)), ("type", .string(type)), ("data", data)]) }
    }

    private(set) var entries: [Entry] = []
    private var nextID: Int64
    /// The last id given out; a reader starting "now" begins after it.
    var lastID: Int64 { nextID - 1 }

    init() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        nextID = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000)
    }

    @discardableResult
    func append(_ type: String, _ data: JSON) -> Entry {
        let entry = Entry(id: nextID, time: Int64(time(nil)), type: type, data: data)
        nextID += 1
        entries.append(entry)
        if entries.count > Self.kept + Self.kept / 10 { entries.removeFirst(entries.count - Self.kept) }
        return entry
    }

    /// The events after `since`, and whether some after it are no longer held.
    func after(_ since: Int64) -> (events: [Entry], missed: Bool) {
        // Ids are in order: a binary search, as readers ask on every event.
        var start = 0, end = entries.count
        while start < end {
            let middle = (start + end) / 2
            if entries[middle].id > since { end = middle } else { start = middle + 1 }
        }
        let missed = since < lastID && (entries.first.map { $0.id > since + 1 } ?? true)
        return (Array(entries[start...]), missed)
    }
}
