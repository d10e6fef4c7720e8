import BTXSession
import Glibc
import TorrentKit

let dhtGetCommand = Command(
    name: "dht-get",
    usage: "dht-get TARGET [--salt S]",
    summary: "read a BEP 44 item from the DHT",
    details: """
        TARGET is 40 hex digits for an immutable item (the SHA-1 of its value) or a 64-hex public key for a \
        mutable one. Prints the value: a string's raw bytes (so 'btx dht-get X > file' round-trips binary), \
        other bencoded types as JSON. With --json: value (UTF-8 text, or base64 with "encoding":"base64"), \
        seq, signature, public_key, salt, authoritative and nodes (how many answered with the item). \
        Exits 3 when nothing is found.
        """,
    options: [
        OptionSpec(long: "salt", argument: "S", summary: "the mutable item's salt"),
        dhtTimeoutOption,
    ] + sessionOptions,
    run: runDHTGet
)

private func runDHTGet(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let target = invocation.arguments[0].lowercased()
    guard (target.count == 40 || target.count == 64), target.allSatisfy(\.isHexDigit) else {
        throw BTXError.usage("TARGET must be 40 hex digits (immutable) or a 64-hex public key (mutable)", command: "dht-get")
    }
    let salt = Array((invocation.value("salt") ?? "").utf8)
    if target.count == 40 && !salt.isEmpty {
        throw BTXError.usage("--salt goes with a mutable item's public key, not a 40-hex target", command: "dht-get")
    }
    let dht = try CommandDHT(invocation, timeout: try dhtTimeout(invocation), lookupOnly: true)
    defer { dht.close() }
    let item = try dht.get(target, salt: salt)
    guard let value = item.value else { throw BTXError.notFound("nothing found for \(target)") }
    printItem(item, value: value, nodes: item.nodes, output: invocation.output)
}

private func printItem(_ item: DHTItem, value: [UInt8], nodes: Int, output: Output) {
    let decoded = BencodeValue(bencoded: value)
    if output.json {
        var fields: [(String, JSON)] = [("target", .string(item.target)), ("mutable", .bool(item.isMutable))]
        if case .bytes(let bytes)? = decoded {
            let text = String(validatingUTF8: bytes)
            fields += [("value", .string(text ?? base64(bytes))), ("encoding", .string(text == nil ? "base64" : "utf-8"))]
        } else {
            fields += [("value", decoded.map(json) ?? .null), ("encoding", .string("json"))]
        }
        if item.isMutable {
            fields += [("public_key", .optional(item.publicKey)), ("salt", .string(String(decoding: item.salt, as: UTF8.self))),
                       ("seq", .int(item.seq)), ("signature", .optional(item.signature)),
                       ("authoritative", .bool(item.isAuthoritative))]
        }
        fields.append(("nodes", .int(nodes)))
        output.document(.object(fields))
        return
    }
    if case .bytes(let bytes)? = decoded {
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, stdout) }
    } else {
        output.line((decoded.map(json) ?? .null).text)
    }
}

/// Bencoded values as JSON: byte strings as UTF-8 text where they are, else base64.
private func json(_ value: BencodeValue) -> JSON {
    switch value {
    case .bytes(let bytes): .string(String(validatingUTF8: bytes) ?? base64(bytes))
    case .integer(let n): .int(n)
    case .list(let items): .array(items.map(json))
    case .dictionary(let pairs): .object(pairs.map { (String(decoding: $0.0, as: UTF8.self), json($0.1)) })
    }
}
