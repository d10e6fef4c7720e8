import BTXSession

/// btx's settings as transmission and qBittorrent show theirs. Each has one
/// alt-speed window a day, so a schedule of several ranges shows its first.
extension AltSchedule {
    private var first: Range { ranges[0] }

    /// Minutes from midnight.
    var begin: Int { first.start }
    var end: Int { first.end }

    /// transmission's alt-speed-time-day: Sunday 1, Monday 2, ... Saturday 64.
    var transmissionDays: Int { first.days.reduce(0) { $0 | ($1 == 7 ? 1 : 1 << $1) } }

    /// qBittorrent's scheduler_days: 0 every day, 1 weekdays, 2 weekends, 3 Monday ... 9 Sunday.
    var qBittorrentDays: Int {
        switch first.days {
        case Set(1...5): 1
        case [6, 7]: 2
        case let days where days.count == 1: 2 + days.first!
        default: 0
        }
    }
}

extension SeedPolicy {
    /// The idle goal in whole minutes, as both clients count it: at least 1,
    /// so a goal of seconds is not shown as none.
    var idleMinutes: Int64? { idleSeconds.map { max(1, $0 / 60 + ($0 % 60 == 0 ? 0 : 1)) } }
}
