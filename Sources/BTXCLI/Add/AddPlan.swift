import TorrentKit

/// What the options of one `btx add` ask for, validated before anything starts.
struct AddPlan {
    var paused = false
    var only: FileSelection?
    var settings = TorrentSettings()
    var trackers: [String] = []
    var peers: [String] = []

    init(_ invocation: Invocation) throws {
        paused = invocation.flag("paused")
        settings.sequential = invocation.flag("sequential")
        only = invocation.value("only").map(FileSelection.init)
        settings.seeding.seedForever = invocation.flag("seed")
        if let text = invocation.value("seed-ratio") {
            guard let ratio = Double(text), ratio >= 0, ratio.isFinite else {
                throw CLIError.usage("--seed-ratio: '\(text)' is not a number like 1.5", command: "add")
            }
            settings.seeding.ratio = ratio
        }
        if let text = invocation.value("seed-time") {
            guard let seconds = Units.parseDuration(text) else {
                throw CLIError.usage("--seed-time: '\(text)' is not a duration like 90s, 30m or 2h", command: "add")
            }
            settings.seeding.seconds = seconds
        }
        settings.maxDown = try invocation.value("max-down").map { try parseRate($0, option: "--max-down") } ?? 0
        settings.maxUp = try invocation.value("max-up").map { try parseRate($0, option: "--max-up") } ?? 0
        trackers = invocation.all("tracker")
        peers = invocation.all("peer")
        for peer in peers where !isEndpoint(peer) {
            throw CLIError.usage("--peer: '\(peer)' is not IP:PORT or [IPv6]:PORT", command: "add")
        }
    }

    func options(savePath: String) -> AddOptions {
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
struct TorrentSettings {
    var maxDown: Int64 = 0
    var maxUp: Int64 = 0
    var sequential = false
    var seeding = SeedPolicy()
}

/// When a complete torrent is done: at once by default; never with --seed
/// alone; at the ratio or after the time, whichever comes first.
struct SeedPolicy {
    var seedForever = false
    var ratio: Double?
    var seconds: Int64?

    var hasLimit: Bool { ratio != nil || seconds != nil }

    var json: JSON {
        .object([("seed", .bool(seedForever)), ("seed_ratio", ratio.map(JSON.double) ?? .null),
                 ("seed_time", seconds.map(JSON.int) ?? .null)])
    }

    init(seedForever: Bool = false, ratio: Double? = nil, seconds: Int64? = nil) {
        self.seedForever = seedForever
        self.ratio = ratio
        self.seconds = seconds
    }

    init(json: JSON) {
        self.init(seedForever: json["seed"]?.boolValue ?? false, ratio: json["seed_ratio"]?.doubleValue,
                  seconds: json["seed_time"]?.intValue)
    }

    func isMet(ratio current: Double, seededFor elapsed: Double) -> Bool {
        if ratio == nil && seconds == nil { return !seedForever }
        if let ratio, current >= ratio { return true }
        if let seconds, elapsed >= Double(seconds) { return true }
        return false
    }
}

func isEndpoint(_ text: String) -> Bool {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return false }
    return (1...65535).contains(port) && colon != text.startIndex
}

/// How a plan travels over the control socket, with the save path.
extension AddPlan {
    func json(savePath: String, explicitSavePath: Bool) -> [(String, JSON)] {
        [("save_path", .string(savePath)), ("explicit_save_path", .bool(explicitSavePath)),
         ("paused", .bool(paused)), ("sequential", .bool(settings.sequential)), ("only", .optional(only?.list)),
         ("max_down", .int(settings.maxDown)), ("max_up", .int(settings.maxUp)),
         ("trackers", .array(trackers.map(JSON.string))), ("peers", .array(peers.map(JSON.string)))]
            + (settings.seeding.json.objectFields ?? [])
    }

    init(json: JSON) {
        paused = json["paused"]?.boolValue ?? false
        settings.sequential = json["sequential"]?.boolValue ?? false
        only = json["only"]?.stringValue.map(FileSelection.init)
        settings.seeding = SeedPolicy(json: json)
        settings.maxDown = max(0, json["max_down"]?.intValue ?? 0)
        settings.maxUp = max(0, json["max_up"]?.intValue ?? 0)
        trackers = json["trackers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        peers = json["peers"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

extension AddSource {
    var json: JSON {
        switch source {
        case .metainfo(let bytes), .resumeData(let bytes): .object([("metainfo", .string(base64(bytes)))])
        case .magnet(let uri): .object([("magnet", .string(uri))])
        }
    }

    init(json: JSON) throws {
        if let uri = json["magnet"]?.stringValue {
            self = try AddSource.resolveMagnet(uri)
        } else if let text = json["metainfo"]?.stringValue, let bytes = base64Decode(text) {
            self = try AddSource.resolveMetainfo(bytes, shown: "the torrent")
        } else {
            throw CLIError.usage("a source needs \"magnet\" or base64 \"metainfo\"")
        }
    }
}
