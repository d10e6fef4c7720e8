/// A decoded bencoded value, for showing DHT items (which may hold any type).
public indirect enum BencodeValue: Equatable, Sendable {
    case bytes([UInt8])
    case integer(Int64)
    case list([BencodeValue])
    case dictionary([([UInt8], BencodeValue)])

    public static func == (a: BencodeValue, b: BencodeValue) -> Bool {
        switch (a, b) {
        case let (.bytes(x), .bytes(y)): x == y
        case let (.integer(x), .integer(y)): x == y
        case let (.list(x), .list(y)): x == y
        case let (.dictionary(x), .dictionary(y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: false
        }
    }

    /// nil for anything that is not exactly one well-formed value.
    public init?(bencoded bytes: [UInt8]) {
        var index = 0
        guard let value = BencodeValue.parse(bytes, &index, depth: 0), index == bytes.count else { return nil }
        self = value
    }

    /// A byte string, bencoded: what `dht-put VALUE` stores.
    public static func encode(bytes: [UInt8]) -> [UInt8] { Array("\(bytes.count):".utf8) + bytes }

    static func parse(_ b: [UInt8], _ i: inout Int, depth: Int) -> BencodeValue? {
        guard i < b.count, depth < 64 else { return nil }
        switch b[i] {
        case UInt8(ascii: "i"):
            i += 1
            guard let end = b[i...].firstIndex(of: UInt8(ascii: "e")),
                  let n = Int64(String(decoding: b[i..<end], as: UTF8.self)) else { return nil }
            i = end + 1
            return .integer(n)
        case UInt8(ascii: "l"), UInt8(ascii: "d"):
            let isList = b[i] == UInt8(ascii: "l")
            i += 1
            var items: [BencodeValue] = []
            var pairs: [([UInt8], BencodeValue)] = []
            while i < b.count, b[i] != UInt8(ascii: "e") {
                if isList {
                    guard let item = parse(b, &i, depth: depth + 1) else { return nil }
                    items.append(item)
                } else {
                    guard case .bytes(let key)? = parse(b, &i, depth: depth + 1),
                          let value = parse(b, &i, depth: depth + 1) else { return nil }
                    pairs.append((key, value))
                }
            }
            guard i < b.count else { return nil }
            i += 1
            return isList ? .list(items) : .dictionary(pairs)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let colon = b[i...].firstIndex(of: UInt8(ascii: ":")),
                  let length = Int(String(decoding: b[i..<colon], as: UTF8.self)),
                  length <= b.count - colon - 1 else { return nil }
            i = colon + 1 + length
            return .bytes(Array(b[(colon + 1)..<i]))
        default:
            return nil
        }
    }
}

extension BencodeValue {
    /// The byte string under `key` in a bencoded dictionary, found without
    /// decoding the rest (resume data holds a whole info dictionary, pieces
    /// and all): nil when it is not there or `bytes` is not a dictionary.
    public static func string(forKey key: String, inDictionary bytes: [UInt8]) -> [UInt8]? {
        let wanted = Array(key.utf8)
        guard bytes.first == UInt8(ascii: "d") else { return nil }
        var index = 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "e") {
            guard let name = stringRange(bytes, &index), index < bytes.count else { return nil }
            if bytes[name] == wanted[...] {
                return stringRange(bytes, &index).map { Array(bytes[$0]) }
            }
            guard skip(bytes, &index, depth: 0) else { return nil }
        }
        return nil
    }

    /// A byte string's contents at `i`, moving past it.
    private static func stringRange(_ b: [UInt8], _ i: inout Int) -> Range<Int>? {
        guard i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]),
              let colon = b[i...].prefix(21).firstIndex(of: UInt8(ascii: ":")),
              let length = Int(String(decoding: b[i..<colon], as: UTF8.self)), length <= b.count - colon - 1 else { return nil }
        i = colon + 1 + length
        return (colon + 1)..<i
    }

    /// Moves past one value of any type.
    private static func skip(_ b: [UInt8], _ i: inout Int, depth: Int) -> Bool {
        guard i < b.count, depth < 64 else { return false }
        switch b[i] {
        case UInt8(ascii: "i"):
            guard let end = b[i...].firstIndex(of: UInt8(ascii: "e")) else { return false }
            i = end + 1
            return true
        case UInt8(ascii: "l"), UInt8(ascii: "d"):
            i += 1
            while i < b.count, b[i] != UInt8(ascii: "e") {
                guard skip(b, &i, depth: depth + 1) else { return false }
            }
            guard i < b.count else { return false }
            i += 1
            return true
        default:
            return stringRange(b, &i) != nil
        }
    }
}

