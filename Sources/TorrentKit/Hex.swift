/// Bytes as lowercase hex, two digits each: how btx writes every hash,
/// key and bitfield.
public func lowercaseHex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var hex: [UInt8] = []
    hex.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        hex.append(hexDigits[Int(byte >> 4)])
        hex.append(hexDigits[Int(byte & 15)])
    }
    return String(decoding: hex, as: UTF8.self)
}

private let hexDigits = Array("0123456789abcdef".utf8)
