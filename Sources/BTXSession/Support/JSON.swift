/// A JSON value that keeps its keys in the order they were written, so
/// btx's documents read the same every time.
public enum JSON {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])
    /// JSON text made piece by piece as the socket it goes to drains,
    /// opaque to lookups, standing for several items of an array: a status of 100,000
    /// torrents is never held whole, and its first bytes leave before its
    /// last are written. Made once: written a second time it is empty.
    /// Alone in its array: its producer writes the commas between its own
    /// items, and knows of no others.
    case produced(JSONProducer)

    public static func int(_ value: Int) -> JSON { .int(Int64(value)) }
    public static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    /// An object with one more field at its end (anything else is returned as it is).
    public func adding(_ key: String, _ value: JSON) -> JSON {
        guard case .object(let fields) = self else { return self }
        return .object(fields + [(key, value)])
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// UTF-8, written straight into bytes: a status of thousands of
    /// torrents is megabytes, and String appends cost several times more.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedSizeEstimate)
        write(into: &out)
        return out
    }

    /// About the size `write` makes (exact but for escapes and doubles),
    /// to reserve: a status of thousands of torrents is megabytes, and a
    /// buffer grown by doubling is copied and faulted in a dozen times.
    public var encodedSizeEstimate: Int {
        switch self {
        case .null, .bool: return 5
        case .int: return 20
        case .double: return 24
        case .string(let s): return s.utf8.count + 2
        case .array(let items): return items.reduce(items.count + 1) { $0 + $1.encodedSizeEstimate }
        case .object(let fields): return fields.reduce(fields.count + 1) { $0 + $1.0.utf8.count + 3 + $1.1.encodedSizeEstimate }
        case .produced: return 0
        }
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += JSON.nullBytes
        case .bool(let b): out += b ? JSON.trueBytes : JSON.falseBytes
        case .int(let i): JSON.append(i, to: &out)
        case .double(let d): d.isFinite ? out.append(contentsOf: d.description.utf8) : out.append(contentsOf: JSON.nullBytes)
        case .string(let s): JSON.escape(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSON.escape(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .produced(let producer): while let piece = producer.next() { out += piece }
        }
    }

    static let nullBytes = Array("null".utf8), trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)

    static func append(_ value: Int64, to out: inout [UInt8]) {
        guard value >= 0 else { return out += Array(String(value).utf8) }
        var n = UInt64(value)
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(n % 10))
            n /= 10
        } while n > 0
        out[start...].reverse()
    }

    /// Strings with nothing to escape (nearly all) are copied as they are.
    static func escape(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = string
        s.withUTF8 { utf8 in
            guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return out.append(contentsOf: utf8)
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case ..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// The pieces of a `JSON.produced`, made as they are asked for.
public final class JSONProducer {
    private let make: () -> [UInt8]?

    /// `make` gives the next piece, nil once there is no more.
    public init(_ make: @escaping () -> [UInt8]?) {
        self.make = make
    }

    public func next() -> [UInt8]? { make() }
}
