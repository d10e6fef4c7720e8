import BTXSession
import Glibc

/// The methods that read or change torrents and the session, each one
/// control request (or a few) to the session.
extension TransmissionRPC {
    func torrentGet(_ arguments: JSON) throws -> JSON {
        guard let fields = arguments["fields"]?.arrayValue?.compactMap(\.stringValue), !fields.isEmpty else {
            throw Failure(message: "torrent-get needs \"fields\"")
        }
        let all = try currentTorrents()
        let chosen: [TorrentDocument]
        if arguments["ids"] == nil {
            chosen = all
        } else {
            let hashes = Set(try selectedHashes(arguments["ids"]))
            chosen = all.filter { hashes.contains($0.infoHash) }
        }
        let known = fields.compactMap(TransmissionFields.Field.init(rawValue:))
        let needs = Set(known.map(\.need))
        let now = Int64(time(nil))
        // What the fields need beyond the documents: one request each for all
        // the torrents that are not kept fresh (ExtrasCache).
        func each<T>(_ method: ControlMethod, _ key: String, _ hashes: [String], _ make: (JSON) throws -> T) throws -> [String: [T]] {
            guard !hashes.isEmpty else { return [:] }
            var found: [String: [T]] = [:]
            for torrent in try link.call(method, [("torrents", .array(hashes.map(JSON.string)))])["torrents"]?.arrayValue ?? [] {
                guard let hash = torrent["info_hash"]?.stringValue, found[hash] == nil else { continue }
                found[hash] = try torrent[key]?.arrayValue?.map(make) ?? []
            }
            return found
        }
        let hashes = chosen.map(\.infoHash)
        let revision = { (hash: String) in self.mirror.changedAt[hash] }
        // Only when a field needs it, and hashes, not documents: a filtered copy of
        // 100,000 documents was 45 MB each request.
        lazy var withMetadata = Array(chosen.lazy.filter(\.hasMetadata).map(\.infoHash))
        let files = needs.contains(.files) ? try keptFiles.values(for: withMetadata, revision: revision) {
            try each(.files, "files", $0, FileDocument.init(json:))
        } : [:]
        let trackers = needs.contains(.trackers) ? try keptTrackers.values(for: hashes, revision: { _ in nil }) {
            try each(.trackers, "trackers", $0, TrackerDocument.init(json:))
        } : [:]
        // A paused or queued torrent has no peers: nothing to ask.
        let running = chosen.lazy.filter { !$0.paused && $0.state != "queued" }.map(\.infoHash)
        let peers = needs.contains(.peers) ? try each(.peers, "peers", Array(running), PeerDocument.init(json:)) : [:]
        let pieces = needs.contains(.pieces) ? try keptPieces.values(for: withMetadata, revision: revision) { missing in
            var loaded: [String: String] = [:]
            for document in try link.call(.status, [("torrents", .array(missing.map(JSON.string))), ("pieces", .bool(true))])
                .documents("torrents", TorrentDocument.init(json:)) {
                loaded[document.infoHash] = base64(hexBytes(document.pieceMap?.bitfield ?? "") ?? [])
            }
            return loaded
        } : [:]
        let rows = chosen.map { torrent -> JSON in
            var extras = TransmissionFields.Extras()
            if needs.contains(.files) { extras.files = files[torrent.infoHash] ?? [] }
            if needs.contains(.trackers) { extras.trackers = trackers[torrent.infoHash] ?? [] }
            if needs.contains(.peers) { extras.peers = peers[torrent.infoHash] ?? [] }
            if needs.contains(.metainfo) { extras.metainfo = metainfo.facts(torrent.infoHash) }
            extras.pieces = pieces[torrent.infoHash]
            return TransmissionFields.torrent(torrent, id: ids.id(torrent.infoHash), fields: known, extras: extras, now: now)
        }
        var result: [(String, JSON)]
        if arguments["format"]?.stringValue == "table" {
            let table = rows.map { row in JSON.array(known.map { row[$0.rawValue] ?? .null }) }
            result = [("torrents", .array([.array(known.map { .string($0.rawValue) })] + table))]
        } else {
            result = [("torrents", .array(rows))]
        }
        if arguments["ids"]?.stringValue == "recently-active" {
            result.append(("removed", .array(mirror.removed(within: Self.recentSeconds).filter { mirror.document($0) == nil }
                .map { .int(ids.id($0)) })))
        }
        return .object(result)
    }

