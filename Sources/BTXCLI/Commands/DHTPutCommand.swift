import BTXSession
import TorrentKit

let dhtPutCommand = Command(
    name: "dht-put",
    usage: "dht-put VALUE|- [--mutable]",
    summary: "store a BEP 44 item on the DHT",
    details: """
        Stores VALUE (or standard input, byte for byte) as a bencoded string: immutable by default, printing \
        its target. With --mutable the item is signed with the ed25519 key in the data directory's dht.key \
        (created on first use, mode 0600) or --key FILE, and stored under the public key (and --salt); its \
        seq is one more than the DHT's unless --seq is given, and --cas only replaces that seq. \
        Prints how many nodes stored it; exits 1 when none did. BEP 44 limits values to 1000 bencoded bytes.
        """,
    options: [
        OptionSpec(long: "mutable", summary: "store a signed, updatable item"),
        dhtKeyOption,
        OptionSpec(long: "salt", argument: "S", summary: "store under this salt (several items per key)"),
        OptionSpec(long: "seq", argument: "N", summary: "the sequence number (default: one more than the DHT's)"),
        OptionSpec(long: "cas", argument: "SEQ", summary: "only replace the item if its seq is SEQ"),
        dhtTimeoutOption,
    ] + sessionOptions,
    positional: .file,
    run: runDHTPut
)

private func runDHTPut(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let mutable = invocation.flag("mutable")
    for option in ["key", "salt", "seq", "cas"] where !mutable && invocation.value(option) != nil {
        throw BTXError.usage("--\(option) needs --mutable", command: "dht-put")
    }
    func number(_ option: String) throws -> Int64? {
        guard let text = invocation.value(option) else { return nil }
        guard let n = Int64(text), n >= 0 else { throw BTXError.usage("--\(option): '\(text)' is not a whole number", command: "dht-put") }
        return n
    }
    let seq = try number("seq"), cas = try number("cas")
    let argument = invocation.arguments[0]
    let raw = argument == "-" ? try FileIO.read("-") : Array(argument.utf8)
    let value = BencodeValue.encode(bytes: raw)
    guard value.count <= DHTItem.maxValueSize else {
        throw BTXError.failure("the value is \(value.count) bytes bencoded; BEP 44 allows \(DHTItem.maxValueSize)")
    }
    let salt = Array((invocation.value("salt") ?? "").utf8)
    let keyPath = DHTKeyFile.path(invocation)
    let key = mutable ? try DHTKeyFile.loadOrCreate(keyPath) : nil
    let dht = try CommandDHT(invocation, timeout: try dhtTimeout(invocation))
    defer { dht.close() }
    let item = try dht.put(value, key: key.map { ($0, keyPath) }, salt: salt, seq: seq, cas: cas)

    let out = invocation.output
    if out.json {
        var fields: [(String, JSON)] = [("target", .string(item.target)), ("mutable", .bool(item.isMutable))]
        if item.isMutable {
            fields += [("public_key", .optional(item.publicKey)), ("salt", .string(String(decoding: salt, as: UTF8.self))),
                       ("seq", .int(item.seq))]
        }
        fields.append(("nodes", .int(item.nodes)))
        out.document(.object(fields))
    } else {
        var pairs: [(String, String)] = []
        if item.isMutable {
            pairs += [("public key", item.publicKey ?? "")]
            if !salt.isEmpty { pairs.append(("salt", String(decoding: salt, as: UTF8.self))) }
            pairs.append(("seq", String(item.seq)))
        }
        pairs += [("target", item.target), ("stored on", "\(item.nodes) node\(item.nodes == 1 ? "" : "s")")]
        out.fields(pairs)
    }
    if item.nodes == 0 { throw BTXError.failure("no DHT node stored the item") }
}
