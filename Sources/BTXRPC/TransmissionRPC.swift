import BTXSession
import Glibc

/// Transmission's RPC at /transmission/rpc, in both of its dialects: the
/// classic one (`method`, `arguments`, `tag`; rpc-version 17, transmission
/// 4.0) and JSON-RPC 2.0 (rpc_version 18, snake_case names, transmission
/// 4.1). Both are read into the classic names, answered once, and written
/// back in the dialect asked.
final class TransmissionRPC {
    static let path = "/transmission/rpc"
    /// What "recently-active" covers, as transmission: the last minute.
    static let recentSeconds = 60.0

    let link: SessionLink
    let facts: SessionFacts
    let settings: SessionSettings
    let mirror: TorrentMirror
    let ids = TorrentIDs()
    let metainfo: MetainfoFacts
    /// torrent-get's heavier fields between requests: files and pieces move
    /// with a torrent's document, trackers only with time.
    let keptFiles = ExtrasCache<[FileDocument]>(lifetime: 10)
    let keptTrackers = ExtrasCache<[TrackerDocument]>(lifetime: 5)
    let keptPieces = ExtrasCache<String>(lifetime: 10)
    /// The 409 handshake's token: a page that cannot read it (another
    /// site's form, posted by a browser) cannot make a request count.
    let sessionID: String
    /// The request being answered speaks JSON-RPC (session-get's rpc-version says 18).
    var jsonRPC = false

    /// What was kept of a torrent: a change made through the listener shows at once.
    func forgetExtras(_ hash: String) {
        keptFiles.forget(hash)
        keptTrackers.forget(hash)
        keptPieces.forget(hash)
    }

    init(link: SessionLink, facts: SessionFacts, settings: SessionSettings, directory: StateDirectory, mirror: TorrentMirror) {
        self.settings = settings
        self.mirror = mirror
        self.link = link
        self.facts = facts
        metainfo = MetainfoFacts(directory: directory)
        sessionID = randomToken(48)
    }

    /// A failure reported to the client as the request's result; the HTTP
    /// answer is still 200, as transmission's.
    struct Failure: Error {
        let message: String
        /// JSON-RPC's code for it.
        var code = 4
    }

    func respond(_ request: HTTPRequest) -> HTTPResponse {
        guard request.header("x-transmission-session-id") == sessionID else {
            return .text(409, "409: Conflict. Your request had an invalid session-id header; use this one:\n"
                         + "X-Transmission-Session-Id: \(sessionID)\n",
                         headers: [("X-Transmission-Session-Id", sessionID)])
        }
        guard request.method == "POST" else {
            return .text(405, "the RPC takes POST\n", headers: [("Allow", "POST")])
        }
        let body: JSON
        do {
            body = try JSON(parsing: request.body)
        } catch {
            // Which dialect a request that is not JSON speaks is a guess.
            let jsonRPC = String(decoding: request.body.prefix(4096), as: UTF8.self).contains("jsonrpc")
            return json(jsonRPC ? Self.jsonRPCError(-32700, "Parse error", id: .null)
                               : .object([("result", .string("invalid JSON: \(error)")), ("arguments", .object([]))]))
        }
        if let batch = body.arrayValue {
            let answers = batch.compactMap(answerJSONRPC)
            return answers.isEmpty ? HTTPResponse(status: 204) : json(.array(answers))
        }
        if body["jsonrpc"] != nil {
            return answerJSONRPC(body).map(json) ?? HTTPResponse(status: 204)
        }
        return json(answerClassic(body))
    }