    func torrentAdd(_ arguments: JSON) throws -> JSON {
        let source: AddSource
        if let text = arguments["metainfo"]?.stringValue {
            guard let bytes = base64Decode(String(text.filter { !$0.isWhitespace })) else {
                throw Failure(message: "metainfo is not base64")
            }
            source = try AddSource.resolveMetainfo(bytes, shown: "metainfo")
        } else if let filename = arguments["filename"]?.stringValue {
            // A path on the daemon's machine, a magnet link or an info-hash.
            source = try remoteAddSource(filename, allowsPath: true, maxSize: 24 << 20)
        } else {
            throw Failure(message: "torrent-add needs \"filename\" or \"metainfo\"")
        }
        let labels = try labelList(arguments["labels"])
        let existing = try currentTorrents()
        let hashes = [source.info.infoHash, source.info.infoHashV1, source.info.infoHashV2].compactMap { $0 }
        if let duplicate = existing.first(where: { hashes.contains($0.infoHash) }) {
            return .object([("torrent-duplicate", summary(duplicate.infoHash, duplicate.name))])
        }
        let directory = arguments["download-dir"]?.stringValue
        let savePath = directory ?? facts.downloadDir
        guard savePath.hasPrefix("/") else { throw Failure(message: "download-dir must be an absolute path") }
        var plan = AddPlan()
        plan.paused = arguments["paused"]?.boolValue ?? !settings.startAddedTorrents
        plan.settings.labels = labels ?? []
        plan.settings.seeding = settings.seedGoal
        let rules = try priorityRules(arguments)
        if !rules.isEmpty && source.info.pieceCount == 0 {
            throw Failure(message: "a magnet's files can be chosen once its metadata is there (torrent-set)")
        }
        let reply = try link.call(.add, [("sources", .array([source.json]))]
                                  + plan.json(savePath: savePath, explicitSavePath: directory != nil))
        guard let added = reply["torrents"]?.arrayValue?.first, let hash = added["info_hash"]?.stringValue else {
            throw Failure(message: "the session added nothing")
        }
        if !rules.isEmpty { _ = try link.call(.set, [("torrent", .string(hash)), ("priorities", .array(rules))]) }
        return .object([("torrent-added", summary(hash, added["name"]?.stringValue ?? source.info.name))])
    }

    private func summary(_ hash: String, _ name: String) -> JSON {
        .object([("hashString", .string(hash)), ("id", .int(ids.id(hash))), ("name", .string(name))])
    }

    /// files-wanted, files-unwanted and priority-high/normal/low as set's priority rules.
    private func priorityRules(_ arguments: JSON) throws -> [JSON] {
        var rules: [JSON] = []
        // Wanted first: a file both wanted and given a priority ends with that priority.
        for (key, priority) in [("files-wanted", "normal"), ("files-unwanted", "skip"), ("priority-low", "low"),
                                ("priority-normal", "normal"), ("priority-high", "high")] {
            guard let list = arguments[key]?.arrayValue, !list.isEmpty else { continue }
            let indices = try list.map { item -> Int64 in
                guard let index = item.intValue, index >= 0 else { throw Failure(message: "\(key) takes file indices") }
                return index
            }
            rules.append(.object([("files", .string(indices.map(String.init).joined(separator: ","))),
                                  ("priority", .string(priority)), ("option", .string(key))]))
        }
        return rules
    }

