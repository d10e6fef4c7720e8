/// How a user names a torrent on the command line: its info-hash (v1 or
/// v2), a unique prefix of one (at least 6 hex digits), its exact name, or
/// a unique start of its name (`ubuntu` for ubuntu-24.04.iso, any case).
public struct TorrentKey {
    public let infoHashV1: String?
    public let infoHashV2: String?
    public let name: String

    public var infoHash: String { infoHashV1 ?? infoHashV2 ?? "" }
    public var shortHash: String { String(infoHash.prefix(8)) }

    public init(infoHashV1: String?, infoHashV2: String?, name: String) {
        self.infoHashV1 = infoHashV1
        self.infoHashV2 = infoHashV2
        self.name = name
    }
}

/// The one item `query` names, trying each way in turn: hash prefix, exact
/// name, name prefix. Ambiguity is a usage error listing the candidates
/// (exit 2), no match is exit 3.
public func select<T>(_ query: String, from items: [T], key: (T) -> TorrentKey) throws -> T {
    // Built once: a torrent's key comes from its status, and a daemon of
    // 100,000 built 200,000 of them to find one by name (45 ms).
    let keys = items.map(key)
    let lowered = query.lowercased()
    let isHex = !lowered.isEmpty && lowered.allSatisfy(\.isHexDigit)
    let ways: [(TorrentKey) -> Bool] = [
        { k in isHex && lowered.count >= 6 && [k.infoHashV1, k.infoHashV2].contains { $0?.hasPrefix(lowered) ?? false } },
        { k in k.name == query },
        { k in !query.isEmpty && k.name.lowercased().hasPrefix(lowered) },
    ]
    for way in ways {
        let matches = keys.indices.filter { way(keys[$0]) }
        if matches.count == 1 { return items[matches[0]] }
        if matches.count > 1 {
            let candidates = matches.map { "  \(keys[$0].shortHash)  \(keys[$0].name)" }.joined(separator: "\n")
            throw BTXError(exitCode: .usage, message: "'\(query)' matches \(matches.count) torrents; name one by hash:\n\(candidates)")
        }
    }
    if isHex && lowered.count < 6 && keys.contains(where: { [$0.infoHashV1, $0.infoHashV2].contains { $0?.hasPrefix(lowered) ?? false } }) {
        throw BTXError.usage("'\(query)' is too short for a hash prefix: use at least 6 hex digits")
    }
    throw BTXError.notFound("no torrent matches '\(query)' (see 'btx status')")
}
