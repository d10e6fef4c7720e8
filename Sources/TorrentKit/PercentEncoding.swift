/// RFC 3986 percent-encoding: every byte but the unreserved characters
/// (letters, digits, - . _ ~) as %XX, so the text fits any part of a URL.
public func percentEncoded(_ text: String) -> String {
    text.utf8.map { byte in
        let c = Unicode.Scalar(byte)
        let plain = byte < 0x80 && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
            || "-._~".unicodeScalars.contains(c))
        return plain ? String(c) : "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }.joined()
}

/// nil for a bad escape, a NUL (libtorrent takes C strings) or bytes
/// that are not UTF-8.
public func percentDecoded(_ text: Substring) -> String? {
    var bytes: [UInt8] = []
    var utf8 = text.utf8[...]
    while let byte = utf8.first {
        utf8 = utf8.dropFirst()
        guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
        guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
            return nil
        }
        bytes.append(value)
        utf8 = utf8.dropFirst(2)
    }
    let decoded = String(decoding: bytes, as: UTF8.self)
    guard !bytes.contains(0), Array(decoded.utf8) == bytes else { return nil }
    return decoded
}
