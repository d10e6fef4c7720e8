import BTXSession

/// The session-wide settings front-ends change (speed caps, the seeding
/// goal of new torrents, whether adds start), shared by both APIs. A change
/// applies at once and is kept in the config, as transmission keeps its
/// settings.json, so the daemon starts with it next time and the CLI's
/// adds follow it too.
final class SessionSettings {
    private let link: SessionLink
    private let directory: StateDirectory
    /// The goal of an add that gives none.
    private(set) var seedGoal: SeedPolicy
    /// Whether an add that does not say is started: the RPC's own setting,
    /// for as long as the daemon runs (btx's CLI always says).
    var startAddedTorrents = true

    init(link: SessionLink, directory: StateDirectory, seedGoal: SeedPolicy) {
        self.link = link
        self.directory = directory
        self.seedGoal = seedGoal
    }

    /// The session's caps in bytes/s, 0 for none.
    func rates() throws -> (down: Int64, up: Int64) {
        let ping = try link.call(.ping)
        return (ping["max_down"]?.intValue ?? 0, ping["max_up"]?.intValue ?? 0)
    }

    /// nil leaves a direction as it is.
    func setRates(down: Int64?, up: Int64?) throws {
        var params: [(String, JSON)] = []
        if let down { params.append(("max_down", .int(down))) }
        if let up { params.append(("max_up", .int(up))) }
        guard !params.isEmpty else { return }
        _ = try link.call(.sessionRates, params)
        if let down { try keep("max-down", down > 0 ? String(down) : nil) }
        if let up { try keep("max-up", up > 0 ? String(up) : nil) }
    }

    func setSeedGoal(_ goal: SeedPolicy) throws {
        seedGoal = goal
        try keep("seed-ratio", goal.ratio.map { String($0) })
        try keep("seed-time", goal.seconds.map { "\($0)s" })
        try keep("seed-idle", goal.idleSeconds.map { "\($0)s" })
    }

    private func keep(_ key: String, _ value: String?) throws {
        do {
            try UserConfig.persist(key, as: value, directory: directory)
        } catch let error as BTXError {
            throw BTXError.failure("changed until the daemon stops, but not saved in the config: \(error.message)")
        }
    }
}
