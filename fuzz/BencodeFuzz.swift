// DHT values as `btx dht-get` shows them: any bytes another node stored;
// and .torrent files as `btx edit` splices them. Compiled into one module
// with Sources/TorrentKit/Bencode.swift.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBencode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkRawDictionary(bytes)
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

/// The byte-keeping dictionary reads what the value parser reads, and an
/// edit of one key leaves every other entry's bytes as they were.
private func checkRawDictionary(_ bytes: [UInt8]) {
    guard let dictionary = RawBencodeDictionary(bencoded: bytes) else { return }
    guard case .dictionary(let pairs)? = BencodeValue(bencoded: bytes), pairs.map(\.0) == dictionary.entries.map(\.key),
          pairs.map(\.1) == dictionary.entries.map({ BencodeValue(bencoded: $0.value)! }) else {
        fatalError("the raw dictionary read something else than the value parser")
    }
    var edited = dictionary
    edited.set("comment", BencodeValue.string("fuzz").bencoded)
    guard let again = RawBencodeDictionary(bencoded: edited.bencoded) else { fatalError("an edited dictionary does not parse") }
    let others = { (d: RawBencodeDictionary) in d.entries.filter { $0.key != Array("comment".utf8) }.map { $0.key + [0] + $0.value } }
    guard others(again) == others(dictionary), again["comment"] == BencodeValue.string("fuzz").bencoded else {
        fatalError("editing one key changed another")
    }
}
