/// Text handling btx needs without Foundation: trimming, UTF-8 validation, base64.
extension StringProtocol {
    /// Without leading and trailing whitespace (spaces, tabs, line ends).
    public var trimmingSpaces: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

extension String {
    public init?(validatingUTF8 bytes: some Collection<UInt8>) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self = text
    }
}

/// Standard base64 with padding (RFC 4648).
public func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    var out = ""
    for chunk in stride(from: 0, to: bytes.count, by: 3) {
        let n = min(3, bytes.count - chunk)
        let b = (0..<3).map { $0 < n ? UInt32(bytes[chunk + $0]) : 0 }
        let word = b[0] << 16 | b[1] << 8 | b[2]
        for i in 0..<4 { out.append(i <= n ? alphabet[Int(word >> (18 - 6 * UInt32(i)) & 63)] : "=") }
    }
    return out
}

/// nil for anything that is not padded standard base64.
public func base64Decode(_ text: String) -> [UInt8]? {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var table = [Int16](repeating: -1, count: 256)
    for (i, c) in alphabet.enumerated() { table[Int(c)] = Int16(i) }
    let input = Array(text.utf8)
    guard input.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(input.count / 4 * 3)
    for chunk in stride(from: 0, to: input.count, by: 4) {
        let quad = input[chunk..<chunk + 4]
        let padding = quad.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2, chunk + 4 == input.count || padding == 0 else { return nil }
        var word: UInt32 = 0
        for (i, c) in quad.enumerated() {
            let v: Int16 = i >= 4 - padding ? 0 : table[Int(c)]
            guard v >= 0 else { return nil }
            word = word << 6 | UInt32(v)
        }
        out.append(UInt8(word >> 16 & 0xFF))
        if padding < 2 { out.append(UInt8(word >> 8 & 0xFF)) }
        if padding < 1 { out.append(UInt8(word & 0xFF)) }
    }
    return out
}
