import TorrentKit

/// What the options of one `btx add` ask for, validated before anything starts.
public struct AddPlan {
    public var paused = false
    public var only: FileSelection?
    public var settings = TorrentSettings()
    public var trackers: [String] = []
    public var peers: [String] = []
    /// Run when each of its torrents finishes (else the session's own).
    public var onComplete: String?
    /// Where its torrents download until complete (else the session's own).
    public var incompleteDir: String?
    /// How files already on disk become its torrents' (else the session's way).
    public var reuse: ReuseMode?

    public init() {}

    public func options(savePath: String) -> AddOptions {
        var options = AddOptions(savePath: savePath)
        options.paused = paused
        options.sequential = settings.sequential
        options.downloadLimit = settings.maxDown
        options.uploadLimit = settings.maxUp
        options.trackers = trackers
        options.peers = peers
        return options
    }
}

/// What btx applies to a torrent on top of libtorrent's resume data. The
/// rate caps and the download order belong to one run: they are an add's
/// options, and the next run starts without them. The seeding goal is the
/// torrent's, kept beside its resume data so a later daemon honours it.
public struct TorrentSettings: Hashable {
    /// Bytes/s, 0 for no cap.
    public var maxDown: Int64 = 0
    public var maxUp: Int64 = 0
    /// 0 for the session's limit.
    public var maxPeers = 0
    public var maxUploads = 0
    public var sequential = false
    public var superSeed = false
    public var uploadOnly = false
    public var seeding = SeedPolicy()
    /// The user's names for it (add --label, set --label), in the order given.
    public var labels: [String] = []
    /// The name shown instead of its metadata's (set --name); nil shows that one.
    public var name: String?
}

/// When a complete torrent is done: at once by default; never with --seed
/// alone; at the ratio, after the time, or once no one has taken a byte for
/// the idle time, whichever comes first.
public struct SeedPolicy: Hashable {
    public var seedForever = false
    public var ratio: Double?
    public var seconds: Int64?
    /// Seconds with nothing uploaded (transmission's idle seeding limit).
    public var idleSeconds: Int64?

    public var hasLimit: Bool { ratio != nil || seconds != nil || idleSeconds != nil }

    public var json: JSON {
        JSON { out in
            JSONWriter.writing(into: &out, bound: 256) { out in
                out.byte(UInt8(ascii: "{"))
                writeFields(&out, first: true)
                out.byte(UInt8(ascii: "}"))
            }
        }
    }

    /// Its fields, also those of a torrent document's settings.
    func writeFields(_ out: inout JSONWriter, first: Bool) {
        out.key("seed", first: first); out.bool(seedForever)
        out.key("seed_ratio")
        if let ratio { out.double(ratio) } else { out.null() }
        out.key("seed_time"); out.int(seconds)
        out.key("seed_idle"); out.int(idleSeconds)
    }

    public init(seedForever: Bool = false, ratio: Double? = nil, seconds: Int64? = nil, idleSeconds: Int64? = nil) {
        self.seedForever = seedForever
        self.ratio = ratio
        self.seconds = seconds
        self.idleSeconds = idleSeconds
    }

    public init(json: JSON) {
        self.init(seedForever: json["seed"]?.boolValue ?? false, ratio: json["seed_ratio"]?.doubleValue,
                  seconds: json["seed_time"]?.intValue, idleSeconds: json["seed_idle"]?.intValue)
    }

    /// `idleFor`: seconds since it last uploaded (or completed, if later).
    public func isMet(ratio current: Double, seededFor elapsed: Double, idleFor idle: Double = 0) -> Bool {
        if !hasLimit { return !seedForever }
        if let ratio, current >= ratio { return true }
        if let seconds, elapsed >= Double(seconds) { return true }
        if let idleSeconds, idle >= Double(idleSeconds) { return true }
        return false
    }
}

/// A label: 1 to 100 characters, no control characters, no comma (lists
/// of labels are comma-separated, in transmission and qBittorrent too).
public func checkLabel(_ label: String) throws {
    guard !label.isEmpty, label.count <= 100, label.trimmingSpaces == label,
          !label.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "," }) else {
        throw BTXError.usage("'\(label)' is not a label: 1 to 100 characters, no commas or control characters, "
                             + "no spaces at either end")
    }
}

public func isEndpoint(_ text: String) -> Bool {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return false }
    return (1...65535).contains(port) && colon != text.startIndex
}

/// How a plan travels over the control socket, with the save path.
extension AddPlan {
    public func json(savePath: String, explicitSavePath: Bool) -> [(String, JSON)] {
        [("save_path", .string(savePath)), ("explicit_save_path", .bool(explicitSavePath)),
         ("paused", .bool(paused)), ("sequential", .bool(settings.sequential)), ("only", .optional(only?.list)),
         ("max_down", .int(settings.maxDown)), ("max_up", .int(settings.maxUp)),
         ("trackers", .array(trackers.map(JSON.string))), ("peers", .array(peers.map(JSON.string))),
         ("on_complete", .optional(onComplete)), ("incomplete_dir", .optional(incompleteDir)), ("labels", .array(settings.labels.map(JSON.string))),
         ("reuse", .optional(reuse?.rawValue))]
            + (settings.seeding.json.objectFields ?? [])
    }

    public init(json: JSON) {
        paused = json["paused"]?.boolValue ?? false
        settings.sequential = json["sequential"]?.boolValue ?? false
        only = json["only"]?.stringValue.map(FileSelection.init)
        settings.seeding = SeedPolicy(json: json)
        settings.maxDown = max(0, json["max_down"]?.intValue ?? 0)
        settings.maxUp = max(0, json["max_up"]?.intValue ?? 0)
        trackers = json["trackers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        peers = json["peers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        onComplete = json["on_complete"]?.stringValue
        incompleteDir = json["incomplete_dir"]?.stringValue
        reuse = json["reuse"]?.stringValue.flatMap(ReuseMode.init(rawValue:))
        settings.labels = json["labels"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

extension AddSource {
    public var json: JSON {
        let following = (follows.map { [("follows", $0.json)] } ?? [])
            + (reusing.isEmpty ? [] : [("reuse_files", .array(reusing.sorted { $0.key < $1.key }.map { index, path in
                .object([("index", .int(Int64(index))), ("path", .string(path))]) }))])
        switch source {
        case .metainfo(let bytes), .resumeData(let bytes): return .object([("metainfo", .string(base64(bytes)))] + following)
        case .magnet(let uri): return .object([("magnet", .string(uri))] + following)
        }
    }

    public init(json: JSON) throws {
        if let uri = json["magnet"]?.stringValue {
            self = try AddSource.resolveMagnet(uri)
        } else if let text = json["metainfo"]?.stringValue, let bytes = base64Decode(text) {
            self = try AddSource.resolveMetainfo(bytes, shown: "the torrent")
        } else {
            throw BTXError.usage("a source needs \"magnet\" or base64 \"metainfo\"")
        }
        follows = json["follows"].flatMap(FollowedLink.init(json:))
        for item in json["reuse_files"]?.arrayValue ?? [] {
            guard let index = item["index"]?.intValue, let path = item["path"]?.stringValue, path.hasPrefix("/") else { continue }
            reusing[Int(index)] = path
        }
    }
}
