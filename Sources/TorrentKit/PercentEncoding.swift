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