    private func json(_ document: JSON) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json; charset=UTF-8")], body: .bytes(document.bytes))
    }

    private func answerClassic(_ body: JSON) -> JSON {
        var reply: [(String, JSON)]
        do {
            guard let method = body["method"]?.stringValue else { throw Failure(message: "no method name") }
            let result = try call(method, body["arguments"] ?? .object([]))
            reply = [("result", .string("success")), ("arguments", result)]
        } catch let failure as Failure {
            reply = [("result", .string(failure.message)), ("arguments", .object([]))]
        } catch {
            reply = [("result", .string(Self.message(of: error))), ("arguments", .object([]))]
        }
        if let tag = body["tag"] { reply.append(("tag", tag)) }
        return .object(reply)
    }

    /// nil for a notification (no id): JSON-RPC answers it with nothing.
    private func answerJSONRPC(_ body: JSON) -> JSON? {
        let id = body["id"]
        guard body["jsonrpc"]?.stringValue == "2.0", let name = body["method"]?.stringValue else {
            return Self.jsonRPCError(-32600, "Invalid Request", id: id ?? .null)
        }
        let method = String(name.map { $0 == "_" ? "-" : $0 })
        guard Self.methods.contains(method) else {
            return id.map { Self.jsonRPCError(-32601, "Method not found", id: $0) }
        }
        jsonRPC = true
        defer { jsonRPC = false }
        do {
            let result = try call(method, SnakeCase.toClassic(body["params"] ?? .object([])))
            return id.map { .object([("jsonrpc", .string("2.0")), ("result", SnakeCase.fromClassic(result)), ("id", $0)]) }
        } catch let failure as Failure {
            return id.map { Self.jsonRPCError(failure.code, failure.message, id: $0) }
        } catch {
            return id.map { Self.jsonRPCError(4, Self.message(of: error), id: $0) }
        }
    }

    private static func jsonRPCError(_ code: Int, _ message: String, id: JSON) -> JSON {
        .object([("jsonrpc", .string("2.0")), ("error", .object([("code", .int(code)), ("message", .string(message))])),
                 ("id", id)])
    }

    static func message(of error: Error) -> String {
        if let error = error as? BTXError { return error.message }
        if let failure = error as? Failure { return failure.message }
        return "\(error)"
    }

    static let methods: Set<String> = [
        "session-get", "session-set", "session-stats", "session-close", "free-space", "port-test", "blocklist-update",
        "torrent-get", "torrent-add", "torrent-start", "torrent-start-now", "torrent-stop", "torrent-verify",
        "torrent-reannounce", "torrent-remove", "torrent-set", "torrent-set-location", "torrent-rename-path",
        "queue-move-top", "queue-move-up", "queue-move-down", "queue-move-bottom",
    ]

    /// One method, in classic names.
    func call(_ method: String, _ arguments: JSON) throws -> JSON {
        switch method {
        case "session-get": return try sessionGet(arguments)
        case "session-set": return try sessionSet(arguments)
        case "session-stats": return try sessionStats()
        case "session-close":
            _ = try link.call(.stop)
            return .object([])
        case "free-space": return try freeSpace(arguments)
        case "port-test":
            let port = try link.call(.ping)["port"]?.intValue ?? 0
            throw Failure(message: "btx does not test its port from outside: that takes a third-party server "
                          + "(it listens on \(port))")
        case "blocklist-update":
            let reply = try link.call(.blocklistReload)
            return .object([("blocklist-size", .int(reply["entries"]?.intValue ?? 0))])
        case "torrent-get": return try torrentGet(arguments)
        case "torrent-add": return try torrentAdd(arguments)
        case "torrent-start", "torrent-start-now": return try each(arguments) { try self.link.call(.resume, [("torrent", .string($0))]) }
        case "torrent-stop": return try each(arguments) { try self.link.call(.pause, [("torrent", .string($0))]) }
        case "torrent-verify": return try each(arguments) { try self.link.call(.verify, [("torrent", .string($0))]) }
        case "torrent-reannounce":
            // An RPC answers at once: the listener's one thread waits for no tracker.
            return try each(arguments) {
                try self.link.call(.trackers, [("torrent", .string($0)), ("reannounce", .bool(true)), ("wait", .bool(false))])
            }
        case "torrent-remove":
            let delete = arguments["delete-local-data"]?.boolValue ?? false
            return try each(arguments) { try self.link.call(.remove, [("torrent", .string($0)), ("delete_data", .bool(delete))]) }
        case "torrent-set": return try torrentSet(arguments)
        case "torrent-set-location": return try torrentSetLocation(arguments)
        case "queue-move-top", "queue-move-up", "queue-move-down", "queue-move-bottom":
            let move = String(method.dropFirst("queue-move-".count))
            return try each(arguments) { try self.link.call(.queue, [("torrent", .string($0)), ("move", .string(move))]) }
        case "torrent-rename-path":
            return try renamePath(arguments)
        default:
            throw Failure(message: "method name not recognized", code: -32601)
        }
    }

    /// Does `action` to every torrent `arguments.ids` names.
    func each(_ arguments: JSON, _ action: (String) throws -> JSON) throws -> JSON {
        for hash in try selectedHashes(arguments["ids"]) { _ = try action(hash) }
        return .object([])
    }

    /// The info-hashes `ids` names: every torrent when absent, else ids,
    /// hashes, or "recently-active".
    func selectedHashes(_ ids: JSON?) throws -> [String] {
        let all = try currentTorrents()
        guard let ids else { return all.map(\.infoHash) }
        if ids.stringValue == "recently-active" {
            // Changed in the last minute, as transmission counts activity, or moving data now.
            let now = monotonicSeconds()
            return all.filter { torrent in
                now - (mirror.changedTime[torrent.infoHash] ?? 0) <= Self.recentSeconds || torrent.downloadRate > 0 || torrent.uploadRate > 0
            }.map(\.infoHash)
        }
        let wanted = ids.arrayValue ?? [ids]
        return try wanted.compactMap { item -> String? in
            // A removed torrent's id names nothing now, as in transmission.
            if let number = item.intValue { return self.ids.hash(Int(number)).flatMap { mirror.document($0) == nil ? nil : $0 } }
            if let text = item.stringValue?.lowercased() {
                return all.first { $0.infoHash == text || $0.infoHashV1 == text || $0.infoHashV2 == text }?.infoHash
            }
            throw Failure(message: "ids must be numbers or hash strings")
        }
    }

    /// Every torrent's document now, from the mirror brought up to date.
    func currentTorrents() throws -> [TorrentDocument] {
        let (_, removed) = try mirror.refresh(link)
        if !removed.isEmpty { metainfo.forget(Set(removed)) }
        return mirror.all
    }
}
