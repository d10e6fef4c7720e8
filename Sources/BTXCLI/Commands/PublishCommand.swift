import BTXSession
import Glibc
import TorrentKit

let publishCommand = Command(
    name: "publish",
    usage: "publish TORRENT|PATH [--salt S] [--key FILE] [-o FILE]",
    summary: "publish a torrent that updates itself (BEP 46)",
    details: """
        Stores the torrent's info-hash on the DHT as a mutable item signed with the ed25519 key in the \
        data directory's dht.key (created on first use, mode 0600) or --key FILE, under --salt if given, \
        and prints its magnet:?xs=urn:btpk: link. Given a file or folder that is not a .torrent, it makes \
        a hybrid torrent of it first and writes it to FILE (default: NAME.torrent in the current \
        directory, replaced on each publish). Publishing a new version bumps the item's sequence number; \
        the same version again only refreshes it (DHT nodes forget items after two hours). \
        'btx add' of the link downloads the current version. Seed the torrent for followers to download \
        it, e.g. with 'btx add TORRENT -o PARENT --seed'. The item holds BEP 46's {"ih": v1 info-hash}, \
        or the 32-byte v2 one for a v2-only torrent. Exits 1 when no DHT node stored it.
        """,
    options: [
        OptionSpec(long: "salt", argument: "S", summary: "publish under this salt (several torrents per key), at most 64 bytes"),
        dhtKeyOption,
        OptionSpec(long: "output", short: "o", argument: "FILE", summary: "where a torrent made of PATH goes (default: NAME.torrent)",
                   completion: .file),
        dhtTimeoutOption,
    ] + sessionOptions,
    positional: .file,
    run: runPublish
)

private func runPublish(_ invocation: Invocation) throws {
    try invocation.expectArguments(1, 1)
    let keyPath = DHTKeyFile.path(invocation)
    let salt = Array((invocation.value("salt") ?? "").utf8)
    guard salt.count <= MutableTorrentLink.maxSaltBytes else {
        throw BTXError.usage("--salt is \(salt.count) bytes; BEP 44 allows \(MutableTorrentLink.maxSaltBytes)", command: "publish")
    }
    // The torrent first: a folder that cannot be read stops the command before any key is made.
    let (torrentPath, info, made) = try publishedTorrent(invocation.arguments[0], invocation)
    let key = try DHTKeyFile.loadOrCreate(keyPath)
    let link = try MutableTorrentLink(publicKey: key.publicKey, salt: salt)
    let value = MutableTorrentLink.value(infoHashV1: info.infoHashV1, infoHashV2: info.infoHashV2)

    let dht = try CommandDHT(invocation, timeout: try dhtTimeout(invocation))
    defer { dht.close() }
    let current: DHTItem?
    do {
        current = try dht.get(link.publicKey, salt: salt)
    } catch let error as BTXError where error.exitCode == .notFound {
        current = nil
    }
    // The same version again only refreshes the item; a new one is the next seq, and only if no one published
    // meanwhile. None found (a first publish, or a lookup that missed it): one more than the put's own lookup finds.
    let unchanged = current?.value == value
    let seq = current.map { unchanged ? $0.seq : $0.seq + 1 }
    let item = try dht.put(value, key: (key, keyPath), salt: salt, seq: seq, cas: current?.seq)

    let out = invocation.output
    if out.json {
        out.document(.object([
            ("magnet", .string(link.magnet)), ("public_key", .string(link.publicKey)),
            ("salt", .string(String(decoding: salt, as: UTF8.self))), ("seq", .int(item.seq)),
            ("updated", .bool(!unchanged)), ("name", .string(info.name)),
            ("info_hash_v1", .optional(info.infoHashV1)), ("info_hash_v2", .optional(info.infoHashV2)),
            ("torrent", .string(torrentPath)), ("created", .bool(made)), ("nodes", .int(item.nodes)),
        ]))
    } else {
        var fields: [(String, String)] = [("published", info.name), ("torrent", torrentPath)]
        if let v1 = info.infoHashV1 { fields.append(("info hash v1", v1)) }
        if let v2 = info.infoHashV2 { fields.append(("info hash v2", v2)) }
        fields += [("seq", String(item.seq) + (unchanged ? " (unchanged, refreshed)" : "")),
                   ("stored on", "\(item.nodes) node\(item.nodes == 1 ? "" : "s")"), ("magnet", link.magnet)]
        if made {
            let parent = absolutePath(invocation.arguments[0]).split(separator: "/").dropLast().joined(separator: "/")
            fields.append(("seed it", "btx add \(shellQuoted(torrentPath)) -o \(shellQuoted("/" + parent)) --seed"))
        }
        out.fields(fields)
    }
    if item.nodes == 0 { throw BTXError.failure("no DHT node stored the item") }
}

/// The torrent to publish: TORRENT as it is, or one made of PATH (hybrid,
/// so a later version shares its unchanged files' v2 roots), written where
/// -o says. Whether it was made here.
private func publishedTorrent(_ path: String, _ invocation: Invocation) throws -> (path: String, info: TorrentInfo, made: Bool) {
    var st = stat()
    if path.hasSuffix(".torrent"), stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
        return (path, try AddSource.resolveMetainfo(try FileIO.read(path), shown: path).info, false)
    }
    let content = try scanContent(path, exclude: [])
    var options = TorrentOptions()
    options.format = .hybrid
    options.creator = "btx \(btxVersion)"
    options.creationDate = Int64(time(nil))
    let destination = invocation.value("output") ?? content.name + ".torrent"
    // Inside the content, each publish would make a new version of itself.
    let root = absolutePath(path)
    if absolutePath(destination).hasPrefix(root + "/") {
        throw BTXError.usage("\(destination) is inside \(path): write the torrent elsewhere with -o", command: "publish")
    }
    // Replaced on each publish, but only if it is a torrent of the same content: anything else stays.
    if FileIO.exists(destination),
       (try? TorrentInfo(bytes: try FileIO.read(destination)))?.name != content.name {
        throw BTXError.failure("\(destination) exists and is not a torrent of \(content.name): choose another with -o")
    }
    let bytes = try hashContent(content, options: options, output: invocation.output)
    try FileIO.writeAtomically(bytes, to: destination, replace: true)
    return (destination, try TorrentInfo(bytes: bytes), true)
}

/// A path for a command line people copy: quoted when it needs to be.
private func shellQuoted(_ text: String) -> String {
    guard !text.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+,:@".contains($0) }) else { return text }
    return "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
