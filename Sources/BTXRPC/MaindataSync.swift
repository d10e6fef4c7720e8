import BTXSession

/// sync/maindata: a client sends the `rid` of the last answer it got and
/// receives only what changed since: the torrents whose documents changed
/// (only their changed fields when its answer was the last one given, else
/// all of them), the torrents removed; or everything (`full_update`) when
/// that answer is not remembered. Unchanged torrents cost nothing: the
/// mirror knows which changed after which session revision.
final class MaindataSync {
    private var lastRID = 0
    /// The session revision, categories and tags each recent answer showed.
    private var answered: [(rid: Int, revision: Int64, categories: [String: [UInt8]], tags: [String])] = []
    private static let keptAnswers = 16
    /// What the last answer left each client with, encoded field by field:
    /// the base of a field-level difference for the client that got it.
    private var sentTorrents: [String: [[UInt8]]] = [:]
    private var sentServer: [String: [UInt8]] = [:]

    func answer(rid asked: Int, mirror: TorrentMirror, fields: (TorrentDocument) -> (String, [(String, JSON)]),
                categories: [(String, JSON)], tags: [String], serverState: JSON) -> JSON {
        let base = answered.first { $0.rid == asked && asked > 0 }
        let removed = base.flatMap { mirror.removed(since: $0.revision) }
        let followsLast = asked == lastRID
        lastRID += 1
        let categoryBytes = Dictionary(categories.map { ($0.0, $0.1.bytes) }, uniquingKeysWith: { first, _ in first })
        answered.append((lastRID, mirror.revision, categoryBytes, tags))
        if answered.count > Self.keptAnswers { answered.removeFirst() }
        let server = serverState.objectFields ?? []
        defer {
            sentServer = Dictionary(server.map { ($0.0, $0.1.bytes) }, uniquingKeysWith: { first, _ in first })
        }

        guard let base, let removed else {
            var torrents: [(String, JSON)] = []
            sentTorrents = [:]
            for document in mirror.all {
                let (hash, values) = fields(document)
                sentTorrents[hash] = values.map(\.1.bytes)
                torrents.append((hash, .object(values)))
            }
            return .object([("rid", .int(lastRID)), ("full_update", .bool(true)), ("torrents", .object(torrents)),
                            ("categories", .object(categories)), ("tags", .array(tags.map(JSON.string))),
                            ("server_state", serverState)])
        }
        var changed: [(String, JSON)] = []
        for document in mirror.all where (mirror.changedAt[document.infoHash] ?? .max) > base.revision {
            let (hash, values) = fields(document)
            let now = values.map(\.1.bytes)
            let before = followsLast ? sentTorrents[hash] : nil
            sentTorrents[hash] = now
            let different = values.indices.filter { index in before.map { index >= $0.count || $0[index] != now[index] } ?? true }
            if !different.isEmpty { changed.append((hash, .object(different.map { values[$0] }))) }
        }
        // qBittorrent's id of a removed torrent: what its document showed (the v1 hash, or the v2 cut to 40).
        let gone = removed.filter { mirror.document($0) == nil }.map { String($0.prefix(40)) }
        for hash in gone { sentTorrents[hash] = nil }

        var answer: [(String, JSON)] = [("rid", .int(lastRID))]
        if !changed.isEmpty { answer.append(("torrents", .object(changed))) }
        if !gone.isEmpty { answer.append(("torrents_removed", .array(gone.map(JSON.string)))) }
        // Categories and tags against what this client's own last answer showed.
        let changedCategories = categories.filter { base.categories[$0.0] != $0.1.bytes }
        if !changedCategories.isEmpty { answer.append(("categories", .object(changedCategories))) }
        let removedCategories = base.categories.keys.filter { categoryBytes[$0] == nil }.sorted()
        if !removedCategories.isEmpty { answer.append(("categories_removed", .array(removedCategories.map(JSON.string)))) }
        let newTags = tags.filter { !base.tags.contains($0) }
        if !newTags.isEmpty { answer.append(("tags", .array(newTags.map(JSON.string)))) }
        let removedTags = base.tags.filter { !tags.contains($0) }
        if !removedTags.isEmpty { answer.append(("tags_removed", .array(removedTags.map(JSON.string)))) }
        let changedServer = server.filter { !followsLast || sentServer[$0.0] != $0.1.bytes }
        if !changedServer.isEmpty { answer.append(("server_state", .object(changedServer))) }
        return .object(answer)
    }
}
