import Glibc
import TorrentKit

/// One line of a blocklist, read from its bytes without making Strings:
/// lists run to hundreds of thousands of lines.
///
/// The first rule that fits decides:
/// 1. `#` or `//` at the start: a comment.
/// 2. PeerGuardian text, `name:1.2.3.4-1.2.3.255`: IPv4 after the last
///    colon (the name may hold colons, commas or dashes).
/// 3. eMule DAT, `001.002.003.004 - 001.002.003.255 , 000 , name`: a comma.
///    An access level above 127 marks an allowed range in that format, so
///    the line blocks nothing; a level that is not a number is a bad line.
/// 4. After cutting a trailing `# comment`: CIDR (`10.0.0.0/8`,
///    `2001:db8::/32`; host bits are ignored), a range (`1.2.3.4-1.2.3.9`,
///    spaces around the dash allowed, IPv6 too) or a single address.
/// IPv4 octets are decimal even with leading zeros (`001.002.003.004`), as
/// every list writer means them; inet_aton would read them as octal.
public enum BlocklistLine: Equatable {
    case blank
    case blocks(IPRange, Blocklist.Format)
    /// A DAT entry whose access level lets the range through.
    case allowed
    case bad

    public init(_ line: UnsafeBufferPointer<UInt8>) {
        let text = LineText(line).trimmed
        guard !text.isEmpty else { self = .blank; return }
        if text.first == UInt8(ascii: "#") || text.hasPrefix("//") { self = .blank; return }
        if let colon = text.lastIndex(of: ":"), let range = Self.ipv4Range(text.suffix(after: colon).trimmed) {
            self = .blocks(range, .p2p)
            return
        }
        if let comma = text.firstIndex(of: ",") {
            self = Self.dat(text, comma: comma)
            return
        }
        let body = (text.firstIndex(of: "#").map { text.prefix(upTo: $0) } ?? text).trimmed
        if let slash = body.firstIndex(of: "/") {
            self = Self.cidr(body.prefix(upTo: slash).trimmed, body.suffix(after: slash).trimmed).map { .blocks($0, .cidr) } ?? .bad
        } else if body.firstIndex(of: "-") != nil {
            self = Self.range(body).map { .blocks($0, .range) } ?? .bad
        } else {
            self = Self.address(body).flatMap { IPRange(first: $0, last: $0) }.map { .blocks($0, .single) } ?? .bad
        }
    }

    private static func dat(_ text: LineText, comma: Int) -> BlocklistLine {
        guard let range = range(text.prefix(upTo: comma).trimmed) else { return .bad }
        let rest = text.suffix(after: comma)
        let levelText = (rest.firstIndex(of: ",").map { rest.prefix(upTo: $0) } ?? rest).trimmed
        // Some writers leave the level out: a range alone blocks.
        if levelText.isEmpty { return rest.firstIndex(of: ",") == nil ? .blocks(range, .dat) : .bad }
        guard let level = levelText.decimal(maxDigits: 3) else { return .bad }
        return level > 127 ? .allowed : .blocks(range, .dat)
    }

    private static func range(_ text: LineText) -> IPRange? {
        guard let dash = text.firstIndex(of: "-"),
              let first = address(text.prefix(upTo: dash).trimmed),
              let last = address(text.suffix(after: dash).trimmed) else { return nil }
        return IPRange(first: first, last: last)
    }

    private static func ipv4Range(_ text: LineText) -> IPRange? {
        guard let dash = text.firstIndex(of: "-"),
              let first = ipv4(text.prefix(upTo: dash).trimmed),
              let last = ipv4(text.suffix(after: dash).trimmed) else { return nil }
        return IPRange(first: IPAddress(v4: first), last: IPAddress(v4: last))
    }

