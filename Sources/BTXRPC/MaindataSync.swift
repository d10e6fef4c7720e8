import BTXSession

/// sync/maindata: a client sends the `rid` of the last answer it got and
/// receives only what changed since (the fields of each torrent that
/// differ, the torrents removed), or everything (`full_update`) when that
/// answer is not remembered. Each field is kept encoded: two answers are
/// compared byte for byte, not value by value.
final class MaindataSync {
    private struct Snapshot {
        let rid: Int
        let torrents: [String: [[UInt8]]]
        let categories: [String: [UInt8]]
        let tags: [String]
        let server: [String: [UInt8]]
    }

    private var lastRID = 0
    /// The last few answers: clients poll one after another, each from its own.
    private var snapshots: [Snapshot] = []
    private static let kept = 4

    func answer(rid asked: Int, torrents: [(String, [(String, JSON)])], categories: [(String, JSON)], tags: [String],
                serverState: JSON) -> JSON {
        lastRID += 1
        let names = torrents.first?.1.map(\.0) ?? []
        let encoded = Dictionary(torrents.map { ($0.0, $0.1.map(\.1.bytes)) }, uniquingKeysWith: { first, _ in first })
        let categoryBytes = Dictionary(categories.map { ($0.0, $0.1.bytes) }, uniquingKeysWith: { first, _ in first })
        let server = serverState.objectFields ?? []
        let serverBytes = Dictionary(server.map { ($0.0, $0.1.bytes) }, uniquingKeysWith: { first, _ in first })
        let base = snapshots.first { $0.rid == asked && asked > 0 }
        snapshots.append(Snapshot(rid: lastRID, torrents: encoded, categories: categoryBytes, tags: tags, server: serverBytes))
        if snapshots.count > Self.kept { snapshots.removeFirst() }

        guard let base else {
            return .object([("rid", .int(lastRID)), ("full_update", .bool(true)),
                            ("torrents", .object(torrents.map { ($0.0, .object($0.1)) })), ("categories", .object(categories)),
                            ("tags", .array(tags.map(JSON.string))), ("server_state", serverState)])
        }
        var changed: [(String, JSON)] = []
        for (hash, fields) in torrents {
            guard let before = base.torrents[hash] else {
                changed.append((hash, .object(fields)))
                continue
            }
            let now = encoded[hash] ?? []
            let different = fields.indices.filter { $0 >= before.count || before[$0] != now[$0] }
            if !different.isEmpty { changed.append((hash, .object(different.map { (names[$0], fields[$0].1) }))) }
        }
        var answer: [(String, JSON)] = [("rid", .int(lastRID))]
        if !changed.isEmpty { answer.append(("torrents", .object(changed))) }
        let removed = base.torrents.keys.filter { encoded[$0] == nil }.sorted()
        if !removed.isEmpty { answer.append(("torrents_removed", .array(removed.map(JSON.string)))) }
        let changedCategories = categories.filter { base.categories[$0.0] != categoryBytes[$0.0] }
        if !changedCategories.isEmpty { answer.append(("categories", .object(changedCategories))) }
        let removedCategories = base.categories.keys.filter { categoryBytes[$0] == nil }.sorted()
        if !removedCategories.isEmpty { answer.append(("categories_removed", .array(removedCategories.map(JSON.string)))) }
        let newTags = tags.filter { !base.tags.contains($0) }
        if !newTags.isEmpty { answer.append(("tags", .array(newTags.map(JSON.string)))) }
        let removedTags = base.tags.filter { !tags.contains($0) }
        if !removedTags.isEmpty { answer.append(("tags_removed", .array(removedTags.map(JSON.string)))) }
        let changedServer = server.filter { base.server[$0.0] != serverBytes[$0.0] }
        if !changedServer.isEmpty { answer.append(("server_state", .object(changedServer))) }
        return .object(answer)
    }
}
