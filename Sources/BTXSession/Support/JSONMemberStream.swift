/// A JSON object read as its bytes arrive: each member is handed over once
/// it is whole, and an array member item by item. A reply listing 100,000
/// torrents is acted on from its first, never parsed or held whole.
public struct JSONMemberStream {
    public enum Part {
        case member(key: String, value: JSON)
        /// One item of the array that is the value of `key`, as its text:
        /// read in place (TorrentDocument(text:)) or parsed (JSON(parsing:)),
        /// valid only while the handler runs.
        case item(key: String, text: UnsafeRawBufferPointer)
    }

    private enum Phase { case start, key, colon, value, item, afterValue, done }

    private var phase = Phase.start
    /// Containers open, the object's own included: members lie at 1, the
    /// items of an array member at 2.
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var collecting = false
    private var bytes: [UInt8] = []
    private var key = ""

    public init() {}

    public var isComplete: Bool { phase == .done }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (Part) throws -> Void) throws {
        var runStart = 0
        var i = 0
        let count = chunk.count
        // Collected bytes are copied a run at a time, not byte by byte.
        func take(upTo end: Int) {
            if collecting && end > runStart { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[runStart..<end])) }
        }
        func begin(at index: Int) {
            collecting = true
            bytes.removeAll(keepingCapacity: true)
            runStart = index
        }
        func end(at index: Int) -> [UInt8] {
            take(upTo: index)
            collecting = false
            return bytes
        }
        while i < count {
            // Most bytes lie inside a value, where only quotes, escapes and
            // brackets matter: skipped in a tight loop.
            if inString && !escaped {
                while i < count, chunk[i] != UInt8(ascii: "\""), chunk[i] != UInt8(ascii: "\\") { i += 1 }
                if i == count { break }
            } else if collecting && !inString {
                while i < count, !Self.isStructural(chunk[i]) { i += 1 }
                if i == count { break }
            }
            let byte = chunk[i]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if phase == .key {
                        key = try JSON(parsing: end(at: i + 1)).stringValue ?? ""
                        phase = .colon
                    }
                }
                i += 1
                continue
            }
            let space = byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
            switch phase {
            case .start:
                guard space || byte == UInt8(ascii: "{") else { throw Self.malformed }
                if !space { depth = 1; phase = .key }
            case .key:
                if byte == UInt8(ascii: "\"") {
                    begin(at: i)
                    inString = true
                } else if byte == UInt8(ascii: "}") {
                    phase = .done
                    depth = 0
                } else if !space && byte != UInt8(ascii: ",") {
                    throw Self.malformed
                }
            case .colon:
                guard space || byte == UInt8(ascii: ":") else { throw Self.malformed }
                if !space { phase = .value }
            case .afterValue:
                if byte == UInt8(ascii: ",") {
                    phase = .key
                } else if byte == UInt8(ascii: "}") {
                    phase = .done
                    depth = 0
                } else if !space {
                    throw Self.malformed
                }
            case .done:
                guard space else { throw Self.malformed }
            case .value, .item:
                let base = phase == .value ? 1 : 2
                if !collecting {
                    if space { break }
                    if phase == .value && byte == UInt8(ascii: "[") {
                        depth = 2
                        phase = .item
                        break
                    }
                    if phase == .item && byte == UInt8(ascii: "]") {
                        depth = 1
                        phase = .afterValue
                        break
                    }
                    begin(at: i)
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth > base {
                        if byte != UInt8(ascii: ",") { depth -= 1 }
                        break
                    }
                    if phase == .value {
                        try handle(.member(key: key, value: try JSON(parsing: end(at: i))))
                        guard byte != UInt8(ascii: "]") else { throw Self.malformed }
                        phase = byte == UInt8(ascii: ",") ? .key : .done
                        if phase == .done { depth = 0 }
                    } else {
                        try end(at: i).withUnsafeBytes { try handle(.item(key: key, text: $0)) }
                        guard byte != UInt8(ascii: "}") else { throw Self.malformed }
                        if byte == UInt8(ascii: "]") {
                            depth = 1
                            phase = .afterValue
                        }
                    }
                default:
                    break
                }
            }
            i += 1
        }
        take(upTo: count)
        runStart = 0
    }

    /// A quote, comma or bracket: ('{' | 0x20) == ('[' | 0x20), as for the closing ones.
    private static func isStructural(_ byte: UInt8) -> Bool {
        let folded = byte | 0x20
        return folded == UInt8(ascii: "{") || folded == UInt8(ascii: "}") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"")
    }

    private static let malformed = BTXError.failure("the session's reply is not a JSON object")
}