extension BencodeValue {
    /// The value bencoded, dictionary keys in the order they are held.
    public var bencoded: [UInt8] {
        switch self {
        case .bytes(let bytes): BencodeValue.encode(bytes: bytes)
        case .integer(let n): Array("i\(n)e".utf8)
        case .list(let items): [UInt8(ascii: "l")] + items.flatMap(\.bencoded) + [UInt8(ascii: "e")]
        case .dictionary(let pairs):
            [UInt8(ascii: "d")] + pairs.flatMap { BencodeValue.encode(bytes: $0.0) + $0.1.bencoded } + [UInt8(ascii: "e")]
        }
    }

    public static func string(_ text: String) -> BencodeValue { .bytes(Array(text.utf8)) }

    /// The text of a byte string that is UTF-8; nil otherwise.
    public var text: String? {
        guard case .bytes(let bytes) = self else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// A bencoded dictionary whose values stay the bytes they were: changing one
/// key leaves every other byte as it was, in the order it was. A torrent's
/// info-hash is the hash of its info dictionary's bytes, so an edit must not
/// tidy what it was not asked to touch (unsorted keys, odd integers).
public struct RawBencodeDictionary: Sendable {
    public private(set) var entries: [(key: [UInt8], value: [UInt8])]

    /// nil for anything that is not exactly one well-formed dictionary.
    public init?(bencoded bytes: [UInt8]) {
        guard bytes.first == UInt8(ascii: "d") else { return nil }
        var index = 1
        var entries: [(key: [UInt8], value: [UInt8])] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "e") {
            guard case .bytes(let key)? = BencodeValue.parse(bytes, &index, depth: 1) else { return nil }
            let valueStart = index
            guard BencodeValue.parse(bytes, &index, depth: 1) != nil else { return nil }
            entries.append((key, Array(bytes[valueStart..<index])))
        }
        guard index == bytes.count - 1 else { return nil }
        self.entries = entries
    }

    /// The first value under `key`, as its bytes.
    public subscript(key: String) -> [UInt8]? {
        let k = Array(key.utf8)
        return entries.first { $0.key == k }?.value
    }

    public func value(_ key: String) -> BencodeValue? { self[key].flatMap(BencodeValue.init(bencoded:)) }

    /// Replaces the value (every entry of that key: the first keeps its
    /// place), or adds it before the first greater key, so a sorted
    /// dictionary stays sorted. nil removes the key.
    public mutating func set(_ key: String, _ value: [UInt8]?) {
        let k = Array(key.utf8)
        guard let first = entries.firstIndex(where: { $0.key == k }) else {
            guard let value else { return }
            let place = entries.firstIndex { k.lexicographicallyPrecedes($0.key) } ?? entries.count
            entries.insert((k, value), at: place)
            return
        }
        if let value { entries[first].value = value }
        let keep = value == nil ? first : first + 1
        entries = Array(entries[..<keep]) + entries[keep...].filter { $0.key != k }
    }

    public var bencoded: [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "d")]
        for (key, value) in entries { out += BencodeValue.encode(bytes: key) + value }
        out.append(UInt8(ascii: "e"))
        return out
    }
}
