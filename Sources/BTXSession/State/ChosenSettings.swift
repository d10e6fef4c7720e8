import Glibc

/// What `btx set` chose for a torrent, kept beside its resume data
/// (`resume/HASH.settings`) and applied whenever a session adds it; nil is
/// "not chosen". An add's own --max-down, --max-up or --sequential wins
/// for its run, and the next run is back to these.
public struct ChosenSettings: Equatable {
    public var maxDown: Int64?
    public var maxUp: Int64?
    public var maxPeers: Int?
    public var maxUploads: Int?
    public var sequential: Bool?
    public var superSeed: Bool?
    public var uploadOnly: Bool?
    public var labels: [String]?
    /// "" goes back to the metadata's name.
    public var name: String?
    /// Where its data goes once complete, while it downloads into the
    /// incomplete folder; kept until the move is over, so that a restart
    /// can finish one a crash cut short (see InterruptedMove).
    public var destination: String?
    /// The move to `destination` was started: only then can a crash have
    /// left it half made (before, same-named files there are not its own).
    public var moving: Bool?
    /// The btpk link it was added from, and which version it is (see FollowedLink).
    public var follows: FollowedLink?

    public init() {}

    public var isEmpty: Bool { self == ChosenSettings() }

    /// The keys `set` sends and the file holds.
    public init(json: JSON) {
        maxDown = json["max_down"]?.intValue.map { max(0, $0) }
        maxUp = json["max_up"]?.intValue.map { max(0, $0) }
        maxPeers = json["max_peers"]?.intValue.map { Int(max(0, $0)) }
        maxUploads = json["max_uploads"]?.intValue.map { Int(max(0, $0)) }
        sequential = json["sequential"]?.boolValue
        superSeed = json["super_seed"]?.boolValue
        uploadOnly = json["upload_only"]?.boolValue
        labels = json["labels"]?.arrayValue?.compactMap(\.stringValue)
        name = json["name"]?.stringValue
        destination = json["destination"]?.stringValue
        moving = json["moving"]?.boolValue
        follows = json["follows"].flatMap(FollowedLink.init(json:))
    }

    public var json: JSON {
        .object([("max_down", maxDown.map(JSON.int) ?? .null), ("max_up", maxUp.map(JSON.int) ?? .null),
                 ("max_peers", maxPeers.map(JSON.int) ?? .null), ("max_uploads", maxUploads.map(JSON.int) ?? .null),
                 ("sequential", sequential.map(JSON.bool) ?? .null), ("super_seed", superSeed.map(JSON.bool) ?? .null),
                 ("upload_only", uploadOnly.map(JSON.bool) ?? .null),
                 ("labels", labels.map { .array($0.map(JSON.string)) } ?? .null), ("name", .optional(name)),
                 ("destination", .optional(destination)), ("moving", moving.map(JSON.bool) ?? .null),
                 ("follows", follows?.json ?? .null)])
    }

    /// These choices with `newer`'s on top.
    public func updated(with newer: ChosenSettings) -> ChosenSettings {
        var merged = self
        merged.maxDown = newer.maxDown ?? maxDown
        merged.maxUp = newer.maxUp ?? maxUp
        merged.maxPeers = newer.maxPeers ?? maxPeers
        merged.maxUploads = newer.maxUploads ?? maxUploads
        merged.sequential = newer.sequential ?? sequential
        merged.superSeed = newer.superSeed ?? superSeed
        merged.uploadOnly = newer.uploadOnly ?? uploadOnly
        merged.labels = newer.labels ?? labels
        merged.name = newer.name ?? name
        if merged.name == "" { merged.name = nil }
        merged.destination = newer.destination ?? destination
        merged.moving = newer.moving ?? moving
        merged.follows = newer.follows ?? follows
        return merged
    }

    /// A torrent's settings under these choices: an add's per-run caps and
    /// order (given when non-zero, or on) win over them.
    public func applied(to run: TorrentSettings) -> TorrentSettings {
        var settings = run
        if run.maxDown == 0 { settings.maxDown = maxDown ?? 0 }
        if run.maxUp == 0 { settings.maxUp = maxUp ?? 0 }
        if !run.sequential { settings.sequential = sequential ?? false }
        settings.maxPeers = maxPeers ?? 0
        settings.maxUploads = maxUploads ?? 0
        settings.superSeed = superSeed ?? false
        settings.uploadOnly = uploadOnly ?? false
        if let labels { settings.labels = labels }
        if let name { settings.name = name.isEmpty ? nil : name }
        return settings
    }
}

extension StateDirectory {
    public func chosenSettingsPath(_ infoHash: String) -> String { resumeDirectory + "/" + infoHash + ".settings" }

    public func saveChosenSettings(_ settings: ChosenSettings, for infoHash: String) throws {
        if settings.isEmpty { unlink(chosenSettingsPath(infoHash)); return }
        try FileIO.writeAtomically(Array(settings.json.text.utf8), to: chosenSettingsPath(infoHash), replace: true, mode: 0o600)
    }

    /// None chosen when there is no file; an error naming the file when it
    /// cannot be read, so damage is reported rather than silently dropped.
    public func loadChosenSettings(_ infoHash: String) throws -> ChosenSettings {
        let path = chosenSettingsPath(infoHash)
        guard let bytes = try FileIO.readStateFile(path, limit: 64 << 10) else { return ChosenSettings() }
        guard let text = String(validatingUTF8: bytes), let json = try? JSON(parsing: text), json.objectFields != nil else {
            throw BTXError.failure("\(path) does not hold torrent settings")
        }
        return ChosenSettings(json: json)
    }
}
