import BTXSession
import Glibc

/// qBittorrent's categories and tags over btx's labels. A torrent's labels
/// that name a category are its category (the first of them); the others
/// are its tags. Categories come from the config (`category = NAME [PATH]`)
/// and from the API (createCategory), which are kept in STATE/categories.json
/// with the tags created before any torrent had them.
final class LabelBook {
    private(set) var categories: [String: String] = [:]
    private(set) var createdTags: [String] = []
    private let path: String

    init(directory: StateDirectory, configured: [(name: String, savePath: String?)]) {
        path = directory.state + "/categories.json"
        if let bytes = try? FileIO.readStateFile(path, limit: 4 << 20), let json = try? JSON(parsing: bytes) {
            for (name, value) in json["categories"]?.objectFields ?? [] { categories[name] = value.stringValue ?? "" }
            createdTags = json["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        for (name, savePath) in configured { categories[name] = savePath ?? "" }
    }

    func category(of labels: [String]) -> String { labels.first { categories[$0] != nil } ?? "" }

    func tags(of labels: [String]) -> [String] { labels.filter { categories[$0] == nil } }

    func setCategory(_ name: String, savePath: String) throws {
        try checkLabel(name)
        categories[name] = savePath
        try save()
    }

    func removeCategory(_ name: String) throws {
        categories[name] = nil
        try save()
    }

    func createTags(_ tags: [String]) throws {
        for tag in tags {
            try checkLabel(tag)
            if !createdTags.contains(tag) { createdTags.append(tag) }
        }
        try save()
    }

    func deleteTags(_ tags: [String]) throws {
        createdTags.removeAll { tags.contains($0) }
        try save()
    }

    private func save() throws {
        let document = JSON.object([
            ("categories", .object(categories.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("tags", .array(createdTags.map(JSON.string))),
        ])
        try FileIO.writeAtomically(document.bytes, to: path, replace: true, mode: 0o600)
    }
}
