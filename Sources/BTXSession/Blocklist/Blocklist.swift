import TorrentKit

/// An IP blocklist as loaded: the merged ranges it blocks and an account of
/// its lines, for `btx blocklist` and the warnings a session prints.
public struct Blocklist {
    /// The line formats, by the names `btx blocklist` counts them under.
    public enum Format: String, CaseIterable {
        case p2p, dat, cidr, range, single
    }

    /// Sorted, with overlapping and touching ranges merged: what the
    /// session's filter holds.
    private(set) var ranges: [IPRange] = []
    private(set) var entries: [Format: Int] = [:]
    /// DAT entries with an access level above 127.
    private(set) var allowed = 0
    private(set) var badLines = 0
    private(set) var firstBadLine: Int?
    /// The file was gzip-compressed.
    public var compressed = false

    public init(parsing bytes: [UInt8]) {
        var found: [IPRange] = []
        bytes.withUnsafeBufferPointer { all in
            var start = 0, number = 0
            // A UTF-8 byte order mark, as Windows editors write.
            if all.count >= 3 && all[0] == 0xEF && all[1] == 0xBB && all[2] == 0xBF { start = 3 }
            while start < all.count {
                var end = start
                while end < all.count && all[end] != UInt8(ascii: "\n") { end += 1 }
                number += 1
                switch BlocklistLine(UnsafeBufferPointer(rebasing: all[start..<end])) {
                case .blank: break
                case .allowed: allowed += 1
                case .bad:
                    badLines += 1
                    if firstBadLine == nil { firstBadLine = number }
                case .blocks(let range, let format):
                    found.append(range)
                    entries[format, default: 0] += 1
                }
                start = end + 1
            }
        }
        ranges = Self.merged(found)
    }

    public static func merged(_ ranges: [IPRange]) -> [IPRange] {
        var result: [IPRange] = []
        result.reserveCapacity(ranges.count)
        for range in ranges.sorted(by: { $0.first < $1.first }) {
            if let last = result.last, last.first.isV6 == range.first.isV6,
               last.last.isFamilyMax || range.first <= last.last.successor! {
                if range.last > last.last { result[result.count - 1] = IPRange(first: last.first, last: range.last)! }
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// Lines that block something, before merging.
    public var entryCount: Int { entries.values.reduce(0, +) }
    public var ipv4Ranges: [IPRange] { ranges.filter { !$0.first.isV6 } }
    public var ipv6RangeCount: Int { ranges.count - ipv4Ranges.count }
    /// How many IPv4 addresses it blocks (IPv6 counts would be astronomical).
    public var ipv4AddressCount: Int64 { ipv4Ranges.reduce(0) { $0 + Int64($1.last.low - $1.first.low) + 1 } }

    /// "3 bad lines ignored (the first is line 7)", or nil when every line was fine.
    public var badLinesText: String? {
        guard let firstBadLine else { return nil }
        return "\(badLines) bad line\(badLines == 1 ? "" : "s") ignored (the first is line \(firstBadLine))"
    }
}
