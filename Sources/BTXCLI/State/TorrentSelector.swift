/// How a user names a torrent on the command line: its info-hash (v1 or
/// v2), a unique prefix of one (at least 6 hex digits), or its exact name.
struct TorrentKey {
    let infoHashV1: String?
    let infoHashV2: String?
    let name: String

    var infoHash: String { infoHashV1 ?? infoHashV2 ?? "" }
    var shortHash: String { String(infoHash.prefix(8)) }
}

/// The one item `query` names; ambiguity is a usage error listing the
/// candidates (exit 2), no match is exit 3.
func select<T>(_ query: String, from items: [T], key: (T) -> TorrentKey) throws -> T {
    let lowered = query.lowercased()
    var matches: [T] = []
    if lowered.count >= 6, lowered.allSatisfy(\.isHexDigit) {
        matches = items.filter {
            let k = key($0)
            return [k.infoHashV1, k.infoHashV2].contains { $0?.hasPrefix(lowered) ?? false }
        }
    }
    if matches.isEmpty { matches = items.filter { key($0).name == query } }
    if matches.count == 1 { return matches[0] }
    if matches.isEmpty {
        throw CLIError.notFound("no torrent matches '\(query)' (see 'btx status')")
    }
    let candidates = matches.map { "  \(key($0).shortHash)  \(key($0).name)" }.joined(separator: "\n")
    throw CLIError(exitCode: .usage, message: "'\(query)' matches \(matches.count) torrents; name one by hash:\n\(candidates)")
}
