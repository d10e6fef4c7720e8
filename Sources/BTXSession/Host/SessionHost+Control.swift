import Glibc
import TorrentKit

/// The control-socket methods a running session answers (see ControlMethod).
extension SessionHost {
    /// The reply, or nil for one given later (a DHT lookup, a move).
    public func answer(_ request: JSON, client: UInt64) -> JSON? {
        let params = request["params"] ?? .object([])
        do {
            let name = request["method"]?.stringValue ?? ""
            guard let method = ControlMethod(rawValue: name) else { throw BTXError.usage("unknown method '\(name)'") }
            if parkedWhileLoading(method, request, client: client) { return nil }
            switch method {
            case .dhtGet:
                try startDHTGet(params, client: client)
                return nil
            case .dhtPut:
                try startDHTPut(params, client: client)
                return nil
            case .ping:
                let facts: [(String, JSON)] = [
                    ("pid", .int(Int(getpid()))), ("daemon", .bool(mode == .daemon)), ("port", .int(session.listenPort)),
                    ("rpc", .optional(rpcURL)), ("max_down", .int(sessionRates.down)), ("max_up", .int(sessionRates.up)),
                ]
                return ControlServer.result(.object(facts + altJSON + loadingJSON + [
                    ("uptime", .double(monotonicSeconds() - started)), ("torrents", .int(tracked.count)),
                    ("dht_nodes", saveDHT ? .int((try? session.dhtNodeCount()) ?? 0) : .null),
                ] + diskQueueJSON(asked: params["disk"]?.boolValue == true)))
            case .status:
                let queries = params["torrents"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if let since = params["since"]?.intValue { return ControlServer.result(try changes(since: since)) }
                let label = params["label"]?.stringValue
                // Entries, each with its status brought up to now, not copies of 100,000 statuses.
                let listed = queries.isEmpty ? try currentEntries() : try queries.map { query in
                    let entry = try entry(named: query)
                    // A dormant one's saved status is its status: shown, it stays out of libtorrent.
                    if !entry.isDormant { _ = try freshStatus(entry.torrent) }
                    return entry
                }
                let chosen = label.map { label in listed.filter { $0.settings.labels.contains(label) } } ?? listed
                let withPieces = params["pieces"]?.boolValue == true
                let mapped = withPieces ? chosen.filter { $0.lastStatus?.hasMetadata == true } : []
                wakeAll(mapped)
                let pieceMaps = try inBatches(mapped) { try session.pieceMap($0.torrent) }.map { ($0.0.handle, $0.1) }
                let overview = params["overview"]?.boolValue == true ? [("overview", documents.overview(of: chosen))] : []
                let maps = Dictionary(pieceMaps, uniquingKeysWith: { first, _ in first })
                // Every torrent's documents are written as the socket drains; those a request names are
                // values, for the readers of one or a few in this process too (serve, cat).
                let items = queries.isEmpty && server != nil ? [.produced(producedDocuments(chosen, pieceMaps: maps))]
                    : chosen.compactMap { entry in entry.lastStatus.map { shownDocument($0, entry, maps).json } }
                return ControlServer.result(.object(overview + [("torrents", .array(items))]))
            // (A where clause holds for the one pattern before it: each is given its own.)
            case .files where params["torrents"] != nil, .peers where params["torrents"] != nil,
                 .trackers where params["torrents"] != nil:
                return ControlServer.result(try batch(method, params))
            case .files:
                let (entry, status) = try target(params)
                let files = try session.files(entry.torrent)
                return ControlServer.result(.object([("name", .string(status.name)), ("info_hash", .string(status.infoHash)),
                                                     ("files", .array(files.map { FileDocument($0).json }))]))
            case .peers:
                let (entry, status) = try target(params)
                let peers = try session.peers(entry.torrent)
                return ControlServer.result(.object([("name", .string(status.name)), ("info_hash", .string(status.infoHash)),
                                                     ("peers", .array(peers.map { PeerDocument($0).json }))]))
            case .add:
                let plan = AddPlan(json: params)
                guard let savePath = params["save_path"]?.stringValue, savePath.hasPrefix("/") else {
                    throw BTXError.usage("add needs an absolute \"save_path\"")
                }
                let sources = try (params["sources"]?.arrayValue ?? []).map(AddSource.init(json:))
                var added: [JSON] = []
                for source in sources {
                    let entry = try add(source, plan: plan, savePath: savePath,
                                        explicitSavePath: params["explicit_save_path"]?.boolValue ?? true)
                    added.append(entry.added)
                }
                return ControlServer.result(.object([("torrents", .array(added))]))
            case .pause where params["all"]?.boolValue == true:
                return ControlServer.result(try everyTorrent(pause))
            case .resume where params["all"]?.boolValue == true:
                return ControlServer.result(try everyTorrent(resume))
            case .pause:
                return try onTarget(params) { entry, _ in try pause(entry) }
            case .resume:
                return try onTarget(params) { entry, _ in try resume(entry) }
            case .verify:
                return try onTarget(params, verify)
            case .remove:
                return try onTarget(params) { entry, _ in
                    let deleting = params["delete_data"]?.boolValue ?? false
                    if deleting { forgetIndexedFiles(entry) }
                    // A dormant one is in libtorrent only to have its files deleted.
                    if deleting || !entry.isDormant { try session.remove(entry.torrent, deleteFiles: deleting) }
                    note("removed", [("deleted_data", .bool(deleting))], entry: entry)
                    forget(entry)
                }
            case .blocklist:
                return ControlServer.result(try currentBlocklist())
            case .blocklistReload:
                return ControlServer.result(try reloadBlocklist(from: params["path"]?.stringValue))
            case .sessionRates:
                let down = params["max_down"]?.intValue ?? sessionRates.down, up = params["max_up"]?.intValue ?? sessionRates.up
                guard down >= 0, up >= 0 else { throw BTXError.usage("max_down and max_up are bytes/s from 0") }
                if (down, up) != sessionRates {
                    sessionRates = (down, up)
                    try applyRates()
                }
                if let alt = params["alt"]?.boolValue { try setAlt(alt) }
                return ControlServer.result(.object([("max_down", .int(down)), ("max_up", .int(up))] + altJSON))
            case .stop:
                stopRequested = true
                return ControlServer.result(.object([("stopping", .bool(true))]))
            case .trackers:
                return try trackers(params, client: client)
            case .set:
                return ControlServer.result(try set(params))
            case .queue:
                return ControlServer.result(try queue(params))
            case .move:
                return try move(params, client: client)
            case .events:
                return events(params, client: client)
            case .rename:
                return ControlServer.result(try rename(params))
            case .stream:
                return ControlServer.result(try stream(params, client: client))
            case .streamEnd:
                endStream(client)
                return ControlServer.result(.object([]))
            }
        } catch let error as BTXError {
            return ControlServer.error(error.code, error.message)
        } catch let error as TorrentKitError {
            return ControlServer.error("failed", error.message)
        } catch {
            return ControlServer.error("failed", "\(error)")
        }
    }

    /// The disk queue, for a ping that asks (the metrics): another round
    /// trip to libtorrent's thread, which a status line need not pay.
    private func diskQueueJSON(asked: Bool) -> [(String, JSON)] {
        guard asked, let queue = try? session.diskQueue() else { return [] }
        return [("disk_waiting_write", .int(queue.waitingWrite)), ("disk_waiting_read", .int(queue.waitingRead))]
    }

    /// Every torrent, in the order added, its status (`lastStatus`) as of
    /// now. What a status shows is settled on the statuses it shows: a
    /// torrent seen seeding has its goal weighed, not a tick later.
    private func currentEntries() throws -> [Tracked] {
        let now = monotonicSeconds()
        // A daemon follows libtorrent's state updates: the statuses it holds
        // and those of the torrents changed since, asked for now (a pause or
        // a queue move just made shows), are every torrent's current one.
        // Reading 100,000 afresh made a status of all take 0.53 s, not 0.36.
        guard policy.pollsOnlyChanges, let updates = try? session.currentStatusUpdates(timeout: 2) else {
            for status in try session.statuses() { update(with: status, now: now) }
            return tracked
        }
        for status in updates { update(with: status, now: now) }
        // libtorrent posts no update for the second a rate falls to 0, and a
        // torrent whose alert came in since the last tick is not updated
        // yet: those few are read afresh.
        for entry in tracked where !isCurrent(entry) { _ = try freshStatus(entry.torrent) }
        return tracked
    }

    private func isCurrent(_ entry: Tracked) -> Bool {
        entry.movesNoData && !changedTorrents.contains(entry.handle)
    }

    private func freshStatus(_ torrent: Torrent) throws -> TorrentStatus {
        let status = try session.status(torrent)
        update(with: status, now: monotonicSeconds())
        return status
    }

    /// `status` with `since`: the documents that changed after that revision
    /// and the torrents removed, or every document (`full`) when the
    /// revision is 0, unknown (another run of the session) or too old. What a
    /// listener that mirrors the session needs, in one pass that encodes
    /// only what changed: 5,000 idle torrents cost no JSON at all.
    private func changes(since: Int64) throws -> JSON {
        let removed = since > 0 && since <= documents.revision ? documents.removed(since: since) : nil
        var changed: [Tracked] = []
        for entry in try currentEntries() {
            guard let status = entry.lastStatus else { continue }
            let revision = documents.revision(of: status, entry: entry, streaming: streamDocument(status.torrent) != nil)
            if removed == nil || revision > since { changed.append(entry) }
        }
        // Written as the socket drains, like a status of all: a document
        // that changes meanwhile shows its newer state, and is sent again
        // at the next poll, as any change after `revision` is.
        let items = server == nil ? changed.compactMap { entry in entry.lastStatus.map { document(of: $0, entry: entry).json } }
            : [.produced(producedDocuments(changed))]
        return .object([("revision", .int(documents.revision)), ("full", .bool(removed == nil)), ("torrents", .array(items)),
                         ("removed", .array((removed ?? []).map(JSON.string)))])
    }

    /// The documents of `entries`, written 128 KiB at a time as the socket
    /// takes them, each from its torrent's status as that piece is made:
    /// a status of 100,000 is sent as it is written, never held whole.
    private func producedDocuments(_ entries: [Tracked], pieceMaps: [Torrent: PieceMap] = [:]) -> JSONProducer {
        let pieceSize = 1 << 17
        var next = 0
        var first = true
        return JSONProducer { [weak self] in
            guard let self, next < entries.count else { return nil }
            var alone: [UInt8]?
            // Each document is made, weighed and written here, never returned
            // or held: copies of it were a quarter of a status of all.
            let piece = JSONWriter.piece(capacity: pieceSize) { out in
                while next < entries.count {
                    let entry = entries[next]
                    guard let status = entry.lastStatus else {
                        next += 1
                        continue
                    }
                    let document = pieceMaps.isEmpty ? self.document(of: status, entry: entry)
                        : self.shownDocument(status, entry, pieceMaps)
                    let nested = document.nestedBytes
                    // Items of one array across pieces: each but the very first follows a comma.
                    guard out.room >= document.bound(nested) + 1 else {
                        // Made again for the next piece (one in a hundred).
                        guard out.room == pieceSize else { return }
                        // Alone bigger than a piece (a piece map of a million pieces): sent as it is written.
                        var whole: [UInt8] = first ? [] : [UInt8(ascii: ",")]
                        document.write(into: &whole)
                        alone = whole
                        next += 1
                        first = false
                        return
                    }
                    if !first { out.byte(UInt8(ascii: ",")) }
                    first = false
                    document.write(to: &out, nested)
                    next += 1
                }
            }
            return alone ?? piece
        }
    }

    /// A torrent's status document, with its piece map when one was read.
    private func shownDocument(_ status: TorrentStatus, _ entry: Tracked, _ pieceMaps: [Torrent: PieceMap]) -> TorrentDocument {
        var document = document(of: status, entry: entry)
        if !pieceMaps.isEmpty, let map = pieceMaps[status.torrent] {
            document.pieceMap = PieceMapDocument(have: map.have, downloading: map.downloading, availability: map.availability,
                                                 pieceLength: map.pieceLength)
        }
        return document
    }

    /// files, peers or trackers (as a listing: no changes) of every torrent
    /// `params.torrents` names, in one request: a listener showing them for
    /// thousands of torrents makes one round trip, not thousands.
    private func batch(_ method: ControlMethod, _ params: JSON) throws -> JSON {
        let queries = params["torrents"]?.arrayValue?.compactMap(\.stringValue) ?? []
        // A dormant torrent's listing is its resume file's, read here: on
        // libtorrent's thread, reading thousands would hold up its networking.
        let dormant = Set(queries.filter { (try? entry(named: $0))?.isDormant == true })
        let live = try inBatches(queries.filter { !dormant.contains($0) }) { query in try? batchItem(method, query) }
        let liveItems = Dictionary(live, uniquingKeysWith: { first, _ in first })
        // One torrent that cannot answer (gone meanwhile, no metadata yet) is left out, not the request failed.
        let items = queries.compactMap { query in
            dormant.contains(query) ? try? batchItem(method, query) : liveItems[query] ?? nil
        }
        return .object([("torrents", .array(items))])
    }

    /// `read` of each of `items`, made on libtorrent's thread a few hundred
    /// at a time (Session.batch): 5,000 torrents' files cost 20 round trips
    /// to it, not 5,000, and its networking never waits long.
    func inBatches<Item, Value>(_ items: [Item], _ read: (Item) throws -> Value) throws -> [(Item, Value)] {
        var values: [(Item, Value)] = []
        values.reserveCapacity(items.count)
        var start = 0
        while start < items.count {
            let end = min(start + 256, items.count)
            values += try session.batch { try items[start..<end].map { ($0, try read($0)) } }
            start = end
        }
        return values
    }

    private func batchItem(_ method: ControlMethod, _ query: String) throws -> JSON {
        let entry = try entry(named: query)
        let items: (String, JSON)
        switch method {
        case _ where entry.isDormant: items = (method.rawValue, try savedListing(method, of: entry))
        case .files: items = ("files", .array(try session.files(entry.torrent).map { FileDocument($0).json }))
        case .peers: items = ("peers", .array(try session.peers(entry.torrent).map { PeerDocument($0).json }))
        default: items = ("trackers", .array(try session.trackers(entry.torrent).map { TrackerDocument($0).json }))
        }
        // Named as asked, so the asker files it where it looks.
        return .object([("info_hash", .string(query)), ("name", .string(entry.name)), items])
    }

    /// Does `action` to the torrent `params` names; the reply names it.
    private func onTarget(_ params: JSON, _ action: (Tracked, TorrentStatus) throws -> Void) throws -> JSON {
        let (entry, status) = try target(params)
        try action(entry, status)
        return ControlServer.result(.object([("info_hash", .string(status.infoHash)), ("name", .string(status.name))]))
    }

    /// `--all`: does `action` to every torrent.
    private func everyTorrent(_ action: (Tracked) throws -> Void) throws -> JSON {
        var done: [JSON] = []
        for entry in tracked {
            try action(entry)
            done.append(.object([("info_hash", .string(entry.stateKey)), ("name", .string(entry.name))]))
        }
        return .object([("torrents", .array(done))])
    }

    private func verify(_ entry: Tracked, _ status: TorrentStatus) throws {
        // libtorrent ignores a recheck without metadata: no check would ever end.
        guard status.hasMetadata else {
            throw BTXError.failure("\(status.name): the metadata has not arrived yet; nothing to verify")
        }
        try session.recheck(entry.torrent)
        entry.checking = true
        requestSave(entry, onlyIfModified: false)
    }

    private func pause(_ entry: Tracked) throws {
        // Paused, out of the queue and saved so: a pause --all leaves it out of libtorrent.
        guard !entry.isDormant else { return }
        entry.savedPaused = true
        try unqueue(entry)
        try session.pause(entry.torrent)
        saveChange(entry)
    }

    func resume(_ entry: Tracked) throws {
        entry.savedPaused = false
        // Resumed by its user before the pause for its copies took: it goes on without them.
        if case .whenPaused = entry.pendingReuse { entry.pendingReuse = nil }
        // Offline it stays paused: only its saved state changes.
        if !policy.runsPaused {
            stopResting()
            if queueing { try enqueue(entry) }
            try session.resume(entry.torrent)
        }
        for peer in entry.peers { try? session.connect(entry.torrent, to: peer) }
        entry.error = nil
        entry.done = false
        directory.clearError(for: entry.stateKey)
        saveChange(entry)
    }

    private func requireDHT() throws {
        guard saveDHT else { throw BTXError.failure("the running session has the DHT turned off") }
    }

    private func startDHTGet(_ params: JSON, client: UInt64) throws {
        try requireDHT()
        guard let target = params["target"]?.stringValue?.lowercased(), target.count == 40 || target.count == 64,
              target.allSatisfy(\.isHexDigit) else {
            throw BTXError.usage("dht_get needs a 40- or 64-hex \"target\"")
        }
        let salt = params["salt"]?.stringValue.flatMap(base64Decode) ?? []
        try dht.get(target, salt: salt, timeout: params["timeout"]?.doubleValue ?? 30, for: client)
    }

    private func startDHTPut(_ params: JSON, client: UInt64) throws {
        try requireDHT()
        guard let value = params["value"]?.stringValue.flatMap(base64Decode), value.count <= DHTItem.maxValueSize else {
            throw BTXError.usage("dht_put needs a base64 \"value\" of at most \(DHTItem.maxValueSize) bencoded bytes")
        }
        // The key stays in its file; the session reads it as the same user.
        let key = try params["key"]?.stringValue.map(DHTKeyFile.load)
        try dht.put(value, key: key, salt: params["salt"]?.stringValue.flatMap(base64Decode) ?? [], seq: params["seq"]?.intValue,
                    cas: params["cas"]?.intValue, timeout: params["timeout"]?.doubleValue ?? 30, for: client)
    }

    /// Answers the DHT requests that are over.
    func deliverDHTAnswers() {
        guard !dht.isEmpty else { return }
        for (client, outcome) in dht.finished() {
            switch outcome {
            case .success(let item): deliver(ControlServer.result(item.transport), to: client)
            case .failure(let error): deliver(ControlServer.error(error.code, error.message), to: client)
            }
        }
    }

    /// A reply that could not be given at once (a lookup, a move).
    func deliver(_ reply: JSON, to client: UInt64) {
        if let server { server.respond(to: client, with: reply) } else { offlineReplies[client] = reply }
    }

    /// The one torrent `params.torrent` names, and its status now.
    func target(_ params: JSON) throws -> (Tracked, TorrentStatus) {
        guard let query = params["torrent"]?.stringValue else { throw BTXError.usage("the request needs a \"torrent\"") }
        let entry = try entry(named: query)
        // A dormant one is woken by what acts on it, not by being named (a pause leaves it be).
        if entry.isDormant, let saved = entry.lastStatus { return (entry, saved) }
        return (entry, try session.status(entry.torrent))
    }
}