    func torrentSet(_ arguments: JSON) throws -> JSON {
        for key in ["bandwidthPriority", "group", "location"] where arguments[key] != nil {
            throw Failure(message: "btx cannot set \(key) over RPC")
        }
        var settings: [(String, JSON)] = []
        if let labels = try labelList(arguments["labels"]) { settings.append(("labels", .array(labels.map(JSON.string)))) }
        settings += try seedGoal(arguments)
        func rate(_ limit: String, _ limited: String, _ key: String) {
            if arguments[limited]?.boolValue == false {
                settings.append((key, .int(0)))
            } else if let kilobytes = arguments[limit]?.intValue {
                settings.append((key, .int(min(max(0, kilobytes), Int64.max / 1000) * 1000)))
            }
        }
        rate("downloadLimit", "downloadLimited", "max_down")
        rate("uploadLimit", "uploadLimited", "max_up")
        if let peers = arguments["peer-limit"]?.intValue { settings.append(("max_peers", .int(max(0, peers)))) }
        if let sequential = arguments["sequentialDownload"]?.boolValue { settings.append(("sequential", .bool(sequential))) }
        let rules = try priorityRules(arguments)
        for hash in try selectedHashes(arguments["ids"]) {
            let query: [(String, JSON)] = [("torrent", .string(hash))]
            if !settings.isEmpty || !rules.isEmpty {
                _ = try link.call(.set, query + settings + (rules.isEmpty ? [] : [("priorities", .array(rules))]))
            }
            try changeTrackers(hash, arguments)
            forgetExtras(hash)
            if let position = arguments["queuePosition"] {
                guard let value = position.intValue, value >= 0 else { throw Failure(message: "queuePosition counts from 0") }
                _ = try link.call(.queue, query + [("position", .int(value))])
            }
        }
        return .object([])
    }

    /// A labels argument, each checked; nil when absent.
    private func labelList(_ value: JSON?) throws -> [String]? {
        guard let value else { return nil }
        guard let items = value.arrayValue else { throw Failure(message: "labels must be an array of strings") }
        return try items.map { item in
            guard let label = item.stringValue else { throw Failure(message: "labels must be an array of strings") }
            try checkLabel(label)
            return label
        }
    }

    /// seedRatioMode 0 (the session's: btx's default, no goal), 1 (this
    /// torrent's seedRatioLimit), 2 (unlimited: seed on) as set's goal.
    private func seedGoal(_ arguments: JSON) throws -> [(String, JSON)] {
        // seedIdleLimit (minutes) with seedIdleMode 1; mode 0 or 2 clears it.
        var idle: [(String, JSON)] = []
        switch arguments["seedIdleMode"]?.intValue {
        case nil: idle = arguments["seedIdleLimit"]?.intValue.map { [("seed_idle", .int(seconds(minutes: $0)))] } ?? []
        case 0, 2: idle = [("seed_idle", .null)]
        case 1:
            guard let minutes = arguments["seedIdleLimit"]?.intValue else { throw Failure(message: "seedIdleMode 1 needs seedIdleLimit") }
            idle = [("seed_idle", .int(seconds(minutes: minutes)))]
        default: throw Failure(message: "seedIdleMode is 0, 1 or 2")
        }
        return idle + (try ratioGoal(arguments))
    }

    private func ratioGoal(_ arguments: JSON) throws -> [(String, JSON)] {
        let limit = arguments["seedRatioLimit"]?.doubleValue
        switch arguments["seedRatioMode"]?.intValue {
        case nil:
            return limit.map { [("seed_ratio", .double(max(0, $0)))] } ?? []
        case 0:
            return [("seed_ratio", .null), ("seed", .bool(false))]
        case 1:
            guard let limit else { throw Failure(message: "seedRatioMode 1 needs seedRatioLimit") }
            return [("seed_ratio", .double(max(0, limit))), ("seed", .bool(false))]
        case 2:
            return [("seed_ratio", .null), ("seed", .bool(true))]
        default:
            throw Failure(message: "seedRatioMode is 0, 1 or 2")
        }
    }

