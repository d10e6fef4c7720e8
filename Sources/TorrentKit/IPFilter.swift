import CBTX
import Glibc

/// An IPv4 or IPv6 address as a number, so ranges can be compared, sorted
/// and merged without text.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let isV6: Bool
    /// The address's bits, high half first; an IPv4 address is the low 32.
    public let high: UInt64
    public let low: UInt64

    public init(v4: UInt32) {
        isV6 = false
        high = 0
        low = UInt64(v4)
    }

    public init(v6High high: UInt64, low: UInt64) {
        isV6 = true
        self.high = high
        self.low = low
    }

    /// IPv4 sorts before IPv6; within a family, by value.
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.isV6 != b.isV6 { return b.isV6 }
        return a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// The last address of its family.
    public var isFamilyMax: Bool { isV6 ? high == .max && low == .max : low == UInt64(UInt32.max) }

    /// The next address; nil past the family's last.
    public var successor: IPAddress? {
        if isFamilyMax { return nil }
        if !isV6 { return IPAddress(v4: UInt32(low + 1)) }
        return low == .max ? IPAddress(v6High: high + 1, low: 0) : IPAddress(v6High: high, low: low + 1)
    }

    /// Writes the address in network byte order: 4 or 16 bytes.
    func store(into buffer: UnsafeMutableRawBufferPointer) {
        if isV6 {
            buffer.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            buffer.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
        } else {
            buffer.storeBytes(of: UInt32(truncatingIfNeeded: low).bigEndian, toByteOffset: 0, as: UInt32.self)
        }
    }

    /// "1.2.3.4" or "2001:db8::1", as inet_ntop writes them.
    public var description: String {
        var raw = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &raw) { store(into: $0) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = withUnsafeBytes(of: &raw) { inet_ntop(isV6 ? AF_INET6 : AF_INET, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(cString: text)
    }
}

/// Every address from `first` to `last`, both included, of one family.
public struct IPRange: Equatable, Sendable {
    public let first: IPAddress
    public let last: IPAddress

    /// nil when the ends are of different families or out of order.
    public init?(first: IPAddress, last: IPAddress) {
        guard first.isV6 == last.isV6, first <= last else { return nil }
        self.first = first
        self.last = last
    }
}

extension Session {
    /// Blocks every address in `ranges` for every torrent, at once: such
    /// peers are refused (a `.peerBlocked` event each) and connected ones
    /// dropped. An empty list lifts the filter.
    public func setIPFilter(_ ranges: [IPRange]) throws {
        let entries = ranges.map { range -> btx_ip_range in
            var entry = btx_ip_range()
            entry.family = range.first.isV6 ? 6 : 4
            withUnsafeMutableBytes(of: &entry.first) { range.first.store(into: $0) }
            withUnsafeMutableBytes(of: &entry.last) { range.last.store(into: $0) }
            return entry
        }
        try entries.withUnsafeBufferPointer { _ = try check(btx_session_set_ip_filter(raw, $0.baseAddress, $0.count)) }
    }
}