    private static func cidr(_ base: LineText, _ prefixText: LineText) -> IPRange? {
        guard let address = address(base), let prefix = prefixText.decimal(maxDigits: 3) else { return nil }
        if !address.isV6 {
            guard prefix <= 32 else { return nil }
            let mask: UInt32 = prefix == 0 ? 0 : .max << UInt32(32 - prefix)
            let first = UInt32(address.low) & mask
            return IPRange(first: IPAddress(v4: first), last: IPAddress(v4: first | ~mask))
        }
        guard prefix <= 128 else { return nil }
        let highMask: UInt64 = prefix == 0 ? 0 : prefix >= 64 ? .max : .max << UInt64(64 - prefix)
        let lowMask: UInt64 = prefix <= 64 ? 0 : .max << UInt64(128 - prefix)
        let high = address.high & highMask, low = address.low & lowMask
        return IPRange(first: IPAddress(v6High: high, low: low), last: IPAddress(v6High: high | ~highMask, low: low | ~lowMask))
    }

    private static func address(_ text: LineText) -> IPAddress? {
        if text.firstIndex(of: ":") == nil { return ipv4(text).map(IPAddress.init(v4:)) }
        guard text.count <= 45 else { return nil }
        var cString = [CChar](repeating: 0, count: 48)
        for i in 0..<text.count { cString[i] = CChar(bitPattern: text[i]) }
        var raw = (UInt64(0), UInt64(0))
        guard withUnsafeMutableBytes(of: &raw, { inet_pton(AF_INET6, cString, $0.baseAddress) }) == 1 else { return nil }
        return IPAddress(v6High: UInt64(bigEndian: raw.0), low: UInt64(bigEndian: raw.1))
    }

    /// Four decimal octets of one to three digits each.
    private static func ipv4(_ text: LineText) -> UInt32? {
        var value: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0
        for i in 0..<text.count {
            let byte = text[i]
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                octet = 0
                digits = 0
                dots += 1
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }
}

/// A view of part of a line.
private struct LineText {
    public let base: UnsafeBufferPointer<UInt8>
    public let start: Int
    public let end: Int

    public init(_ base: UnsafeBufferPointer<UInt8>) { self.init(base, base.startIndex, base.endIndex) }

    private init(_ base: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        self.base = base
        self.start = start
        self.end = end
    }

    public var count: Int { end - start }
    public var isEmpty: Bool { start >= end }
    public var first: UInt8? { isEmpty ? nil : base[start] }
    public subscript(offset: Int) -> UInt8 { base[start + offset] }

    public var trimmed: LineText {
        var from = start, to = end
        while from < to && Self.isSpace(base[from]) { from += 1 }
        while to > from && Self.isSpace(base[to - 1]) { to -= 1 }
        return LineText(base, from, to)
    }

    public func hasPrefix(_ text: StaticString) -> Bool {
        guard count >= text.utf8CodeUnitCount else { return false }
        return (0..<text.utf8CodeUnitCount).allSatisfy { base[start + $0] == text.utf8Start[$0] }
    }

    /// Offsets from `start`.
    public func firstIndex(of character: Unicode.Scalar) -> Int? {
        let byte = UInt8(ascii: character)
        var i = start
        while i < end {
            if base[i] == byte { return i - start }
            i += 1
        }
        return nil
    }

    public func lastIndex(of character: Unicode.Scalar) -> Int? {
        let byte = UInt8(ascii: character)
        var i = end
        while i > start {
            i -= 1
            if base[i] == byte { return i - start }
        }
        return nil
    }

    public func prefix(upTo offset: Int) -> LineText { LineText(base, start, start + offset) }
    public func suffix(after offset: Int) -> LineText { LineText(base, start + offset + 1, end) }

    /// Only digits, at most `maxDigits` of them.
    public func decimal(maxDigits: Int) -> Int? {
        guard !isEmpty, count <= maxDigits else { return nil }
        var value = 0
        for i in start..<end {
            guard base[i] >= UInt8(ascii: "0") && base[i] <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(base[i] - UInt8(ascii: "0"))
        }
        return value
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