    /// trackerAdd (URLs), trackerRemove (ids as torrent-get numbers them), trackerList (the whole list).
    private func changeTrackers(_ hash: String, _ arguments: JSON) throws {
        let add = arguments["trackerAdd"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let removeIDs = arguments["trackerRemove"]?.arrayValue?.compactMap(\.intValue) ?? []
        let list = arguments["trackerList"]?.stringValue
        guard !add.isEmpty || !removeIDs.isEmpty || list != nil else { return }
        let query: [(String, JSON)] = [("torrent", .string(hash))]
        let current = try link.call(.trackers, query).documents("trackers", TrackerDocument.init(json:)).map(\.url)
        var remove = try removeIDs.map { id -> String in
            guard id >= 0, Int(id) < current.count else { throw Failure(message: "no tracker \(id)") }
            return current[Int(id)]
        }
        var added = add.filter { !current.contains($0) }
        if let list {
            let wanted = list.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
            remove += current.filter { !wanted.contains($0) }
            added += wanted.filter { !current.contains($0) && !added.contains($0) }
        }
        _ = try link.call(.trackers, query + [("add", .array(added.map(JSON.string))), ("remove", .array(remove.map(JSON.string)))])
    }

    /// A file or folder's last part renamed: `path` to `name`, as transmission.
    func renamePath(_ arguments: JSON) throws -> JSON {
        let hashes = try selectedHashes(arguments["ids"])
        guard hashes.count == 1 else { throw Failure(message: "torrent-rename-path takes exactly one torrent") }
        guard let path = arguments["path"]?.stringValue, let name = arguments["name"]?.stringValue,
              !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw Failure(message: "torrent-rename-path needs a path and a name without slashes")
        }
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        forgetExtras(hashes[0])
        _ = try link.call(.rename, [("torrent", .string(hashes[0])), ("path", .string(path)),
                                    ("new_path", .string(parent.isEmpty ? name : parent + "/" + name))])
        return .object([("path", .string(path)), ("name", .string(name)), ("id", .int(ids.id(hashes[0])))])
    }

    func torrentSetLocation(_ arguments: JSON) throws -> JSON {
        guard let location = arguments["location"]?.stringValue, location.hasPrefix("/") else {
            throw Failure(message: "torrent-set-location needs an absolute \"location\"")
        }
        guard arguments["move"]?.boolValue == true else {
            throw Failure(message: "btx moves a torrent's data with it: send move: true (it cannot look for data already elsewhere)")
        }
        return try each(arguments) { try self.link.call(.move, [("torrent", .string($0)), ("path", .string(location)), ("wait", .bool(false))]) }
    }

    func freeSpace(_ arguments: JSON) throws -> JSON {
        guard let path = arguments["path"]?.stringValue else { throw Failure(message: "free-space needs \"path\"") }
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { throw Failure(message: "\(path): \(String(cString: strerror(errno)))") }
        return .object([("path", .string(path)), ("size-bytes", .int(Int64(stats.f_bavail) * Int64(stats.f_frsize))),
                        ("total_size", .int(Int64(stats.f_blocks) * Int64(stats.f_frsize)))])
    }

    func sessionStats() throws -> JSON {
        let torrents = try currentTorrents()
        let uptime = try link.call(.ping)["uptime"]?.doubleValue ?? 0
        let active = torrents.filter { $0.downloadRate > 0 || $0.uploadRate > 0 }.count
        func stats(downloaded: Int64, uploaded: Int64) -> JSON {
            .object([("uploadedBytes", .int(uploaded)), ("downloadedBytes", .int(downloaded)),
                     ("filesAdded", .int(torrents.count)), ("sessionCount", .int(1)), ("secondsActive", .int(Int64(uptime)))])
        }
        return .object([
            ("activeTorrentCount", .int(active)), ("pausedTorrentCount", .int(torrents.filter(\.paused).count)),
            ("torrentCount", .int(torrents.count)),
            ("downloadSpeed", .int(torrents.reduce(0) { $0 + $1.downloadRate })),
            ("uploadSpeed", .int(torrents.reduce(0) { $0 + $1.uploadRate })),
            ("cumulative-stats", stats(downloaded: torrents.reduce(0) { $0 + $1.downloaded }, uploaded: torrents.reduce(0) { $0 + $1.uploaded })),
            ("current-stats", stats(downloaded: torrents.reduce(0) { $0 + $1.sessionDownloaded },
                                    uploaded: torrents.reduce(0) { $0 + $1.sessionUploaded })),
        ])
    }

    func sessionGet(_ arguments: JSON) throws -> JSON {
        let asked = arguments["fields"]?.arrayValue?.compactMap(\.stringValue)
        let names = asked.map { $0.filter(TransmissionFields.sessionFields.contains) } ?? TransmissionFields.sessionFields
        let values = try sessionValues()
        return .object(names.compactMap { name in values[name].map { (name, $0) } })
    }

