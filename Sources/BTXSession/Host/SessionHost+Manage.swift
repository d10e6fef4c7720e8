import Glibc
import TorrentKit

/// The control methods that change a torrent after it was added: trackers
/// and web seeds, settings and file priorities, its place on disk, its place
/// in the queue. The same code answers for a running session and, through
/// OfflineHost, for a saved torrent.
extension SessionHost {
    func queue(_ params: JSON) throws -> JSON {
        let (entry, status) = try target(params)
        let position = params["position"]?.intValue
        let move = QueueMove(word: params["move"]?.stringValue ?? "")
        guard move != nil || position.map({ $0 >= 0 }) == true else {
            throw BTXError.usage("queue needs \"move\" (up, down, top or bottom) or a \"position\" from 0")
        }
        guard queueing else {
            throw BTXError.failure("the session keeps no queue: start it with --max-active-downloads or --max-active-seeds")
        }
        if let move { try session.queue(entry.torrent, move) } else if let position { try session.queue(entry.torrent, to: Int(position)) }
        return .object([("info_hash", .string(status.infoHash)), ("name", .string(status.name)),
                        ("queue_position", try session.queuePosition(entry.torrent).map(JSON.int) ?? .null)])
    }

    // MARK: trackers

    /// Lists the trackers and web seeds, after the changes `params` asks
    /// for. Every URL to remove must be there: otherwise nothing changes.
    /// nil while it waits for the answers to a reannounce or scrape
    /// (TrackerWaits), unless `wait` is false or the torrent is paused
    /// (libtorrent announces nothing for it).
    func trackers(_ params: JSON, client: UInt64) throws -> JSON? {
        let (entry, status) = try target(params)
        let strings = { (key: String) in params[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let (add, remove, addSeeds, removeSeeds) = (strings("add"), strings("remove"), strings("add_web_seeds"), strings("remove_web_seeds"))
        let current = try session.trackers(entry.torrent)
        for url in remove where !current.contains(where: { $0.url == url }) {
            throw BTXError.notFound("\(status.name) has no tracker \(url) (see 'btx trackers \(status.name)')")
        }
        let seeds = try session.webSeeds(entry.torrent)
        for url in removeSeeds where !seeds.contains(url) {
            throw BTXError.notFound("\(status.name) has no web seed \(url)")
        }
        let tier = params["tier"]?.intValue.map { Int($0) } ?? ((current.map(\.tier).max() ?? -1) + 1)
        for url in remove { try session.removeTracker(entry.torrent, url: url) }
        for url in add { try session.addTracker(entry.torrent, url: url, tier: tier) }
        for url in removeSeeds {
            try session.removeWebSeed(entry.torrent, url: url)
            entry.webSeedErrors[url] = nil
        }
        for url in addSeeds { try session.addWebSeed(entry.torrent, url: url) }
        let changed = !(add + remove + addSeeds + removeSeeds).isEmpty
        if changed { saveChange(entry) }
        let reannounce = params["reannounce"]?.boolValue == true, scrape = params["scrape"]?.boolValue == true
        if !policy.runsPaused && (reannounce || scrape) {
            if reannounce {
                try session.reannounce(entry.torrent)
                // A followed btpk link is looked up too.
                lookUpSoon(entry)
            }
            if scrape { try session.scrape(entry.torrent) }
        }
        // A torrent with no tracker has no answer to wait for (its DHT and a followed link answer no one).
        let listed = try session.trackers(entry.torrent).map(\.url)
        if !policy.runsPaused && (reannounce || scrape) && params["wait"]?.boolValue != false && !status.isPaused && !listed.isEmpty {
            trackerWaits.add(client: client, torrent: entry.torrent, query: entry.stateKey, announcing: reannounce,
                             scraping: scrape ? listed : [], now: monotonicSeconds())
            return nil
        }
        return ControlServer.result(try trackerListing(entry, name: status.name, infoHash: status.infoHash))
    }

    /// Answers the reannounces and scrapes that are over with the trackers as they are now.
    func deliverTrackerAnswers() {
        guard !trackerWaits.isEmpty else { return }
        let updating = { (torrent: Torrent) in
            (try? self.session.trackers(torrent).contains { TrackerDocument($0).state == "updating" }) ?? false
        }
        for wait in trackerWaits.finished(now: monotonicSeconds(), updating: updating) {
            do {
                let entry = try entry(named: wait.query)
                let status = try session.status(entry.torrent)
                deliver(ControlServer.result(try trackerListing(entry, name: status.name, infoHash: status.infoHash)), to: wait.client)
            } catch {
                deliver(ControlServer.error("failed", (error as? BTXError)?.message ?? "\(error)"), to: wait.client)
            }
        }
    }

    private func trackerListing(_ entry: Tracked, name: String, infoHash: String) throws -> JSON {
        .object([("info_hash", .string(infoHash)), ("name", .string(name)),
                 ("trackers", .array(try session.trackers(entry.torrent).map { TrackerDocument($0).json })),
                 ("web_seeds", .array(try session.webSeeds(entry.torrent).map(JSON.string))),
                 ("web_seed_errors", .array(entry.webSeedErrors.sorted { $0.key < $1.key }.map {
                     .object([("url", .string($0.key)), ("message", .string($0.value))])
                 }))])
    }

    // MARK: settings

    /// Changes what `params` gives (ChosenSettings' keys, and `priorities`:
    /// [{files, priority}]), saves it with the torrent, and returns the
    /// torrent's status document. Bad input changes nothing.
    func set(_ params: JSON) throws -> JSON {
        let (entry, status) = try target(params)
        let priorities = try filePriorities(entry, rules: params["priorities"]?.arrayValue ?? [], name: status.name)
        var chosen = ChosenSettings(json: params)
        // Only the host says where a download goes once complete.
        chosen.destination = nil
        chosen.moving = nil
        chosen.labels = try labels(entry, params)
        if let name = chosen.name, name.contains(where: \.isNewline) || name.count > 1024 {
            throw BTXError.usage("a torrent's name is one line of at most 1,024 characters")
        }
        let seeding = try seedPolicy(entry.settings.seeding, params)
        let named = params["connect_peers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for peer in named where !isEndpoint(peer) { throw BTXError.usage("'\(peer)' is not IP:PORT or [IPv6]:PORT") }
        let kept = try directory.loadChosenSettings(entry.stateKey).updated(with: chosen)
        try directory.saveChosenSettings(kept, for: entry.stateKey)
        entry.settings = chosen.overriding(entry.settings)
        entry.name = entry.settings.name ?? status.name
        if let seeding, seeding != entry.settings.seeding {
            if seeding.hasLimit || seeding.seedForever {
                try directory.saveSeedGoal(seeding.json, for: entry.stateKey)
            } else {
                unlink(directory.seedGoalPath(entry.stateKey))
            }
            entry.settings.seeding = seeding
            // Weighed again at the next status: a goal met already stops it then.
            entry.done = false
        }
        try apply(entry.settings, to: entry)
        // Dialled now, and again on resume, as an add's --peer.
        for peer in named where !entry.peers.contains(peer) {
            entry.peers.append(peer)
            if !policy.runsPaused { try? session.connect(entry.torrent, to: peer) }
        }
        if let priorities {
            try session.setFilePriorities(entry.torrent, priorities)
            // libtorrent takes new priorities once its disk thread has them:
            // a save before that would keep the old ones.
            let deadline = monotonicSeconds() + 5
            while try session.files(entry.torrent).map({ UInt8(clamping: $0.priority) }) != priorities,
                  monotonicSeconds() < deadline {
                usleep(2_000)
            }
        }
        saveChange(entry)
        return document(of: try session.status(entry.torrent), entry: entry).json
    }

    /// The labels after `labels` (all of them), `add_labels` and
    /// `remove_labels`; nil when none of those is given.
    private func labels(_ entry: Tracked, _ params: JSON) throws -> [String]? {
        let strings = { (key: String) in params[key]?.arrayValue?.compactMap(\.stringValue) }
        let replaced = strings("labels"), adding = strings("add_labels") ?? [], removing = strings("remove_labels") ?? []
        guard replaced != nil || !adding.isEmpty || !removing.isEmpty else { return nil }
        for label in (replaced ?? []) + adding { try checkLabel(label) }
        var labels = replaced ?? entry.settings.labels
        labels.removeAll { removing.contains($0) }
        for label in adding where !labels.contains(label) { labels.append(label) }
        var seen = Set<String>()
        return labels.filter { seen.insert($0).inserted }
    }

    /// The seeding goal after `seed_ratio`, `seed_time` and `seed_idle` (null
    /// clears one) and `seed` (keep seeding with no goal); nil when none is given.
    private func seedPolicy(_ current: SeedPolicy, _ params: JSON) throws -> SeedPolicy? {
        guard params["seed_ratio"] != nil || params["seed_time"] != nil || params["seed_idle"] != nil || params["seed"] != nil else {
            return nil
        }
        var policy = current
        if let ratio = params["seed_ratio"] {
            if case .null = ratio {
                policy.ratio = nil
            } else {
                guard let value = ratio.doubleValue, value >= 0, value.isFinite else {
                    throw BTXError.usage("seed_ratio must be a number from 0, or null")
                }
                policy.ratio = value
            }
        }
        if params["seed_time"] != nil { policy.seconds = try optionalSeconds(params, "seed_time") }
        if params["seed_idle"] != nil { policy.idleSeconds = try optionalSeconds(params, "seed_idle") }
        if let forever = params["seed"]?.boolValue { policy.seedForever = forever }
        return policy
    }

    /// Seconds from 0 under `key`, or nil for null.
    private func optionalSeconds(_ params: JSON, _ key: String) throws -> Int64? {
        if case .null? = params[key] { return nil }
        guard let value = params[key]?.intValue, value >= 0 else { throw BTXError.usage("\(key) must be seconds from 0, or null") }
        return value
    }

    private func filePriorities(_ entry: Tracked, rules: [JSON], name: String) throws -> [UInt8]? {
        guard !rules.isEmpty else { return nil }
        let files = try session.files(entry.torrent)
        guard !files.isEmpty else { throw BTXError.failure("\(name): the metadata has not arrived yet; no files to set") }
        var priorities = files.map { UInt8(clamping: $0.priority) }
        for rule in rules {
            let word = rule["priority"]?.stringValue ?? ""
            guard let value = priorityValue(word) else {
                throw BTXError.usage("'\(word)' is not a priority (skip, low, normal or high)", command: "set")
            }
            let option = rule["option"]?.stringValue ?? "--priority"
            let chosen = try FileSelection(list: rule["files"]?.stringValue ?? "").indices(in: files, option: option, command: "set")
            for index in chosen { priorities[index] = value }
        }
        return priorities
    }

    /// Puts a torrent's settings in force in libtorrent.
    func apply(_ settings: TorrentSettings, to entry: Tracked) throws {
        try session.setLimits(entry.torrent, TorrentLimits(downloadRate: settings.maxDown, uploadRate: settings.maxUp,
                                                           maxConnections: settings.maxPeers, maxUploads: settings.maxUploads))
        var flags = try session.flags(entry.torrent)
        flags.sequential = settings.sequential
        flags.superSeeding = settings.superSeed
        flags.uploadOnly = settings.uploadOnly
        try session.setFlags(entry.torrent, flags)
    }

    // MARK: renaming

    /// Renames the file `path` names, or every file under the folder it
    /// names, to `new_path` (both inside the torrent's folder). libtorrent
    /// renames in its own time; the files show it once done.
    func rename(_ params: JSON) throws -> JSON {
        let (entry, status) = try target(params)
        guard let path = params["path"]?.stringValue, let newPath = params["new_path"]?.stringValue else {
            throw BTXError.usage("rename needs \"path\" and \"new_path\"")
        }
        let files = try session.files(entry.torrent)
        let renames: [(Int, String)] = files.compactMap { file in
            if file.path == path { return (file.index, newPath) }
            guard file.path.hasPrefix(path + "/") else { return nil }
            return (file.index, newPath + file.path.dropFirst(path.count))
        }
        guard !renames.isEmpty else { throw BTXError.notFound("\(status.name) has no file or folder \(path) (see 'btx files')") }
        for (index, target) in renames {
            do {
                try session.renameFile(entry.torrent, index: index, to: target)
            } catch let error as TorrentKitError {
                throw BTXError.usage(error.message)
            }
        }
        saveChange(entry)
        return .object([("info_hash", .string(status.infoHash)), ("name", .string(status.name)), ("path", .string(path)),
                        ("new_path", .string(newPath)), ("files", .int(renames.count))])
    }

    // MARK: moving

    /// Starts moving the data; the answer comes with libtorrent's event, or
    /// at once with `wait: false` (an RPC client, whose listener must not
    /// wait on a move across filesystems; a failure is the torrent's error).
    func move(_ params: JSON, client: UInt64) throws -> JSON? {
        let (entry, status) = try target(params)
        guard let path = params["path"]?.stringValue, path.hasPrefix("/") else {
            throw BTXError.usage("move needs an absolute \"path\"")
        }
        let reply = JSON.object([("info_hash", .string(status.infoHash)), ("name", .string(status.name)),
                                 ("save_path", .string(path))])
        if path == status.savePath { return ControlServer.result(reply) }
        guard pendingMoves[entry.torrent] == nil else {
            throw BTXError.failure("\(status.name) is already being moved")
        }
        try makeDirectories(path, mode: 0o755)
        guard access(path, W_OK) == 0 else { throw FileIO.error(path) }
        try session.moveStorage(entry.torrent, to: path)
        // Moved by hand, it stays where its user put it.
        forgetDestination(entry)
        let waits = params["wait"]?.boolValue ?? true
        pendingMoves[entry.torrent] = (waits ? client : nil, reply)
        return waits ? nil : ControlServer.result(reply)
    }

    func moveEnded(_ torrent: Torrent, failure: String?) {
        guard let (client, reply) = pendingMoves.removeValue(forKey: torrent) else { return }
        // Its files are indexed where they are now; where they were is forgotten when next looked up.
        if failure == nil { indexSoon(torrent) }
        if let entry = entry(torrent) {
            if entry.destination != nil || entry.hookAfterMove { leftIncompleteFolder(entry, failure: failure) }
            saveChange(entry)
            note("moved", [("save_path", .optional(reply["save_path"]?.stringValue)), ("error", .optional(failure))], entry: entry)
        }
        guard let client else {
            if let failure { reporter.warning(name: entry(torrent)?.name, infoHash: entry(torrent)?.stateKey, "move: \(failure)", once: false) }
            return
        }
        deliver(failure.map { ControlServer.error("failed", $0) } ?? ControlServer.result(reply), to: client)
    }
}

extension QueueMove {
    init?(word: String) {
        switch word {
        case "up": self = .up
        case "down": self = .down
        case "top": self = .top
        case "bottom": self = .bottom
        default: return nil
        }
    }
}

extension ChosenSettings {
    /// `settings` with every value chosen here put in.
    func overriding(_ settings: TorrentSettings) -> TorrentSettings {
        var result = settings
        if let maxDown { result.maxDown = maxDown }
        if let maxUp { result.maxUp = maxUp }
        if let maxPeers { result.maxPeers = maxPeers }
        if let maxUploads { result.maxUploads = maxUploads }
        if let sequential { result.sequential = sequential }
        if let superSeed { result.superSeed = superSeed }
        if let uploadOnly { result.uploadOnly = uploadOnly }
        if let labels { result.labels = labels }
        if let name { result.name = name.isEmpty ? nil : name }
        return result
    }
}
