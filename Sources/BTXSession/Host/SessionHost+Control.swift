import Glibc
import TorrentKit

/// The control-socket methods a running session answers. Every request is
/// `{"method": M, "params": {...}}`; replies are `{"ok": true, "result": R}`
/// or `{"ok": false, "error": {"code", "message"}}`.
extension SessionHost {
    public func answer(_ request: JSON, client: UInt64) -> JSON? {
        let params = request["params"] ?? .object([])
        do {
            switch request["method"]?.stringValue ?? "" {
            case "dht_get":
                try startDHTGet(params, client: client)
                return nil
            case "dht_put":
                try startDHTPut(params, client: client)
                return nil
            case "ping":
                return ControlServer.result(.object([("pid", .int(Int(getpid()))), ("daemon", .bool(mode == .daemon)),
                                                     ("port", .int(session.listenPort)),
                                                     ("uptime", .double(monotonicSeconds() - started)), ("torrents", .int(tracked.count)),
                                                     ("dht_nodes", saveDHT ? .int((try? session.dhtNodeCount()) ?? 0) : .null)]))
            case "status":
                let queries = params["torrents"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let chosen = queries.isEmpty
                    ? try session.statuses().filter { entry($0.torrent) != nil }
                    : try queries.map { try session.status(entry(named: $0).torrent) }
                // What a status shows is settled on the statuses it shows: a
                // torrent seen seeding has its goal weighed, not a tick later.
                let now = monotonicSeconds()
                for status in chosen { update(with: status, now: now) }
                let withPieces = params["pieces"]?.boolValue == true
                // Every torrent's documents go straight to the socket: each is
                // kept encoded, to be sent again while it has not changed.
                let keepsEncoded = queries.isEmpty && server != nil
                return ControlServer.result(.object([("torrents", .array(try chosen.map { status in
                    if keepsEncoded, let entry = entry(status.torrent) { return encodedDocument(of: status, entry: entry) }
                    let document = document(of: status, entry: entry(status.torrent))
                    guard withPieces, status.hasMetadata else { return document }
                    let map = try session.pieceMap(status.torrent)
                    return document.adding("piece_map", pieceMapDocument(have: map.have, downloading: map.downloading,
                                                                         availability: map.availability))
                }))]))
            case "files":
                let (entry, status) = try target(params)
                let files = try session.files(entry.torrent)
                return ControlServer.result(.object([("name", .string(status.name)), ("info_hash", .string(status.infoHash)),
                                                     ("files", .array(files.map(\.document)))]))
            case "peers":
                let (entry, status) = try target(params)
                let peers = try session.peers(entry.torrent)
                return ControlServer.result(.object([("name", .string(status.name)), ("info_hash", .string(status.infoHash)),
                                                     ("peers", .array(peers.map(\.document)))]))
            case "add":
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
            case let method where ["pause", "resume"].contains(method) && params["all"]?.boolValue == true:
                var done: [JSON] = []
                for entry in tracked {
                    try method == "pause" ? pause(entry) : resume(entry)
                    done.append(.object([("info_hash", .string(entry.stateKey)), ("name", .string(entry.name))]))
                }
                return ControlServer.result(.object([("torrents", .array(done))]))
            case "pause", "resume", "verify":
                let (entry, status) = try target(params)
                switch request["method"]?.stringValue {
                case "pause": try pause(entry)
                case "resume": try resume(entry)
                default:
                    // libtorrent ignores a recheck without metadata: no check would ever end.
                    guard status.hasMetadata else {
                        throw BTXError.failure("\(status.name): the metadata has not arrived yet; nothing to verify")
                    }
                    try session.recheck(entry.torrent)
                    entry.checking = true
                    requestSave(entry, onlyIfModified: false)
                }
                return ControlServer.result(.object([("info_hash", .string(status.infoHash)), ("name", .string(status.name))]))
            case "remove":
                let (entry, status) = try target(params)
                try session.remove(entry.torrent, deleteFiles: params["delete_data"]?.boolValue ?? false)
                forget(entry)
                return ControlServer.result(.object([("info_hash", .string(status.infoHash)), ("name", .string(status.name))]))
            case "blocklist":
                return ControlServer.result(try currentBlocklist())
            case "blocklist_reload":
                return ControlServer.result(try reloadBlocklist(from: params["path"]?.stringValue))
            case "stop":
                stopRequested = true
                return ControlServer.result(.object([("stopping", .bool(true))]))
            case "trackers":
                return ControlServer.result(try trackers(params))
            case "set":
                return ControlServer.result(try set(params))
            case "queue":
                return ControlServer.result(try queue(params))
            case "move":
                return try move(params, client: client)
            case "stream":
                return ControlServer.result(try stream(params, client: client))
            case "stream_end":
                endStream(client)
                return ControlServer.result(.object([]))
            case let other:
                throw BTXError.usage("unknown method '\(other)'")
            }
        } catch let error as BTXError {
            return ControlServer.error(error.code, error.message)
        } catch let error as TorrentKitError {
            return ControlServer.error("failed", error.message)
        } catch {
            return ControlServer.error("failed", "\(error)")
        }
    }

    private func pause(_ entry: Tracked) throws {
        entry.savedPaused = true
        try unqueue(entry)
        try session.pause(entry.torrent)
        saveChange(entry)
    }

    func resume(_ entry: Tracked) throws {
        entry.savedPaused = false
        // Offline it stays paused: only its saved state changes.
        if mode != .offline {
            if queueing { try enqueue(entry) }
            try session.resume(entry.torrent)
        }
        for peer in entry.peers { try? session.connect(entry.torrent, to: peer) }
        entry.error = nil
        entry.done = false
        directory.clearError(for: entry.stateKey)
        saveChange(entry)
    }

    private func dhtDeadline(_ params: JSON) -> Double {
        monotonicSeconds() + min(max(params["timeout"]?.doubleValue ?? 30, 0.1), 300)
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
        try session.dhtGet(target, salt: salt)
        pendingDHT.append(PendingDHTRequest(kind: .get, client: client, id: target, salt: salt, deadline: dhtDeadline(params)))
    }

    private func startDHTPut(_ params: JSON, client: UInt64) throws {
        try requireDHT()
        guard let value = params["value"]?.stringValue.flatMap(base64Decode), value.count <= DHTItem.maxValueSize else {
            throw BTXError.usage("dht_put needs a base64 \"value\" of at most \(DHTItem.maxValueSize) bencoded bytes")
        }
        let salt = params["salt"]?.stringValue.flatMap(base64Decode) ?? []
        let id: String
        if let keyPath = params["key"]?.stringValue {
            // The key stays in its file; the session reads it as the same user.
            let key = try DHTKeyFile.load(keyPath)
            id = try session.dhtPut(mutable: value, key: key, salt: salt, seq: params["seq"]?.intValue, cas: params["cas"]?.intValue)
        } else {
            id = try session.dhtPut(immutable: value)
        }
        pendingDHT.append(PendingDHTRequest(kind: .put, client: client, id: id, salt: salt, deadline: dhtDeadline(params)))
    }

    /// A get answers once its lookup settles (see LookupAnswer), or with the best at its deadline.
    public func answerDHT(item: DHTItem) {
        let now = monotonicSeconds()
        for index in pendingDHT.indices where pendingDHT[index].kind == .get && pendingDHT[index].matches(item) {
            pendingDHT[index].answer.offer(item, now: now)
        }
        expireDHTRequests()
    }

    public func answerDHT(put item: DHTItem, message: String) {
        for index in pendingDHT.indices.reversed() where pendingDHT[index].kind == .put && pendingDHT[index].matches(item) {
            let request = pendingDHT.remove(at: index)
            let reply = message.hasPrefix("cas mismatch")
                ? ControlServer.error("failed", message) : ControlServer.result(item.transport)
            deliver(reply, to: request.client)
        }
    }

    /// Answers gets that settled and requests whose time is up.
    public func expireDHTRequests() {
        let now = monotonicSeconds()
        for index in pendingDHT.indices.reversed() {
            let request = pendingDHT[index]
            let settled = request.kind == .get && request.answer.isSettled(now: now)
            guard settled || request.deadline <= now else { continue }
            pendingDHT.remove(at: index)
            deliver(request.kind == .get
                ? dhtGetReply(request)
                : ControlServer.error("failed", "the put did not finish before the timeout"), to: request.client)
        }
    }

    private func dhtGetReply(_ request: PendingDHTRequest) -> JSON {
        guard let best = request.answer.best else {
            return ControlServer.error("not_found", "nothing found for \(request.id)\(request.salt.isEmpty ? "" : " with that salt")")
        }
        return ControlServer.result(best.transport)
    }

    /// A reply that could not be given at once (a lookup, a move).
    func deliver(_ reply: JSON, to client: UInt64) {
        if let server { server.respond(to: client, with: reply) } else { offlineReplies[client] = reply }
    }

    /// The one torrent `params.torrent` names, and its status now.
    func target(_ params: JSON) throws -> (Tracked, TorrentStatus) {
        guard let query = params["torrent"]?.stringValue else { throw BTXError.usage("the request needs a \"torrent\"") }
        let entry = try entry(named: query)
        return (entry, try session.status(entry.torrent))
    }
}