    /// session-set changes the session's speed limits (until the daemon
    /// stops: the config's are where it starts) and start-added-torrents,
    /// and nothing btx cannot change while it runs; a value equal to the
    /// current one is accepted. Bad input changes nothing.
    func sessionSet(_ arguments: JSON) throws -> JSON {
        let current = try sessionValues()
        let changeable: Set<String> = ["start-added-torrents", "speed-limit-down", "speed-limit-down-enabled", "speed-limit-up",
                                       "speed-limit-up-enabled", "seedRatioLimit", "seedRatioLimited", "alt-speed-enabled",
                                       "idle-seeding-limit", "idle-seeding-limit-enabled"]
        let fields = arguments.objectFields ?? []
        for (key, value) in fields where !changeable.contains(key) && current[key].map({ $0.bytes != value.bytes }) ?? true {
            throw Failure(message: "btx cannot change \(key) over RPC; set it in the config and restart the daemon")
        }
        let start = try arguments["start-added-torrents"].map { value -> Bool in
            guard let on = value.boolValue else { throw Failure(message: "start-added-torrents takes true or false") }
            return on
        }
        // btx has one cap per direction, 0 for none: a limit given turns it on unless told off.
        func cap(_ limit: String, _ enabled: String) throws -> Int64? {
            if arguments[enabled]?.boolValue == false { return 0 }
            guard let kilobytes = arguments[limit] else { return nil }
            guard let value = kilobytes.intValue, value >= 0 else { throw Failure(message: "\(limit) is kB/s from 0") }
            return min(value, Int64.max / 1000) * 1000
        }
        try settings.setRates(down: try cap("speed-limit-down", "speed-limit-down-enabled"),
                              up: try cap("speed-limit-up", "speed-limit-up-enabled"))
        if arguments["seedRatioLimit"] != nil || arguments["seedRatioLimited"] != nil {
            var goal = settings.seedGoal
            let on = arguments["seedRatioLimited"]?.boolValue ?? (goal.ratio != nil)
            var ratio = goal.ratio ?? 2
            if let given = arguments["seedRatioLimit"] {
                guard let value = given.doubleValue, value >= 0 else { throw Failure(message: "seedRatioLimit is a ratio from 0") }
                ratio = value
            }
            goal.ratio = on ? ratio : nil
            if goal != settings.seedGoal { try settings.setSeedGoal(goal) }
        }
        if arguments["idle-seeding-limit"] != nil || arguments["idle-seeding-limit-enabled"] != nil {
            var goal = settings.seedGoal
            let on = arguments["idle-seeding-limit-enabled"]?.boolValue ?? (goal.idleSeconds != nil)
            var minutes = goal.idleMinutes ?? 30
            if let given = arguments["idle-seeding-limit"] {
                guard let value = given.intValue, value >= 1 else { throw Failure(message: "idle-seeding-limit is minutes from 1") }
                minutes = value
            }
            goal.idleSeconds = on ? seconds(minutes: minutes) : nil
            if goal != settings.seedGoal { try settings.setSeedGoal(goal) }
        }
        if let alt = arguments["alt-speed-enabled"] {
            guard let on = alt.boolValue else { throw Failure(message: "alt-speed-enabled takes true or false") }
            _ = try link.call(.sessionRates, [("alt", .bool(on))])
        }
        if let start { settings.startAddedTorrents = start }
        return .object([])
    }

