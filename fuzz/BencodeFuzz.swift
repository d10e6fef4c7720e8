// DHT values as `btx dht-get` shows them: any bytes another node stored.
// Compiled into one module with Sources/TorrentKit/Bencode.swift.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBencode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = BencodeValue(bencoded: bytes) else { return 0 }
    // A value read back from its own bencoding is the same value.
    let encoded = bencode(value)
    guard BencodeValue(bencoded: encoded) == value else { fatalError("bencode round trip changed the value") }
    return 0
}

private func bencode(_ value: BencodeValue) -> [UInt8] {
    switch value {
    case .bytes(let bytes): BencodeValue.encode(bytes: bytes)
    case .integer(let n): Array("i\(n)e".utf8)
    case .list(let items): [UInt8(ascii: "l")] + items.flatMap(bencode) + [UInt8(ascii: "e")]
    case .dictionary(let pairs):
        [UInt8(ascii: "d")] + pairs.flatMap { BencodeValue.encode(bytes: $0.0) + bencode($0.1) } + [UInt8(ascii: "e")]
    }
}
