import Glibc

/// JSON text read in place, a token at a time, with nothing built but the
/// values asked for: a status of 100,000 torrents read into JSON values
/// first spent half its time making and freeing them. As strict as
/// JSON(parsing:) on what it reads; text it cannot take in one pass (an
/// escaped string) it hands to that parser.
struct JSONScanner {
    enum KeyMatch { case matched, other, end }

    let text: UnsafeRawBufferPointer
    private(set) var position: Int

    init(_ text: UnsafeRawBufferPointer, at position: Int = 0) {
        self.text = text
        self.position = position
    }

    private static let malformed = JSON.ParseError(message: "malformed JSON")

    mutating func skipSpace() {
        while position < text.count {
            let byte = text[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// The next byte past any space, not taken.
    mutating func peek() -> UInt8? {
        skipSpace()
        return position < text.count ? text[position] : nil
    }

    mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw Self.malformed }
        position += 1
    }

    /// At an object's next member (past the comma before it): whether its
    /// key is `key`, then past the key and its colon; `other` leaves it
    /// where it was; `end` when the object closes there (the `}` not taken).
    mutating func key(is key: StaticString, first: Bool) throws -> KeyMatch {
        guard let next = peek() else { throw Self.malformed }
        if next == UInt8(ascii: "}") { return .end }
        var at = position
        if !first {
            guard next == UInt8(ascii: ",") else { throw Self.malformed }
            at += 1
            while at < text.count, text[at] == 0x20 || text[at] == 0x0A || text[at] == 0x0D || text[at] == 0x09 { at += 1 }
        }
        guard at < text.count, text[at] == UInt8(ascii: "\"") else { throw Self.malformed }
        let count = key.utf8CodeUnitCount
        let end = at + 1 + count
        guard end < text.count, text[end] == UInt8(ascii: "\""),
              memcmp(text.baseAddress! + at + 1, key.utf8Start, count) == 0 else { return .other }
        position = end + 1
        try expect(UInt8(ascii: ":"))
        return .matched
    }

    /// `null`, taken.
    mutating func null() throws -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func bool() throws -> Bool? {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard text.count - position >= count, memcmp(text.baseAddress! + position, word.utf8Start, count) == 0 else {
            throw Self.malformed
        }
        position += count
    }

    /// A string, or nil (nothing taken) when the value is not one.
    mutating func string() throws -> String? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        var end = start
        var ascii = true
        while end < text.count {
            let byte = text[end]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            ascii = ascii && byte < 0x80
            end += 1
        }
        guard end < text.count, text[end] == UInt8(ascii: "\"") else {
            // Escapes (or a control character, refused there): the parser's work.
            let token = try skipValue()
            return try JSON(parsing: Array(token)).stringValue
        }
        position = end + 1
        let utf8 = UnsafeRawBufferPointer(rebasing: text[start..<end]).bindMemory(to: UInt8.self)
        if ascii { return String(decoding: utf8, as: UTF8.self) }
        guard let decoded = String(validating: utf8, as: UTF8.self) else { throw JSON.ParseError(message: "invalid UTF-8") }
        return decoded
    }

    /// A number, or nil (nothing taken) when the value is not one.
    mutating func number() throws -> JSON? {
        // What the parser tries as a number (it takes "+1" and ".5" too).
        guard let first = peek(), Self.isNumeric(first) else { return nil }
        let start = position
        var integral = true
        var magnitude: UInt64 = 0
        var overflow = false
        // Past the point: whether every digit there is 0 ("1.0", most progress and ratios).
        var point: Int?
        var zeroFraction = true
        scan: while position < text.count {
            let byte = text[position]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if point != nil {
                    zeroFraction = zeroFraction && byte == UInt8(ascii: "0")
                } else {
                    let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (plus, o2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                    magnitude = plus
                    overflow = overflow || o1 || o2
                }
            case UInt8(ascii: "-"): break
            case UInt8(ascii: "."):
                integral = false
                if point == nil { point = position } else { zeroFraction = false }
            case UInt8(ascii: "+"), UInt8(ascii: "e"), UInt8(ascii: "E"): integral = false; zeroFraction = false
            default: break scan
            }
            position += 1
        }
        let token = UnsafeRawBufferPointer(rebasing: text[start..<position])
        let negative = token.first == UInt8(ascii: "-")
        // Plain digits with at most a leading sign: the common case, read as they went by.
        let digitsBefore = (point ?? position) - start - (negative ? 1 : 0)
        if !overflow, digitsBefore > 0, !token.dropFirst().contains(UInt8(ascii: "-")) {
            if integral, negative, magnitude <= UInt64(Int64.max) + 1 { return .int(Int64(truncatingIfNeeded: 0 &- magnitude)) }
            if integral, !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
            // A whole number written with a point: exact as a double below 2^53.
            if let point, zeroFraction, position - point > 1, magnitude < 1 << 53 {
                return .double(negative ? -Double(magnitude) : Double(magnitude))
            }
        }
        // The parser's own reading, for everything else.
        return try JSON(parsing: Array(token))
    }

    private static func isNumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"),
             UInt8(ascii: "E"): true
        default: false
        }
    }

    /// Past the value that starts here; its text.
    mutating func skipValue(depth: Int = 0) throws -> UnsafeRawBufferPointer {
        guard depth < 32 else { throw JSON.ParseError(message: "nested too deeply") }
        guard let first = peek() else { throw Self.malformed }
        let start = position
        switch first {
        case UInt8(ascii: "\""):
            position += 1
            while position < text.count, text[position] != UInt8(ascii: "\"") {
                position += text[position] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard position < text.count else { throw Self.malformed }
            position += 1
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = first == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            position += 1
            if peek() == close {
                position += 1
                break
            }
            while true {
                if first == UInt8(ascii: "{") {
                    guard peek() == UInt8(ascii: "\"") else { throw Self.malformed }
                    _ = try skipValue(depth: depth + 1)
                    try expect(UInt8(ascii: ":"))
                }
                _ = try skipValue(depth: depth + 1)
                guard let next = peek() else { throw Self.malformed }
                position += 1
                if next == close { break }
                guard next == UInt8(ascii: ",") else { throw Self.malformed }
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            guard try number() != nil else { throw Self.malformed }
        }
        return UnsafeRawBufferPointer(rebasing: text[start..<position])
    }
}
