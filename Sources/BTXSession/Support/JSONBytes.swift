/// JSON written field by field through a pointer, exactly as JSON.write
/// writes the same values: a status of 100,000 torrents writes every
/// document afresh, and building each as a JSON value first cost five times
/// the writing, appending to an array byte by byte twice it. The room is
/// reserved beforehand (`JSONWriter.writing`), from a bound the writer's
/// caller works out.
struct JSONWriter {
    private(set) var position: UnsafeMutablePointer<UInt8>
    private let end: UnsafeMutablePointer<UInt8>

    /// Appends what `write` writes to `out`, with at most `bound` bytes of room.
    static func writing(into out: inout [UInt8], bound: Int, _ write: (inout JSONWriter) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { room in
            var writer = JSONWriter(position: room.baseAddress!, end: room.baseAddress! + bound)
            write(&writer)
            out.append(contentsOf: UnsafeBufferPointer(start: room.baseAddress!, count: writer.position - room.baseAddress!))
        }
    }

    /// A new array of at most `capacity` bytes, written in place by
    /// `write`: a status of 100,000 is sent as pieces made this way, each
    /// document written where it is sent from.
    static func piece(capacity: Int, _ write: (inout JSONWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var writer = JSONWriter(position: buffer.baseAddress!, end: buffer.baseAddress! + capacity)
            write(&writer)
            count = writer.position - buffer.baseAddress!
        }
    }

    /// The bytes still free.
    var room: Int { end - position }

    /// The most bytes `text` takes written as a string (every byte escaped as \u00XX, and its quotes) or as null.
    static func bound(_ text: String?) -> Int { text.map { 6 * $0.utf8.count + 2 } ?? 4 }

    @inline(__always)
    mutating func raw(_ text: StaticString) {
        put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    mutating func byte(_ byte: UInt8) {
        precondition(position < end, "JSONWriter: past its bound")
        position.pointee = byte
        position += 1
    }

    /// `"key":`, after a comma unless it is the object's first; checked
    /// against the bound once, not byte by byte (a tenth of a status of all).
    @inline(__always)
    mutating func key(_ key: StaticString, first: Bool = false) {
        let count = key.utf8CodeUnitCount
        precondition(end - position >= count + 4, "JSONWriter: past its bound")
        var at = position
        if !first {
            at.pointee = UInt8(ascii: ",")
            at += 1
        }
        at.pointee = UInt8(ascii: "\"")
        Self.copy(key.utf8Start, to: at + 1, count: count)
        at += count + 1
        at.pointee = UInt8(ascii: "\"")
        (at + 1).pointee = UInt8(ascii: ":")
        position = at + 2
    }

    @inline(__always)
    mutating func null() { raw("null") }
    @inline(__always)
    mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }
    @inline(__always)
    mutating func bool(_ value: Bool?) { if let value { bool(value) } else { null() } }
    @inline(__always)
    mutating func int(_ value: Int) { int(Int64(value)) }
    @inline(__always)
    mutating func int(_ value: Int?) { if let value { int(Int64(value)) } else { null() } }
    @inline(__always)
    mutating func int(_ value: Int64?) { if let value { int(value) } else { null() } }

    @inline(__always)
    mutating func int(_ value: Int64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: a sign and 20 digits fit
        withUnsafeMutableBytes(of: &digits) { buffer in
            var n = value.magnitude
            var at = buffer.count
            repeat {
                at -= 1
                buffer[at] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            } while n > 0
            if value < 0 {
                at -= 1
                buffer[at] = UInt8(ascii: "-")
            }
            put(UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + at, count: buffer.count - at))
        }
    }

    /// 0 and 1, most torrents' progress and many ratios, without formatting.
    mutating func double(_ value: Double) {
        guard value.isFinite else { return null() }
        if value == 0 && value.sign == .plus { return raw("0.0") }
        if value == 1 { return raw("1.0") }
        var text = value.description
        text.withUTF8 { put($0) }
    }

    /// Strings with nothing to escape (nearly all) are copied as they are.
    @inline(__always)
    mutating func string(_ value: String) {
        byte(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { utf8 in
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return put(utf8)
            }
            var escaped: [UInt8] = []
            JSON.escape(value, into: &escaped)
            escaped.withUnsafeBufferPointer { put(UnsafeBufferPointer(rebasing: $0.dropFirst().dropLast())) }
        }
        byte(UInt8(ascii: "\""))
    }

    @inline(__always)
    mutating func string(_ value: String?) { if let value { string(value) } else { null() } }

    /// Bytes already JSON (a nested document written the slow way).
    mutating func json(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { put($0) } }

    @inline(__always)
    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(end - position >= bytes.count, "JSONWriter: past its bound")
        guard let base = bytes.baseAddress else { return }
        Self.copy(base, to: position, count: bytes.count)
        position += bytes.count
    }

    /// Keys and hashes are short: copied with a few loads and stores, not a
    /// call to memmove each (a fifth of a status of all, 40 calls a document).
    @inline(__always)
    private static func copy(_ source: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
        switch count {
        case 16...32:
            let head = from.loadUnaligned(as: SIMD16<UInt8>.self), tail = from.loadUnaligned(fromByteOffset: count - 16, as: SIMD16<UInt8>.self)
            to.storeBytes(of: head, as: SIMD16<UInt8>.self)
            to.storeBytes(of: tail, toByteOffset: count - 16, as: SIMD16<UInt8>.self)
        case 8..<16:
            let head = from.loadUnaligned(as: UInt64.self), tail = from.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: count - 8, as: UInt64.self)
        case 4..<8:
            let head = from.loadUnaligned(as: UInt32.self), tail = from.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            to.storeBytes(of: head, as: UInt32.self)
            to.storeBytes(of: tail, toByteOffset: count - 4, as: UInt32.self)
        case 0..<4:
            for i in 0..<count { target[i] = source[i] }
        default:
            target.update(from: source, count: count)
        }
    }
}

extension JSON {
    /// The value `write` wrote: a document defined once, by its writer, is
    /// also a value for the few places that need one. A writer's output that
    /// would not parse is a bug the documents' tests catch; it reads as null.
    init(written write: (inout [UInt8]) -> Void) {
        var bytes: [UInt8] = []
        write(&bytes)
        self = (try? JSON(parsing: bytes)) ?? .null
    }
}
