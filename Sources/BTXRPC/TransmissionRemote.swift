import BTXSession
import Glibc
import TorrentKit

/// `btx --remote URL`: btx's control requests answered by a daemon
/// elsewhere over Transmission RPC (btx's own listener, or a
/// transmission-daemon), each reply built into btx's own documents so the
/// commands print the same tables and JSON as they do locally.
public final class TransmissionRemote: SessionChannel {
    let client: HTTPRequester
    let path: String
    /// "user:password" for basic auth; never printed.
    private let authorization: String?
    private var sessionID: String?
    /// What errors name: the URL without its credentials.
    public let shownURL: String

    /// `url`: http://[USER:PASSWORD@]HOST[:PORT][/PATH], PATH /transmission/rpc
    /// by default; `credentials` ("user:password") when the URL has none.
    public init(url: String, credentials: String?) throws {
        guard url.lowercased().hasPrefix("http://") else {
            throw BTXError.usage("--remote: '\(url.redactingCredentials)' is not an http:// URL (for TLS, point it at the proxy's plain side)")
        }
        let afterScheme = url.dropFirst(7)
        let authority = afterScheme.prefix { $0 != "/" }
        let rest = afterScheme.dropFirst(authority.count)
        var hostPort = authority
        var userInfo: Substring?
        if let at = authority.lastIndex(of: "@") {
            userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
        }
        var host = String(hostPort), port = 9091
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            host = String(hostPort[..<colon])
            guard let number = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(number) else {
                throw BTXError.usage("--remote: '\(url.redactingCredentials)' has a bad port")
            }
            port = number
        }
        guard !host.isEmpty else { throw BTXError.usage("--remote: '\(url.redactingCredentials)' names no host") }
        client = HTTPRequester(host: host, port: port)
        path = rest.isEmpty || rest == "/" ? "/transmission/rpc" : String(rest)
        if let userInfo, percentDecoded(userInfo) == nil {
            throw BTXError.usage("--remote: the URL's user or password has a bad %-escape")
        }
        authorization = userInfo.flatMap(percentDecoded) ?? credentials
        shownURL = "http://\(hostPort)\(path)"
    }

    public func waitForReplies(upTo seconds: Double) {}

    public func callRaw(_ method: ControlMethod, _ params: [(String, JSON)], into sink: (UnsafeRawBufferPointer) -> Void) throws {
        try call(method, params).bytes.withUnsafeBytes(sink)
    }

    /// One Transmission RPC call; its arguments, or the error it reports.
    func rpc(_ method: String, _ arguments: [(String, JSON)] = []) throws -> JSON {
        let body = JSON.object([("method", .string(method)), ("arguments", .object(arguments))]).bytes
        for _ in 0..<2 {
            var headers = [("Content-Type", "application/json")]
            if let sessionID { headers.append(("X-Transmission-Session-Id", sessionID)) }
            if let authorization { headers.append(("Authorization", "Basic " + base64(Array(authorization.utf8)))) }
            let response = try client.send("POST", path: path, headers: headers, body: body)
            switch response.status {
            case 409:
                guard let id = response.headers["x-transmission-session-id"] else {
                    throw BTXError.failure("\(shownURL) answered 409 without a session id: is it Transmission RPC?")
                }
                sessionID = id
                continue
            case 401:
                throw BTXError.failure("\(shownURL) refused the credentials (401): give them in the URL, BTX_REMOTE_AUTH or BTX_REMOTE_AUTH_FILE")
            case 200:
                guard let reply = try? JSON(parsing: response.body) else { throw BTXError.failure("\(shownURL) answered something not JSON") }
                guard reply["result"]?.stringValue == "success" else {
                    throw BTXError.failure("\(shownURL): \(reply["result"]?.stringValue ?? "no result")")
                }
                return reply["arguments"] ?? .object([])
            default:
                throw BTXError.failure("\(shownURL) answered HTTP \(response.status)")
            }
        }
        throw BTXError.failure("\(shownURL) kept asking for a new session id")
    }

    public func call(_ method: ControlMethod, _ params: [(String, JSON)]) throws -> JSON {
        let request = JSON.object(params)
        switch method {
        case .ping:
            let session = try rpc("session-get", [("fields", .array(["peer-port", "version"].map(JSON.string)))])
            return .object([("pid", .int(0)), ("daemon", .bool(true)), ("port", session["peer-port"] ?? .null),
                            ("rpc", .string(shownURL)), ("version", session["version"] ?? .null)])
        case .status: return try status(request)
        case .files: return try files(request)
        case .peers: return try peers(request)
        case .trackers: return try trackers(request)
        case .add: return try add(request)
        case .pause, .resume, .verify, .remove:
            let rpcName = ["pause": "torrent-stop", "resume": "torrent-start", "verify": "torrent-verify", "remove": "torrent-remove"][method.rawValue]!
            var extra: [(String, JSON)] = []
            if method == .remove { extra.append(("delete-local-data", .bool(request["delete_data"]?.boolValue ?? false))) }
            if request["all"]?.boolValue == true {
                let all = try torrents(fields: ["id", "hashString", "name"])
                _ = try rpc(rpcName, extra)
                return .object([("torrents", .array(all.map { .object([("info_hash", $0["hashString"] ?? .null), ("name", $0["name"] ?? .null)]) }))])
            }
            let torrent = try one(request)
            _ = try rpc(rpcName, [("ids", .array([torrent["id"] ?? .null]))] + extra)
            return .object([("info_hash", torrent["hashString"] ?? .null), ("name", torrent["name"] ?? .null)])
        case .set: return try set(request)
        case .move:
            let torrent = try one(request)
            guard let path = request["path"]?.stringValue else { throw BTXError.usage("move needs a path") }
            _ = try rpc("torrent-set-location", [("ids", .array([torrent["id"] ?? .null])), ("location", .string(path)), ("move", .bool(true))])
            return .object([("info_hash", torrent["hashString"] ?? .null), ("name", torrent["name"] ?? .null), ("save_path", .string(path))])
        case .queue:
            let torrent = try one(request)
            let move = request["move"]?.stringValue ?? ""
            guard ["up", "down", "top", "bottom"].contains(move) else { throw BTXError.usage("queue needs up, down, top or bottom") }
            _ = try rpc("queue-move-\(move)", [("ids", .array([torrent["id"] ?? .null]))])
            let moved = try torrents(fields: ["queuePosition"], ids: [torrent["id"] ?? .null]).first
            return .object([("info_hash", torrent["hashString"] ?? .null), ("name", torrent["name"] ?? .null),
                            ("queue_position", moved?["queuePosition"] ?? .null)])
        default:
            throw BTXError.usage("'\(method.rawValue)' does not work with --remote")
        }
    }

    // MARK: torrents

    /// The fields a TorrentDocument is built from.
    static let documentFields = [
        "id", "hashString", "name", "status", "error", "errorString", "eta", "sizeWhenDone", "totalSize",
        "haveValid", "pieceCount", "pieceSize", "downloadedEver", "uploadedEver", "uploadRatio", "rateDownload", "rateUpload",
        "peersConnected", "peersSendingToUs", "downloadDir", "addedDate", "doneDate", "queuePosition", "metadataPercentComplete",
        "downloadLimit", "downloadLimited", "uploadLimit", "uploadLimited", "peer-limit", "sequentialDownload", "seedRatioLimit",
        "seedRatioMode", "isFinished", "labels", "leftUntilDone", "seedIdleLimit", "seedIdleMode",
    ]

    func torrents(fields: [String], ids: [JSON]? = nil) throws -> [JSON] {
        var arguments: [(String, JSON)] = [("fields", .array(fields.map(JSON.string)))]
        if let ids { arguments.append(("ids", .array(ids))) }
        return try rpc("torrent-get", arguments)["torrents"]?.arrayValue ?? []
    }

    private func key(_ torrent: JSON) -> TorrentKey {
        TorrentKey(infoHashV1: torrent["hashString"]?.stringValue, infoHashV2: nil, name: torrent["name"]?.stringValue ?? "")
    }

    /// The one torrent `request.torrent` names, as btx names them.
    private func one(_ request: JSON, fields: [String] = ["id", "hashString", "name"]) throws -> JSON {
        guard let query = request["torrent"]?.stringValue else { throw BTXError.usage("the request needs a \"torrent\"") }
        return try select(query, from: torrents(fields: fields), key: key)
    }

    private func status(_ request: JSON) throws -> JSON {
        let withPieces = request["pieces"]?.boolValue == true
        let all = try torrents(fields: Self.documentFields + (withPieces ? ["pieces"] : []))
        let queries = request["torrents"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var chosen = queries.isEmpty ? all : try queries.map { try select($0, from: all, key: key) }
        if let label = request["label"]?.stringValue {
            chosen = chosen.filter { $0["labels"]?.arrayValue?.contains { $0.stringValue == label } == true }
        }
        return .object([("torrents", .array(try chosen.map { torrent in
            var document = try Self.document(torrent)
            // transmission's bitfield is btx's, in base64.
            if withPieces, let pieces = document.pieces, let bits = torrent["pieces"]?.stringValue.flatMap(base64Decode),
               let have = bitfieldBits(bytes: bits, count: pieces) {
                document.pieceMap = PieceMapDocument(have: have, downloading: nil, availability: nil,
                                                     pieceLength: Int(torrent["pieceSize"]?.intValue ?? 0))
            }
            return document.json
        }))])
    }

    /// A transmission torrent as btx's torrent document.
    static func document(_ t: JSON) throws -> TorrentDocument {
        func int(_ key: String) -> Int64 { t[key]?.intValue ?? 0 }
        func double(_ key: String) -> Double { t[key]?.doubleValue ?? 0 }
        let hasMetadata = (t["metadataPercentComplete"]?.doubleValue ?? 1) >= 1
        let error = int("error") != 0 ? (t["errorString"]?.stringValue ?? "error") : nil
        let state: String
        switch int("status") {
        case 1, 2: state = "checking"
        case 3, 5: state = "queued"
        case 4: state = hasMetadata ? "downloading" : "metadata"
        case 6: state = "seeding"
        default: state = t["isFinished"]?.boolValue == true ? "finished" : "paused"
        }
        let pieces = int("pieceCount"), pieceSize = int("pieceSize")
        let eta = int("eta")
        let ratioMode = int("seedRatioMode")
        let settings: [(String, JSON)] = [
            ("max_down", t["downloadLimited"]?.boolValue == true ? .int(int("downloadLimit") * 1000) : .null),
            ("max_up", t["uploadLimited"]?.boolValue == true ? .int(int("uploadLimit") * 1000) : .null),
            ("max_peers", int("peer-limit") > 0 ? .int(int("peer-limit")) : .null), ("max_uploads", .null),
            ("sequential", .bool(t["sequentialDownload"]?.boolValue ?? false)), ("super_seed", .bool(false)),
            ("upload_only", .bool(false)), ("seed", .bool(ratioMode == 2)),
            ("seed_ratio", ratioMode == 1 ? .double(double("seedRatioLimit")) : .null), ("seed_time", .null),
            ("seed_idle", int("seedIdleMode") == 1 ? .int(int("seedIdleLimit") * 60) : .null),
        ]
        let document: JSON = .object([
            ("info_hash", .string(t["hashString"]?.stringValue ?? "")), ("info_hash_v1", t["hashString"] ?? .null),
            ("info_hash_v2", .null), ("name", .string(t["name"]?.stringValue ?? "")),
            ("state", .string(error != nil ? "error" : state)), ("running", .bool(true)), ("paused", .bool(int("status") == 0)),
            ("queue_position", .int(int("queuePosition"))), ("has_metadata", .bool(hasMetadata)),
            // Verified bytes over the size, as btx counts (transmission 3 has no percentComplete).
            ("progress", .double(int("totalSize") > 0 ? min(1, Double(int("haveValid")) / Double(int("totalSize"))) : 0)), ("size", hasMetadata ? .int(int("totalSize")) : .null),
            ("wanted", hasMetadata ? .int(int("sizeWhenDone")) : .null), ("done", .int(int("haveValid"))),
            ("pieces", hasMetadata ? .int(pieces) : .null),
            ("pieces_done", .int(pieceSize > 0 ? min(pieces, int("haveValid") / pieceSize) : 0)),
            ("downloaded", .int(int("downloadedEver"))), ("uploaded", .int(int("uploadedEver"))),
            // Transmission counts nothing per run: this run is everything.
            ("session_downloaded", .int(int("downloadedEver"))), ("session_uploaded", .int(int("uploadedEver"))),
            ("ratio", .double(max(0, double("uploadRatio")))), ("download_rate", .int(int("rateDownload"))),
            ("upload_rate", .int(int("rateUpload"))), ("peers", .int(int("peersConnected"))),
            ("seeds", .int(int("peersSendingToUs"))), ("blocked_peers", .null), ("eta", eta >= 0 ? .int(eta) : .null),
            ("save_path", .string(t["downloadDir"]?.stringValue ?? "")), ("error", .optional(error)),
            ("added_time", .int(int("addedDate"))), ("completed_time", int("doneDate") > 0 ? .int(int("doneDate")) : .null),
            ("labels", .array(t["labels"]?.arrayValue ?? [])), ("settings", .object(settings)),
            ("goal_reached", .bool(t["isFinished"]?.boolValue ?? false)), ("stream", .null),
        ])
        return try TorrentDocument(json: document)
    }

    private func files(_ request: JSON) throws -> JSON {
        let t = try one(request, fields: ["id", "hashString", "name", "files", "fileStats"])
        let files = t["files"]?.arrayValue ?? [], stats = t["fileStats"]?.arrayValue ?? []
        // The RPC gives no offsets: the files' sizes in order (transmission shows no pad files).
        var offset: Int64 = 0
        return .object([("name", t["name"] ?? .null), ("info_hash", t["hashString"] ?? .null),
                        ("files", .array(files.enumerated().map { index, file in
                            let stat = index < stats.count ? stats[index] : .object([])
                            let size = file["length"]?.intValue ?? 0, done = file["bytesCompleted"]?.intValue ?? 0
                            defer { offset += size }
                            let priority = stat["wanted"]?.boolValue == false ? "skip"
                                : ["-1": "low", "1": "high"][String(stat["priority"]?.intValue ?? 0)] ?? "normal"
                            return .object([("index", .int(index)), ("path", file["name"] ?? .string("")), ("size", .int(size)),
                                            ("offset", .int(offset)), ("done", .int(done)), ("progress", .double(size > 0 ? Double(done) / Double(size) : 1)),
                                            ("priority", .string(priority))])
                        }))])
    }

    private func peers(_ request: JSON) throws -> JSON {
        let t = try one(request, fields: ["id", "hashString", "name", "peers"])
        return .object([("name", t["name"] ?? .null), ("info_hash", t["hashString"] ?? .null),
                        ("peers", .array((t["peers"]?.arrayValue ?? []).map { peer in
                            let flag = { (key: String, letter: String) in peer[key]?.boolValue == true ? letter : "-" }
                            let address = peer["address"]?.stringValue ?? ""
                            let flags = flag("clientIsInterested", "I") + flag("clientIsChoked", "C") + flag("peerIsInterested", "i")
                                + flag("peerIsChoked", "c") + ((peer["progress"]?.doubleValue ?? 0) >= 1 ? "S" : "-")
                                + flag("isEncrypted", "E") + flag("isUTP", "U") + flag("isIncoming", "R")
                            return .object([("address", .string((address.contains(":") ? "[\(address)]" : address) + ":\(peer["port"]?.intValue ?? 0)")),
                                            ("client", peer["clientName"] ?? .string("")), ("flags", .string(flags)),
                                            ("progress", peer["progress"] ?? .double(0)), ("download_rate", peer["rateToClient"] ?? .int(0)),
                                            ("upload_rate", peer["rateToPeer"] ?? .int(0)), ("downloaded", .int(0)), ("uploaded", .int(0))])
                        }))])
    }

    private func trackers(_ request: JSON) throws -> JSON {
        var t = try one(request, fields: ["id", "hashString", "name", "trackerStats", "webseeds"])
        let ids: [JSON] = [t["id"] ?? .null]
        let strings = { (key: String) in request[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let add = strings("add"), remove = strings("remove")
        guard strings("add_web_seeds").isEmpty, strings("remove_web_seeds").isEmpty else {
            throw BTXError.usage("web seeds cannot be changed over --remote")
        }
        let stats = t["trackerStats"]?.arrayValue ?? []
        let removeIDs = try remove.map { url -> JSON in
            guard let tracker = stats.first(where: { $0["announce"]?.stringValue == url }) else {
                throw BTXError.notFound("\(t["name"]?.stringValue ?? "") has no tracker \(url) (see 'btx trackers')")
            }
            return tracker["id"] ?? .null
        }
        if !add.isEmpty || !removeIDs.isEmpty {
            var changes: [(String, JSON)] = [("ids", .array(ids))]
            if !add.isEmpty { changes.append(("trackerAdd", .array(add.map(JSON.string)))) }
            if !removeIDs.isEmpty { changes.append(("trackerRemove", .array(removeIDs))) }
            _ = try rpc("torrent-set", changes)
        }
        if request["reannounce"]?.boolValue == true || request["scrape"]?.boolValue == true {
            _ = try rpc("torrent-reannounce", [("ids", .array(ids))])
        }
        t = try torrents(fields: ["hashString", "name", "trackerStats", "webseeds"], ids: ids).first ?? t
        return .object([("info_hash", t["hashString"] ?? .null), ("name", t["name"] ?? .null),
                        ("trackers", .array((t["trackerStats"]?.arrayValue ?? []).map { tracker in
                            let succeeded = tracker["lastAnnounceSucceeded"]?.boolValue == true
                            let state = tracker["announceState"]?.intValue == 3 ? "updating"
                                : succeeded ? "working" : tracker["hasAnnounced"]?.boolValue == true ? "error" : "not_contacted"
                            let count = { (key: String) -> JSON in (tracker[key]?.intValue).map { $0 >= 0 ? .int($0) : .null } ?? .null }
                            let message = tracker["lastAnnounceResult"]?.stringValue ?? ""
                            return .object([("url", tracker["announce"] ?? .string("")), ("tier", tracker["tier"] ?? .int(0)),
                                            ("state", .string(state)),
                                            ("message", succeeded || message.isEmpty || message == "Success" ? .null : .string(message)),
                                            ("last_announce", (tracker["lastAnnounceTime"]?.intValue).map { $0 > 0 ? .int($0) : .null } ?? .null),
                                            ("next_announce", (tracker["nextAnnounceTime"]?.intValue).map { $0 > 0 ? .int($0) : .null } ?? .null),
                                            ("seeds", count("seederCount")), ("peers", count("leecherCount")), ("downloaded", count("downloadCount"))])
                        })),
                        ("web_seeds", .array(t["webseeds"]?.arrayValue ?? [])), ("web_seed_errors", .array([]))])
    }

    private func add(_ request: JSON) throws -> JSON {
        // What Transmission cannot take is said, never dropped.
        func given(_ value: JSON?) -> Bool {
            guard let value else { return false }
            if let items = value.arrayValue { return !items.isEmpty }
            return value.stringValue != nil || value.intValue != nil
        }
        for (key, option) in [("peers", "--peer"), ("only", "--only"), ("on_complete", "--on-complete"), ("seed_time", "--seed-time")]
        where given(request[key]) {
            throw BTXError.usage("\(option) does not work with --remote (Transmission has no such add option)")
        }
        // An add's caps, order, trackers and ratio goal, set on the torrent once it is there.
        var settings: [(String, JSON)] = []
        for (key, limit, limited) in [("max_down", "downloadLimit", "downloadLimited"), ("max_up", "uploadLimit", "uploadLimited")] {
            if let bytes = request[key]?.intValue, bytes > 0 { settings += [(limit, .int((bytes + 999) / 1000)), (limited, .bool(true))] }
        }
        if request["sequential"]?.boolValue == true { settings.append(("sequentialDownload", .bool(true))) }
        if let ratio = request["seed_ratio"]?.doubleValue { settings += [("seedRatioLimit", .double(ratio)), ("seedRatioMode", .int(1))] }
        else if request["seed"]?.boolValue == true { settings.append(("seedRatioMode", .int(2))) }
        if let trackers = request["trackers"]?.arrayValue, !trackers.isEmpty { settings.append(("trackerAdd", .array(trackers))) }
        var added: [JSON] = []
        let before = Set(try torrents(fields: ["hashString"]).compactMap { $0["hashString"]?.stringValue })
        for source in request["sources"]?.arrayValue ?? [] {
            var arguments: [(String, JSON)] = [("paused", .bool(request["paused"]?.boolValue ?? false))]
            if let metainfo = source["metainfo"] { arguments.append(("metainfo", metainfo)) }
            if let magnet = source["magnet"] { arguments.append(("filename", magnet)) }
            // The folder is the remote machine's: only one named on purpose goes along.
            if request["explicit_save_path"]?.boolValue == true, let path = request["save_path"] { arguments.append(("download-dir", path)) }
            if let labels = request["labels"]?.arrayValue, !labels.isEmpty { arguments.append(("labels", .array(labels))) }
            let reply = try rpc("torrent-add", arguments)
            guard let torrent = reply["torrent-added"] ?? reply["torrent-duplicate"], let hash = torrent["hashString"]?.stringValue else {
                throw BTXError.failure("\(shownURL) added nothing")
            }
            // Only on a torrent this add put there: one already there keeps its own.
            if !settings.isEmpty, reply["torrent-added"] != nil {
                _ = try rpc("torrent-set", [("ids", .array([torrent["id"] ?? .null]))] + settings)
            }
            let details = try torrents(fields: ["downloadDir", "metadataPercentComplete"], ids: [torrent["id"] ?? .null]).first
            added.append(addedEvent(infoHash: hash, name: torrent["name"]?.stringValue ?? "", savePath: details?["downloadDir"]?.stringValue ?? "",
                                    resumed: before.contains(hash), hasMetadata: (details?["metadataPercentComplete"]?.doubleValue ?? 0) >= 1))
        }
        return .object([("torrents", .array(added))])
    }

    private func set(_ request: JSON) throws -> JSON {
        var t = try one(request, fields: ["id", "hashString", "name", "labels", "files"])
        let ids: [JSON] = [t["id"] ?? .null]
        var changes: [(String, JSON)] = []
        for (key, limit, limited) in [("max_down", "downloadLimit", "downloadLimited"), ("max_up", "uploadLimit", "uploadLimited")] {
            guard let bytes = request[key]?.intValue else { continue }
            changes += [(limit, .int((bytes + 999) / 1000)), (limited, .bool(bytes > 0))]
        }
        if let peers = request["max_peers"]?.intValue { changes.append(("peer-limit", .int(peers))) }
        if let sequential = request["sequential"]?.boolValue { changes.append(("sequentialDownload", .bool(sequential))) }
        for key in ["max_uploads", "super_seed", "upload_only", "seed_time"] where request[key] != nil {
            throw BTXError.usage("\(String(key.map { $0 == "_" ? "-" : $0 })) cannot be set over --remote (Transmission has no such setting)")
        }
        if let ratio = request["seed_ratio"] {
            changes += ratio.doubleValue.map { [("seedRatioLimit", .double($0)), ("seedRatioMode", .int(1))] } ?? [("seedRatioMode", .int(0))]
        }
        if request["seed"]?.boolValue == true { changes.append(("seedRatioMode", .int(2))) }
        let add = request["add_labels"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let remove = request["remove_labels"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !add.isEmpty || !remove.isEmpty {
            var labels = (t["labels"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !remove.contains($0) }
            for label in add where !labels.contains(label) { labels.append(label) }
            changes.append(("labels", .array(labels.map(JSON.string))))
        }
        if let rules = request["priorities"]?.arrayValue, !rules.isEmpty {
            let files = (t["files"]?.arrayValue ?? []).enumerated().map { index, file in
                FileEntry(index: index, path: file["name"]?.stringValue ?? "", size: file["length"]?.intValue ?? 0)
            }
            var byKey: [String: [Int]] = [:]
            for rule in rules {
                let word = rule["priority"]?.stringValue ?? ""
                let chosen = try FileSelection(list: rule["files"]?.stringValue ?? "")
                    .indices(in: files, option: rule["option"]?.stringValue ?? "--priority", command: "set")
                let keys = ["skip": ["files-unwanted"], "low": ["files-wanted", "priority-low"], "normal": ["files-wanted", "priority-normal"],
                            "high": ["files-wanted", "priority-high"]][word] ?? []
                for key in keys { byKey[key, default: []] += chosen }
            }
            changes += byKey.map { ($0.key, .array($0.value.map { .int($0) })) }
        }
        if !changes.isEmpty { _ = try rpc("torrent-set", [("ids", .array(ids))] + changes) }
        t = try torrents(fields: Self.documentFields, ids: ids).first ?? t
        return try Self.document(t).json
    }
}

private extension String {
    /// The URL as it may be printed: no user or password.
    var redactingCredentials: String {
        let parts = split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, let at = parts[2].lastIndex(of: "@") else { return self }
        return ([parts[0], parts[1], parts[2][parts[2].index(after: at)...]] + parts.dropFirst(3)).joined(separator: "/")
    }
}
