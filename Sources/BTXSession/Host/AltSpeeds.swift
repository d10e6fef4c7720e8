import Glibc

/// Turtle mode: other caps (alt-max-down, alt-max-up) while a schedule says
/// so (alt-schedule) or the user does (`btx set --alt on`, an RPC's toggle).
/// A hand's choice lasts until the schedule next changes its mind, as in
/// transmission.
public struct AltSpeeds: Equatable {
    /// Bytes/s; 0 is no cap.
    public var down: Int64
    public var up: Int64
    public var schedule: AltSchedule?

    public init(down: Int64, up: Int64, schedule: AltSchedule?) {
        self.down = down
        self.up = up
        self.schedule = schedule
    }
}

/// "Mon-Fri 08:00-18:00, Sat,Sun 10:00-02:00": days and hours, in local
/// time; a range whose end comes before its start runs past midnight into
/// the next day.
public struct AltSchedule: Equatable {
    public struct Range: Equatable {
        /// 1 Monday ... 7 Sunday.
        public let days: Set<Int>
        /// Minutes from midnight.
        public let start: Int
        public let end: Int
    }

    public let ranges: [Range]
    private static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    public init(_ text: String) throws {
        do {
            try self.init(parsing: text)
        } catch {
            throw Self.bad(text)
        }
    }

    private init(parsing text: String) throws {
        var ranges: [Range] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingSpaces }) {
            // "Sat,Sun 10:00-12:00" splits into "Sat" and "Sun 10:00-12:00": a bare day joins the next range.
            guard !part.isEmpty else { throw Self.bad(text) }
            ranges.append(try Self.range(part, text: text))
        }
        self.ranges = Self.joiningBareDays(ranges)
        guard !self.ranges.isEmpty, self.ranges.allSatisfy({ !$0.days.isEmpty && $0.start >= 0 }) else { throw Self.bad(text) }
    }

    /// Whether turtle mode is on at `time` (Unix seconds), in local time.
    public func isOn(at time: Int) -> Bool {
        var seconds = time_t(time)
        var local = tm()
        localtime_r(&seconds, &local)
        let day = local.tm_wday == 0 ? 7 : Int(local.tm_wday)
        let minute = Int(local.tm_hour) * 60 + Int(local.tm_min)
        let yesterday = day == 1 ? 7 : day - 1
        return ranges.contains { range in
            if range.start <= range.end { return range.days.contains(day) && minute >= range.start && minute < range.end }
            // Past midnight: the evening of one of its days, or the small hours after one.
            return (range.days.contains(day) && minute >= range.start) || (range.days.contains(yesterday) && minute < range.end)
        }
    }

    private static func range(_ part: String, text: String) throws -> Range {
        let words = part.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if words.count == 1, let days = try? Self.days(words[0]) { return Range(days: days, start: -1, end: -1) }
        guard words.count == 2 else { throw bad(text) }
        let hours = words[1].split(separator: "-").map(String.init)
        guard hours.count == 2, let start = minutes(hours[0]), let end = minutes(hours[1]), start != end else { throw bad(text) }
        return Range(days: try days(words[0]), start: start, end: end)
    }

    /// "Mon-Fri", "Sat", "Mon-Sun", or "*" for every day.
    private static func days(_ word: String) throws -> Set<Int> {
        if word == "*" { return Set(1...7) }
        let ends = word.lowercased().split(separator: "-").map(String.init)
        let numbers = ends.compactMap { name in dayNames.firstIndex(of: String(name.prefix(3))).map { $0 + 1 } }
        guard numbers.count == ends.count, (1...2).contains(numbers.count) else { throw bad(word) }
        if numbers.count == 1 { return [numbers[0]] }
        var days: Set<Int> = []
        var day = numbers[0]
        while true {
            days.insert(day)
            if day == numbers[1] { break }
            day = day % 7 + 1
        }
        return days
    }

    /// "08:00" or "8:00" as minutes from midnight; "24:00" is the end of the day.
    private static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":").map { Int($0) }
        guard parts.count == 2, let hour = parts[0], let minute = parts[1], (0...59).contains(minute),
              (0...23).contains(hour) || (hour == 24 && minute == 0) else { return nil }
        return hour * 60 + minute
    }

    /// Bare days ("Sat" in "Sat,Sun 10:00-12:00") share the next range's hours.
    private static func joiningBareDays(_ ranges: [Range]) -> [Range] {
        var joined: [Range] = []
        var pending: Set<Int> = []
        for range in ranges {
            if range.start < 0 {
                pending.formUnion(range.days)
            } else {
                joined.append(Range(days: range.days.union(pending), start: range.start, end: range.end))
                pending = []
            }
        }
        // Days left with no hours: the whole schedule is then bad.
        return pending.isEmpty ? joined : joined + [Range(days: [], start: 0, end: 0)]
    }

    private static func bad(_ text: String) -> BTXError {
        BTXError.failure("alt-schedule: '\(text)' is not DAYS HH:MM-HH:MM[, ...] (days like Mon-Fri, Sat or *)")
    }
}