    private func sessionValues() throws -> [String: JSON] {
        let ping = try link.call(.ping)
        let down = ping["max_down"]?.intValue ?? 0, up = ping["max_up"]?.intValue ?? 0
        let goal = settings.seedGoal
        let configuration = facts.configuration
        var stats = statvfs()
        let free = statvfs(facts.downloadDir, &stats) == 0 ? Int64(stats.f_bavail) * Int64(stats.f_frsize) : -1
        let encryption = switch configuration.encryption {
        case .require: "required"
        case .prefer: "preferred"
        case .allow, .disable: "tolerated"
        }
        let hook = facts.onComplete
        return [
            // Front-ends gate features on this (Sonarr and Radarr refuse below 2.40, and
            // use labels from 4.0): the transmission whose RPC this matches, then btx's.
            "version": .string("4.0.6 (btx \(facts.version))"),
            "rpc-version": .int(jsonRPC ? 18 : 17), "rpc-version-minimum": .int(14),
            "rpc-version-semver": .string(jsonRPC ? "6.0.0" : "5.3.0"),
            "session-id": .string(sessionID), "config-dir": .string(facts.configDir),
            "download-dir": .string(facts.downloadDir), "download-dir-free-space": .int(free),
            "speed-limit-down": .int(down / 1000), "speed-limit-down-enabled": .bool(down > 0),
            "speed-limit-up": .int(up / 1000), "speed-limit-up-enabled": .bool(up > 0),
            // Turtle mode: kB/s; its schedule is the config's alt-schedule (its first range).
            "alt-speed-down": .int((ping["alt_max_down"]?.intValue ?? 0) / 1000),
            "alt-speed-up": .int((ping["alt_max_up"]?.intValue ?? 0) / 1000),
            "alt-speed-enabled": .bool(ping["alt"]?.boolValue ?? false),
            "alt-speed-time-enabled": .bool(ping["alt_scheduled"]?.boolValue ?? false), "alt-speed-time-begin": .int(facts.altSchedule?.begin ?? 540),
            "alt-speed-time-end": .int(facts.altSchedule?.end ?? 1020), "alt-speed-time-day": .int(facts.altSchedule?.transmissionDays ?? 127),
            "peer-port": .int(ping["port"]?.intValue ?? 0), "peer-port-random-on-start": .bool(false),
            "port-forwarding-enabled": .bool(configuration.upnp || configuration.natpmp),
            "encryption": .string(encryption), "dht-enabled": .bool(configuration.dht),
            "lpd-enabled": .bool(configuration.localPeerDiscovery), "pex-enabled": .bool(true),
            "utp-enabled": .bool(configuration.utp != .off),
            "blocklist-enabled": .bool(facts.blocklist != nil),
            "blocklist-size": .int(facts.blocklist == nil ? 0 : (try? link.call(.blocklist))?["entries"]?.intValue ?? 0),
            "blocklist-url": .string(""),
            // Without a goal, a daemon seeds a complete torrent on unless it has a goal of its own.
            "seedRatioLimit": .double(goal.ratio ?? 2), "seedRatioLimited": .bool(goal.ratio != nil),
            "idle-seeding-limit": .int(goal.idleMinutes ?? 30), "idle-seeding-limit-enabled": .bool(goal.idleSeconds != nil),
            "download-queue-enabled": .bool(facts.queue?.downloads != nil), "download-queue-size": .int(facts.queue?.downloads ?? 0),
            "seed-queue-enabled": .bool(facts.queue?.seeds != nil), "seed-queue-size": .int(facts.queue?.seeds ?? 0),
            "queue-stalled-enabled": .bool(false), "queue-stalled-minutes": .int(0),
            "start-added-torrents": .bool(settings.startAddedTorrents), "incomplete-dir": .string(facts.incompleteDir ?? ""), "incomplete-dir-enabled": .bool(facts.incompleteDir != nil),
            "rename-partial-files": .bool(false), "trash-original-torrent-files": .bool(false), "cache-size-mb": .int(0),
            "peer-limit-global": .int(200), "peer-limit-per-torrent": .int(200),
            "script-torrent-done-enabled": .bool(hook != nil), "script-torrent-done-filename": .string(hook ?? ""),
            "script-torrent-added-enabled": .bool(false), "script-torrent-added-filename": .string(""),
            "script-torrent-done-seeding-enabled": .bool(false), "script-torrent-done-seeding-filename": .string(""),
            "default-trackers": .string(""),
            "units": .object([
                ("speed-units", .array(["kB/s", "MB/s", "GB/s", "TB/s"].map(JSON.string))), ("speed-bytes", .int(1000)),
                ("size-units", .array(["kB", "MB", "GB", "TB"].map(JSON.string))), ("size-bytes", .int(1000)),
                ("memory-units", .array(["KiB", "MiB", "GiB", "TiB"].map(JSON.string))), ("memory-bytes", .int(1024)),
            ]),
        ]
    }
}

/// A client's minutes as seconds, from 0; a huge count is forever, not a trap.
private func seconds(minutes: Int64) -> Int64 { min(max(0, minutes), Int64.max / 60) * 60 }
