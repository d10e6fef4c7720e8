import TorrentKit

/// A file of a torrent. One being downloaded (live or saved) has its
/// progress and priority; one of a .torrent file has neither.
public struct FileDocument: Equatable {
    public var index: Int
    /// Its path under the save directory, as written.
    public var path: String
    public var size: Int64
    /// Where its bytes start in the torrent's data (pad files counted).
    public var offset: Int64
    /// Its v2 merkle root (FileEntry.root).
    public var root: String?
    public var progress: Progress?

    public struct Progress: Equatable {
        /// Its verified bytes.
        public var done: Int64
        public var fraction: Double
        /// One of skip, low, normal, high (see priorityWord).
        public var priority: String
    }

    /// A file being downloaded.
    public init(_ file: FileEntry) {
        index = file.index
        path = file.path
        size = file.size
        offset = file.offset
        root = file.root
        progress = Progress(done: file.done, fraction: file.progress, priority: priorityWord(file.priority))
    }

    /// A file of a .torrent.
    public init(metainfo file: FileEntry) {
        index = file.index
        path = file.path
        size = file.size
        offset = file.offset
        root = file.root
    }

    public var json: JSON {
        var fields: [(String, JSON)] = [("index", .int(index)), ("path", .string(path)), ("size", .int(size)),
                                        ("offset", .int(offset)), ("root", .optional(root))]
        if let progress {
            fields += [("done", .int(progress.done)), ("progress", .double(progress.fraction)),
                       ("priority", .string(progress.priority))]
        }
        return .object(fields)
    }

    public init(json: JSON) throws {
        var r = try DocumentReader(json, "file document")
        index = Int(try r.int("index"))
        path = try r.string("path")
        size = try r.int("size")
        offset = try r.int("offset")
        // Absent from a daemon older than roots: none.
        root = try r.has("root") ? try r.optionalString("root") : nil
        // A .torrent file's files have none of these.
        guard json["done"] != nil else { return }
        progress = Progress(done: try r.int("done"), fraction: try r.double("progress"), priority: try r.string("priority"))
    }

    static let contract = JSONObject(name: "FILE", fields: [
        JSONField("index", .integer(.index), "the file's number, as --only counts"),
        JSONField("path", .string, "its path under the save directory, as written"),
        JSONField("size", .integer(.bytes), "the file's size"),
        JSONField("offset", .integer(.bytes), "where its bytes start in the torrent's data (pad files counted): piece offset / piece_length"),
        JSONField("root", .nullable(.hex(64)),
                  "its BitTorrent v2 merkle root (BEP 52): the same bytes have the same root in every torrent; "
                      + "null for a v1-only torrent and an empty file"),
        JSONField("done", .integer(.bytes), "its verified part; absent for a .torrent file", optional: true),
        JSONField("progress", .number(.fraction), "done/size; absent for a .torrent file", optional: true),
        JSONField("priority", .oneWord(["skip", "low", "normal", "high"]), "absent for a .torrent file", optional: true),
    ])
}

/// libtorrent's priorities 0..7 in the words other clients use, in JSON and
/// in tables alike.
public func priorityWord(_ priority: Int) -> String {
    switch priority {
    case 0: "skip"
    case 1...3: "low"
    case 4: "normal"
    default: "high"
    }
}

/// A priority word's libtorrent value; nil for anything else.
public func priorityValue(_ word: String) -> UInt8? {
    switch word.lowercased() {
    case "skip": 0
    case "low": 1
    case "normal": 4
    case "high": 7
    default: nil
    }
}
