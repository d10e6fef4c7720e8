import BTXSession
import Glibc
import TorrentKit

/// qBittorrent's Web API v2 at /api/v2, the set the *arr tools, autobrr,
/// cross-seed and qbit_manage call, over btx's session: a login that sets
/// the SID cookie (with credentials configured, every other call needs it),
/// qBittorrent's Referer/Origin check, and each call one or a few control
/// requests. Categories and tags are btx labels (LabelBook).
final class QBittorrentAPI {
    static let prefix = "/api/v2/"
    /// The qBittorrent this API matches: what clients check features against.
    static let appVersion = "v4.6.0"
    static let webAPIVersion = "2.9.3"

    let link: SessionLink
    let mirror: TorrentMirror
    let facts: SessionFacts
    let settings: SessionSettings
    let credentials: RPCCredentials?
    let book: LabelBook
    let sync = MaindataSync()
    let guardian: AuthGuard
    /// Logged-in cookies and when each was last used.
    private var sessions: [String: Double] = [:]
    private static let sessionLifetime = 3600.0

    init(link: SessionLink, mirror: TorrentMirror, facts: SessionFacts, settings: SessionSettings, credentials: RPCCredentials?,
         book: LabelBook, guardian: AuthGuard) {
        self.settings = settings
        self.guardian = guardian
        self.mirror = mirror
        self.link = link
        self.facts = facts
        self.credentials = credentials
        self.book = book
    }

    struct Failure: Error {
        let status: Int
        let message: String
    }

    func respond(_ request: HTTPRequest, from client: HTTPClient) -> HTTPResponse {
        // qBittorrent's CSRF defence: a page elsewhere that posts here names itself.
        for name in ["origin", "referer"] {
            if let value = request.header(name), !sameHost(value, request.header("host")) {
                return .text(401, "Unauthorized: \(name) \(value) is not this server\n")
            }
        }
        let endpoint = String(request.path.dropFirst(Self.prefix.count))
        do {
            // Nothing of a body is read before its sender has logged in.
            if endpoint == "auth/login" { return try login(HTTPForm(request), from: client) }
            guard isLoggedIn(request) else { return .text(403, "Forbidden\n") }
            let form = try HTTPForm(request)
            if endpoint == "auth/logout" {
                if let sid = cookie("SID", request) { sessions[sid] = nil }
                return .text(200, "")
            }
            guard Self.reads.contains(endpoint) || Self.actions.contains(endpoint) else {
                return .text(404, "btx does not answer \(Self.prefix)\(endpoint)\n")
            }
            guard Self.reads.contains(endpoint) || request.method == "POST" else {
                return .text(405, "\(endpoint) takes POST\n", headers: [("Allow", "POST")])
            }
            return try answer(endpoint, form)
        } catch let failure as Failure {
            return .text(failure.status, failure.message + "\n")
        } catch let error as HTTPForm.Failure {
            return .text(400, "\(error)\n")
        } catch let error as BTXError where error.exitCode == .notFound {
            return .text(404, error.message + "\n")
        } catch let error as BTXError where error.exitCode == .noSession {
            return .text(503, error.message + "\n")
        } catch {
            return .text(409, TransmissionRPC.message(of: error) + "\n")
        }
    }

    /// What may be asked with GET.
    static let reads: Set<String> = [
        "app/version", "app/webapiVersion", "app/buildInfo", "app/preferences", "app/defaultSavePath", "torrents/info",
        "torrents/properties", "torrents/files", "torrents/trackers", "torrents/pieceStates", "torrents/categories",
        "torrents/tags", "transfer/info", "transfer/downloadLimit", "transfer/uploadLimit", "transfer/speedLimitsMode",
        "sync/maindata",
    ]
    /// What changes something: POST only, so no image tag on another site can.
    static let actions: Set<String> = [
        "app/setPreferences", "torrents/add", "torrents/delete", "torrents/pause", "torrents/stop", "torrents/resume",
        "torrents/start", "torrents/recheck", "torrents/reannounce", "torrents/setLocation", "torrents/setUploadLimit",
        "torrents/setDownloadLimit", "torrents/setShareLimits", "torrents/addPeers", "torrents/filePrio",
        "torrents/createCategory", "torrents/editCategory", "torrents/removeCategories", "torrents/setCategory",
        "torrents/createTags", "torrents/deleteTags", "torrents/addTags", "torrents/removeTags", "torrents/rename",
        "transfer/setDownloadLimit", "transfer/setUploadLimit", "torrents/renameFile", "torrents/renameFolder",
        "transfer/toggleSpeedLimitsMode",
    ]

    private func answer(_ endpoint: String, _ form: HTTPForm) throws -> HTTPResponse {
        switch endpoint {
        case "app/version": return .text(200, Self.appVersion)
        case "app/webapiVersion": return .text(200, Self.webAPIVersion)
        case "app/buildInfo":
            return json(.object([("qt", .string("")), ("libtorrent", .string(libtorrentVersion)), ("boost", .string("")),
                                 ("openssl", .string("")), ("zlib", .string("")), ("bitness", .int(64)),
                                 ("app", .string("btx \(facts.version)"))]))
        case "app/preferences": return json(try preferences())
        case "app/setPreferences": return try setPreferences(form)
        case "app/defaultSavePath": return .text(200, facts.downloadDir)
        case "transfer/info": return json(try serverState(try torrents(), full: false))
        case "transfer/speedLimitsMode": return .text(200, try link.call(.ping)["alt"]?.boolValue == true ? "1" : "0")
        case "transfer/toggleSpeedLimitsMode":
            let on = try link.call(.ping)["alt"]?.boolValue == true
            _ = try link.call(.sessionRates, [("alt", .bool(!on))])
            return .text(200, "")
        case "transfer/downloadLimit": return .text(200, String(try settings.rates().down))
        case "transfer/uploadLimit": return .text(200, String(try settings.rates().up))
        case "transfer/setDownloadLimit", "transfer/setUploadLimit":
            // Bytes/s, 0 for none.
            guard let limit = form["limit"].flatMap(Int64.init), limit >= 0 else { throw Failure(status: 400, message: "limit is bytes/s from 0") }
            let down = endpoint == "transfer/setDownloadLimit"
            try settings.setRates(down: down ? limit : nil, up: down ? nil : limit)
            return .text(200, "")
        case "torrents/info": return json(try info(form))
        case "torrents/properties": return json(try properties(form))
        case "torrents/files": return json(try files(form))
        case "torrents/trackers": return json(try trackers(form))
        case "torrents/pieceStates": return json(try pieceStates(form))
        case "torrents/add": return try add(form)
        case "torrents/delete":
            let delete = form.bool("deleteFiles") ?? false
            return try each(form) { _ = try self.link.call(.remove, [("torrent", .string($0.infoHash)), ("delete_data", .bool(delete))]) }
        case "torrents/pause", "torrents/stop":
            return try each(form) { _ = try self.link.call(.pause, [("torrent", .string($0.infoHash))]) }
        case "torrents/resume", "torrents/start":
            return try each(form) { _ = try self.link.call(.resume, [("torrent", .string($0.infoHash))]) }
        case "torrents/recheck":
            return try each(form) { _ = try self.link.call(.verify, [("torrent", .string($0.infoHash))]) }
        case "torrents/reannounce":
            return try each(form) {
                _ = try self.link.call(.trackers, [("torrent", .string($0.infoHash)), ("reannounce", .bool(true)), ("wait", .bool(false))])
            }
        case "torrents/setLocation":
            guard let location = form["location"], location.hasPrefix("/") else { throw Failure(status: 400, message: "location must be absolute") }
            return try each(form) {
                _ = try self.link.call(.move, [("torrent", .string($0.infoHash)), ("path", .string(location)), ("wait", .bool(false))])
            }
        case "torrents/setUploadLimit", "torrents/setDownloadLimit":
            guard let limit = form["limit"].flatMap(Int64.init) else { throw Failure(status: 400, message: "limit must be bytes/s") }
            let key = endpoint == "torrents/setUploadLimit" ? "max_up" : "max_down"
            return try each(form) { _ = try self.link.call(.set, [("torrent", .string($0.infoHash)), (key, .int(max(0, limit)))]) }
        case "torrents/setShareLimits": return try setShareLimits(form)
        case "torrents/addPeers":
            let peers = (form["peers"] ?? "").split(separator: "|").map(String.init)
            guard !peers.isEmpty, peers.allSatisfy(isEndpoint) else { throw Failure(status: 400, message: "peers must be IP:PORT separated by |") }
            // Per torrent, how many were taken, as qBittorrent answers.
            var results: [(String, JSON)] = []
            for torrent in try chosen(form) {
                _ = try link.call(.set, [("torrent", .string(torrent.infoHash)), ("connect_peers", .array(peers.map(JSON.string)))])
                results.append((torrent.infoHash, .object([("added", .int(peers.count)), ("failed", .int(0))])))
            }
            return json(.object(results))
        case "torrents/filePrio": return try filePriority(form)
        case "torrents/categories":
            return json(.object(book.categories.sorted { $0.key < $1.key }.map { name, path in
                (name, .object([("name", .string(name)), ("savePath", .string(path))]))
            }))
        case "torrents/createCategory", "torrents/editCategory":
            guard let name = form["category"], !name.isEmpty else { throw Failure(status: 400, message: "category name is empty") }
            if endpoint == "torrents/createCategory", book.categories[name] != nil {
                throw Failure(status: 409, message: "category \(name) exists already")
            }
            if endpoint == "torrents/editCategory", book.categories[name] == nil {
                throw Failure(status: 409, message: "no category \(name)")
            }
            do { try book.setCategory(name, savePath: form["savePath"] ?? "") } catch let error as BTXError {
                throw Failure(status: 400, message: error.message)
            }
            return .text(200, "")
        case "torrents/removeCategories":
            let names = (form["categories"] ?? "").split(whereSeparator: \.isNewline).map(String.init)
            for torrent in try torrents() {
                let gone = torrent.settings.labels.filter(names.contains)
                if !gone.isEmpty { try changeLabels(torrent, remove: gone) }
            }
            for name in names { try book.removeCategory(name) }
            return .text(200, "")
        case "torrents/setCategory":
            let name = form["category"] ?? ""
            guard name.isEmpty || book.categories[name] != nil else { throw Failure(status: 409, message: "incorrect category name") }
            return try each(form) { torrent in
                let old = torrent.settings.labels.filter { self.book.categories[$0] != nil }
                try self.changeLabels(torrent, add: name.isEmpty ? [] : [name], remove: old.filter { $0 != name })
            }
        case "torrents/tags":
            return json(.array(allTags(try torrents()).map(JSON.string)))
        case "torrents/createTags":
            try book.createTags(tagList(form))
            return .text(200, "")
        case "torrents/deleteTags":
            let tags = tagList(form)
            for torrent in try torrents() where torrent.settings.labels.contains(where: tags.contains) {
                try changeLabels(torrent, remove: tags)
            }
            try book.deleteTags(tags)
            return .text(200, "")
        case "torrents/addTags":
            let tags = try tagList(form).map { tag -> String in
                guard book.categories[tag] == nil else { throw Failure(status: 409, message: "\(tag) is a category, not a tag") }
                return tag
            }
            return try each(form) { try self.changeLabels($0, add: tags) }
        case "torrents/removeTags":
            let tags = tagList(form)
            return try each(form) { try self.changeLabels($0, remove: tags.isEmpty ? self.book.tags(of: $0.settings.labels) : tags) }
        case "torrents/renameFile", "torrents/renameFolder":
            let t = try one(form)
            guard let old = form["oldPath"], let new = form["newPath"], !old.isEmpty, !new.isEmpty else {
                throw Failure(status: 400, message: "oldPath and newPath are required")
            }
            _ = try link.call(.rename, [("torrent", .string(t.infoHash)), ("path", .string(old)), ("new_path", .string(new))])
            return .text(200, "")
        case "torrents/rename":
            // The name shown (btx set --name); the files keep theirs, as in qBittorrent.
            let t = try one(form)
            guard let name = form["name"], !name.isEmpty, !name.contains(where: \.isNewline) else {
                throw Failure(status: 400, message: "name must be one non-empty line")
            }
            _ = try link.call(.set, [("torrent", .string(t.infoHash)), ("name", .string(name))])
            return .text(200, "")
        case "sync/maindata":
            let torrents = try torrents()
            let now = Int64(time(nil))
            return json(sync.answer(rid: Int(form["rid"] ?? "0") ?? 0, mirror: mirror,
                                    fields: { (QBittorrentFields.qbittorrentHash($0), QBittorrentFields.torrent($0, labels: self.book, now: now)) },
                                    categories: categoriesJSON(), tags: allTags(torrents), serverState: try serverState(torrents, full: true)))
        default:
            return .text(404, "btx does not answer \(Self.prefix)\(endpoint)\n")
        }
    }

    // MARK: auth

    private func login(_ form: HTTPForm, from client: HTTPClient) throws -> HTTPResponse {
        if let credentials {
            // qBittorrent's answer to a banned address.
            if guardian.isBanned(client.address) {
                return .text(403, "Your IP address has been banned after too many failed authentication attempts.\n")
            }
            if !credentials.accepts(user: form["username"] ?? "", password: form["password"] ?? "") {
                guardian.failed(client.address)
                var refused = HTTPResponse.text(200, "Fails.")
                refused.closes = true
                return refused
            }
        }
        let now = monotonicSeconds()
        sessions = sessions.filter { now - $0.value < Self.sessionLifetime }
        let sid = randomToken(32)
        sessions[sid] = now
        return .text(200, "Ok.", headers: [("Set-Cookie", "SID=\(sid); HttpOnly; SameSite=Strict; path=/")])
    }

    /// A logged-in cookie, without counting as a use of it.
    func hasSession(_ request: HTTPRequest) -> Bool {
        guard credentials != nil else { return true }
        guard let sid = cookie("SID", request), let last = sessions[sid] else { return false }
        return monotonicSeconds() - last < Self.sessionLifetime
    }

    private func isLoggedIn(_ request: HTTPRequest) -> Bool {
        guard credentials != nil else { return true }
        let now = monotonicSeconds()
        guard let sid = cookie("SID", request), let last = sessions[sid], now - last < Self.sessionLifetime else { return false }
        sessions[sid] = now
        return true
    }

    private func cookie(_ name: String, _ request: HTTPRequest) -> String? {
        for header in request.headers where header.0 == "cookie" {
            for part in header.1.split(separator: ";") {
                let pieces = part.split(separator: "=", maxSplits: 1)
                if pieces.count == 2, pieces[0].trimmingSpaces == name { return pieces[1].trimmingSpaces }
            }
        }
        return nil
    }

    /// An Origin or Referer URL names the server the Host header names.
    private func sameHost(_ url: String, _ host: String?) -> Bool {
        guard let host else { return false }
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[1].isEmpty else { return false }
        return parts[2].lowercased() == host.lowercased()
    }

    // MARK: reading

    private func json(_ document: JSON) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(document.bytes))
    }

    func torrents() throws -> [TorrentDocument] {
        try mirror.refresh(link)
        return mirror.all
    }

    /// The torrents `hashes` names ("all", or hashes separated by |).
    private func chosen(_ form: HTTPForm, key: String = "hashes") throws -> [TorrentDocument] {
        guard let text = form[key] else { throw Failure(status: 400, message: "\(key) is missing") }
        let all = try torrents()
        if text == "all" { return all }
        let wanted = Set(text.lowercased().split(separator: "|").map(String.init))
        return all.filter { t in
            [t.infoHash, t.infoHashV1, t.infoHashV2, t.infoHashV2.map { String($0.prefix(40)) }].contains { $0.map(wanted.contains) ?? false }
        }
    }

    /// The torrent `hash` names: one, never "all".
    private func one(_ form: HTTPForm) throws -> TorrentDocument {
        guard form["hash"] != "all", let torrent = try chosen(form, key: "hash").first else {
            throw Failure(status: 404, message: "Torrent hash was not found")
        }
        return torrent
    }

    private func each(_ form: HTTPForm, _ action: (TorrentDocument) throws -> Void) throws -> HTTPResponse {
        for torrent in try chosen(form) { try action(torrent) }
        return .text(200, "")
    }

    private func fields(of torrents: [TorrentDocument]) -> [(String, [(String, JSON)])] {
        let now = Int64(time(nil))
        return torrents.map { (QBittorrentFields.qbittorrentHash($0), QBittorrentFields.torrent($0, labels: book, now: now)) }
    }

    private func info(_ form: HTTPForm) throws -> JSON {
        var torrents = try form["hashes"] == nil ? self.torrents() : chosen(form)
        if let filter = form["filter"] { torrents = torrents.filter { QBittorrentFields.matches(filter, $0) } }
        if let category = form["category"] { torrents = torrents.filter { book.category(of: $0.settings.labels) == category } }
        if let tag = form["tag"] {
            torrents = torrents.filter { tag.isEmpty ? book.tags(of: $0.settings.labels).isEmpty : $0.settings.labels.contains(tag) }
        }
        var rows = fields(of: torrents).map(\.1)
        if let key = form["sort"] {
            rows.sort { a, b in
                let x = a.first { $0.0 == key }?.1, y = b.first { $0.0 == key }?.1
                if let x = x?.doubleValue, let y = y?.doubleValue { return x < y }
                return (x?.stringValue ?? "") < (y?.stringValue ?? "")
            }
            if form.bool("reverse") == true { rows.reverse() }
        }
        var offset = Int(form["offset"] ?? "0") ?? 0
        if offset < 0 { offset = max(0, rows.count + offset) }
        rows = Array(rows.dropFirst(offset))
        if let limit = form["limit"].flatMap(Int.init), limit > 0 { rows = Array(rows.prefix(limit)) }
        return .array(rows.map(JSON.object))
    }

    private func properties(_ form: HTTPForm) throws -> JSON {
        let t = try one(form)
        let now = Int64(time(nil))
        let pieces = t.pieces ?? 0
        let pieceSize = pieces > 0 ? Int64(((t.size ?? 0) + Int64(pieces) - 1) / Int64(pieces)) : 0
        return .object([
            ("save_path", .string(t.savePath)), ("creation_date", .int(-1)), ("piece_size", .int(pieceSize)),
            ("comment", .string("")), ("total_wasted", .int(0)), ("total_uploaded", .int(t.uploaded)),
            ("total_uploaded_session", .int(t.sessionUploaded)), ("total_downloaded", .int(t.downloaded)),
            ("total_downloaded_session", .int(t.sessionDownloaded)), ("up_limit", .int(t.settings.maxUp > 0 ? t.settings.maxUp : -1)),
            ("dl_limit", .int(t.settings.maxDown > 0 ? t.settings.maxDown : -1)), ("time_elapsed", .int(max(0, now - t.addedTime))),
            ("seeding_time", .int(t.completedTime.map { max(0, now - $0) } ?? 0)), ("nb_connections", .int(t.peers)),
            ("nb_connections_limit", .int(t.settings.maxPeers > 0 ? t.settings.maxPeers : -1)), ("share_ratio", .double(t.ratio)),
            ("addition_date", .int(t.addedTime)), ("completion_date", .int(t.completedTime ?? -1)), ("created_by", .string("")),
            ("dl_speed_avg", .int(0)), ("dl_speed", .int(t.downloadRate)), ("eta", .int(t.eta ?? 8_640_000)),
            ("last_seen", .int(t.completedTime ?? -1)), ("peers", .int(t.peers - t.seeds)), ("peers_total", .int(t.peers - t.seeds)),
            ("pieces_have", .int(t.piecesDone)), ("pieces_num", .int(pieces)), ("reannounce", .int(0)),
            ("seeds", .int(t.seeds)), ("seeds_total", .int(t.seeds)), ("total_size", .int(t.size ?? 0)),
            ("up_speed_avg", .int(0)), ("up_speed", .int(t.uploadRate)), ("isPrivate", .bool(false)),
            ("hash", .string(t.infoHash)), ("infohash_v1", .string(t.infoHashV1 ?? "")), ("infohash_v2", .string(t.infoHashV2 ?? "")),
            ("name", .string(t.name)),
        ])
    }

    private func files(_ form: HTTPForm) throws -> JSON {
        let t = try one(form)
        let files = try link.call(.files, [("torrent", .string(t.infoHash))]).documents("files", FileDocument.init(json:))
        return .array(files.map { file in
            .object([("index", .int(file.index)), ("name", .string(file.path)), ("size", .int(file.size)),
                     ("progress", .double(file.progress?.fraction ?? 0)), ("priority", .int(QBittorrentFields.priority(file.progress?.priority))),
                     ("is_seed", .bool(file.progress?.fraction == 1)), ("piece_range", .array([.int(0), .int(0)])),
                     ("availability", .double(-1))])
        })
    }

    private func trackers(_ form: HTTPForm) throws -> JSON {
        let t = try one(form)
        let trackers = try link.call(.trackers, [("torrent", .string(t.infoHash))]).documents("trackers", TrackerDocument.init(json:))
        // 0 disabled, 1 not contacted, 2 working, 3 updating, 4 not working.
        return .array(trackers.map { tracker in
            let status = switch tracker.state {
            case "disabled": 0
            case "working": 2
            case "updating": 3
            case "error": 4
            default: 1
            }
            return .object([("url", .string(tracker.url)), ("status", .int(status)), ("tier", .int(tracker.tier)),
                            ("num_peers", .int(tracker.peers ?? -1)), ("num_seeds", .int(tracker.seeds ?? -1)),
                            ("num_leeches", .int(tracker.peers ?? -1)), ("num_downloaded", .int(tracker.downloaded ?? -1)),
                            ("msg", .string(tracker.message ?? ""))])
        })
    }

    /// 0 missing, 1 being fetched, 2 done.
    private func pieceStates(_ form: HTTPForm) throws -> JSON {
        let t = try one(form)
        let reply = try link.call(.status, [("torrents", .array([.string(t.infoHash)])), ("pieces", .bool(true))])
        guard let map = try reply.documents("torrents", TorrentDocument.init(json:)).first?.pieceMap else { return .array([]) }
        let none = [Bool](repeating: false, count: map.pieces)
        let have = bitfieldBits(hex: map.bitfield, count: map.pieces) ?? none
        let fetching = map.downloading.flatMap { bitfieldBits(hex: $0, count: map.pieces) } ?? none
        return .array((0..<map.pieces).map { .int(have[$0] ? 2 : fetching[$0] ? 1 : 0) })
    }

    /// Tags created, and those torrents have.
    private func allTags(_ torrents: [TorrentDocument]) -> [String] {
        var tags = Set(book.createdTags)
        for torrent in torrents { tags.formUnion(book.tags(of: torrent.settings.labels)) }
        return tags.sorted()
    }

    private func categoriesJSON() -> [(String, JSON)] {
        book.categories.sorted { $0.key < $1.key }.map { ($0.key, .object([("name", .string($0.key)), ("savePath", .string($0.value))])) }
    }

    private func serverState(_ torrents: [TorrentDocument], full: Bool) throws -> JSON {
        let ping = try link.call(.ping)
        var fields: [(String, JSON)] = [
            ("connection_status", .string("connected")), ("dht_nodes", .int(ping["dht_nodes"]?.intValue ?? 0)),
            ("dl_info_data", .int(torrents.reduce(0) { $0 + $1.sessionDownloaded })),
            ("dl_info_speed", .int(torrents.reduce(0) { $0 + $1.downloadRate })),
            ("dl_rate_limit", .int(ping["max_down"]?.intValue ?? 0)),
            ("up_info_data", .int(torrents.reduce(0) { $0 + $1.sessionUploaded })),
            ("up_info_speed", .int(torrents.reduce(0) { $0 + $1.uploadRate })),
            ("up_rate_limit", .int(ping["max_up"]?.intValue ?? 0)),
        ]
        if full {
            var stats = statvfs()
            let free = statvfs(facts.downloadDir, &stats) == 0 ? Int64(stats.f_bavail) * Int64(stats.f_frsize) : 0
            fields += [("alltime_dl", .int(torrents.reduce(0) { $0 + $1.downloaded })),
                       ("alltime_ul", .int(torrents.reduce(0) { $0 + $1.uploaded })),
                       ("free_space_on_disk", .int(free)), ("queueing", .bool(facts.queue != nil)),
                       ("refresh_interval", .int(1500)), ("use_alt_speed_limits", .bool(ping["alt"]?.boolValue ?? false)),
                       ("total_peer_connections", .int(torrents.reduce(0) { $0 + $1.peers }))]
        }
        return .object(fields)
    }

    private func preferences() throws -> JSON {
        let configuration = facts.configuration
        let ping = try link.call(.ping)
        let encryption = switch configuration.encryption {
        case .require: 1
        case .prefer, .allow: 0
        case .disable: 2
        }
        let goal = settings.seedGoal
        return .object([
            ("save_path", .string(facts.downloadDir)), ("temp_path_enabled", .bool(facts.incompleteDir != nil)),
            ("temp_path", .string(facts.incompleteDir ?? "")),
            ("listen_port", .int(ping["port"]?.intValue ?? 0)), ("dht", .bool(configuration.dht)), ("pex", .bool(true)),
            ("lsd", .bool(configuration.localPeerDiscovery)), ("upnp", .bool(configuration.upnp || configuration.natpmp)),
            ("encryption", .int(encryption)),
            ("bittorrent_protocol", .int(configuration.utp == .off ? 1 : 0)),
            ("dl_limit", .int(ping["max_down"]?.intValue ?? 0)), ("up_limit", .int(ping["max_up"]?.intValue ?? 0)),
            ("alt_dl_limit", .int(ping["alt_max_down"]?.intValue ?? 0)), ("alt_up_limit", .int(ping["alt_max_up"]?.intValue ?? 0)),
            ("scheduler_enabled", .bool(ping["alt_scheduled"]?.boolValue ?? false)),
            ("schedule_from_hour", .int((facts.altSchedule?.begin ?? 480) / 60)), ("schedule_from_min", .int((facts.altSchedule?.begin ?? 480) % 60)),
            ("schedule_to_hour", .int((facts.altSchedule?.end ?? 1200) / 60)), ("schedule_to_min", .int((facts.altSchedule?.end ?? 1200) % 60)),
            ("scheduler_days", .int(facts.altSchedule?.qBittorrentDays ?? 0)),
            ("queueing_enabled", .bool(facts.queue != nil)),
            ("max_active_downloads", .int(facts.queue?.downloads ?? -1)), ("max_active_uploads", .int(facts.queue?.seeds ?? -1)),
            ("max_active_torrents", .int(-1)),
            ("max_ratio_enabled", .bool(goal.ratio != nil)), ("max_ratio", .double(goal.ratio ?? -1)),
            ("max_seeding_time_enabled", .bool(goal.seconds != nil)), ("max_seeding_time", .int(goal.seconds.map { $0 / 60 } ?? -1)),
            ("max_inactive_seeding_time_enabled", .bool(goal.idleSeconds != nil)),
            ("max_inactive_seeding_time", .int(goal.idleMinutes ?? -1)),
            ("max_ratio_act", .int(0)), ("start_paused_enabled", .bool(false)), ("create_subfolder_enabled", .bool(true)),
            ("auto_tmm_enabled", .bool(false)), ("autorun_enabled", .bool(facts.onComplete != nil)),
            ("autorun_program", .string(facts.onComplete ?? "")), ("web_ui_port", .int(0)),
        ])
    }

    /// A value that is what btx has already is accepted; a change to the caps
    /// or the seeding goal is made and kept (SessionSettings); any other is
    /// refused with its reason (btx takes those from the config at start).
    private func setPreferences(_ form: HTTPForm) throws -> HTTPResponse {
        guard let text = form["json"], let wanted = try? JSON(parsing: text), let fields = wanted.objectFields else {
            throw Failure(status: 400, message: "json must be a JSON object")
        }
        let current = try preferences()
        let changeable: Set<String> = ["dl_limit", "up_limit", "max_ratio_enabled", "max_ratio", "max_seeding_time_enabled",
                                       "max_seeding_time", "max_inactive_seeding_time_enabled", "max_inactive_seeding_time"]
        for (key, value) in fields where !changeable.contains(key) && current[key].map({ $0.bytes != value.bytes }) ?? true {
            throw Failure(status: 409, message: "btx cannot change \(key) over the API; set it in the config and restart the daemon")
        }
        // Bytes/s; qBittorrent's -1 and 0 are both none.
        func rate(_ key: String) throws -> Int64? {
            guard let value = wanted[key] else { return nil }
            guard let limit = value.intValue else { throw Failure(status: 400, message: "\(key) is bytes/s") }
            return max(0, limit)
        }
        try settings.setRates(down: try rate("dl_limit"), up: try rate("up_limit"))
        // A goal is on while its _enabled says so (as it was, unless given) and its value is from 0.
        var goal = settings.seedGoal
        if wanted["max_ratio_enabled"] != nil || wanted["max_ratio"] != nil {
            let on = wanted["max_ratio_enabled"]?.boolValue ?? (goal.ratio != nil)
            let ratio = wanted["max_ratio"]?.doubleValue ?? goal.ratio ?? -1
            goal.ratio = on && ratio >= 0 ? ratio : nil
        }
        if wanted["max_seeding_time_enabled"] != nil || wanted["max_seeding_time"] != nil {
            let on = wanted["max_seeding_time_enabled"]?.boolValue ?? (goal.seconds != nil)
            let minutes = wanted["max_seeding_time"]?.intValue ?? goal.seconds.map { $0 / 60 } ?? -1
            goal.seconds = on && minutes >= 0 ? min(minutes, Int64.max / 60) * 60 : nil
        }
        if wanted["max_inactive_seeding_time_enabled"] != nil || wanted["max_inactive_seeding_time"] != nil {
            let on = wanted["max_inactive_seeding_time_enabled"]?.boolValue ?? (goal.idleSeconds != nil)
            let minutes = wanted["max_inactive_seeding_time"]?.intValue ?? goal.idleMinutes ?? -1
            goal.idleSeconds = on && minutes > 0 ? min(minutes, Int64.max / 60) * 60 : nil
        }
        if goal != settings.seedGoal { try settings.setSeedGoal(goal) }
        return .text(200, "")
    }

    // MARK: changing

    private func add(_ form: HTTPForm) throws -> HTTPResponse {
        var sources: [AddSource] = []
        for url in (form["urls"] ?? "").split(whereSeparator: \.isNewline).map({ $0.trimmingSpaces }) where !url.isEmpty {
            sources.append(try remoteAddSource(url, allowsPath: false, maxSize: 0))
        }
        // Every file part is a torrent, whatever its field is called (as qBittorrent reads them).
        for file in form.fields where file.filename != nil {
            sources.append(try AddSource.resolveMetainfo(file.value, shown: file.filename ?? "torrent"))
        }
        guard !sources.isEmpty else { throw Failure(status: 400, message: "no urls or torrents to add") }
        // One the session has already is not added again (qBittorrent: "Fails." when none was new).
        let present = Set(try torrents().flatMap { [$0.infoHash, $0.infoHashV1, $0.infoHashV2].compactMap { $0 } })
        sources.removeAll { source in
            [source.info.infoHash, source.info.infoHashV1, source.info.infoHashV2].contains { $0.map(present.contains) ?? false }
        }
        guard !sources.isEmpty else { return .text(200, "Fails.") }
        var plan = AddPlan()
        plan.paused = form.bool("paused") ?? form.bool("stopped") ?? false
        plan.settings.sequential = form.bool("sequentialDownload") ?? false
        plan.settings.seeding = settings.seedGoal
        let category = form["category"] ?? ""
        if !category.isEmpty {
            // As qBittorrent: a category an add names comes into being.
            if book.categories[category] == nil {
                do { try book.setCategory(category, savePath: "") } catch let error as BTXError {
                    throw Failure(status: 400, message: error.message)
                }
            }
            plan.settings.labels.append(category)
        }
        for tag in (form["tags"] ?? "").split(separator: ",").map({ $0.trimmingSpaces }) where !tag.isEmpty {
            try checkLabel(tag)
            if !plan.settings.labels.contains(tag) { plan.settings.labels.append(tag) }
        }
        let (ratio, seconds, forever) = shareLimits(form["ratioLimit"].flatMap(Double.init), form["seedingTimeLimit"].flatMap(Int64.init))
        if let ratio { plan.settings.seeding.ratio = ratio }
        if let seconds { plan.settings.seeding.seconds = seconds }
        if forever { plan.settings.seeding = SeedPolicy(seedForever: true) }
        if let limit = form["dlLimit"].flatMap(Int64.init), limit > 0 { plan.settings.maxDown = limit }
        if let limit = form["upLimit"].flatMap(Int64.init), limit > 0 { plan.settings.maxUp = limit }
        // A category's save path, else the daemon's folder.
        let savePath = form["savepath"].flatMap { $0.isEmpty ? nil : $0 }
            ?? book.categories[category].flatMap { $0.isEmpty ? nil : $0 } ?? facts.downloadDir
        guard savePath.hasPrefix("/") else { throw Failure(status: 400, message: "savepath must be absolute") }
        _ = try link.call(.add, [("sources", .array(sources.map(\.json)))]
                          + plan.json(savePath: savePath, explicitSavePath: form["savepath"] != nil))
        return .text(200, "Ok.")
    }

    private func setShareLimits(_ form: HTTPForm) throws -> HTTPResponse {
        // -2: the session's (btx: no goal); -1: no limit (seed on).
        guard let ratio = form["ratioLimit"].flatMap(Double.init), let minutes = form["seedingTimeLimit"].flatMap(Int64.init) else {
            throw Failure(status: 400, message: "ratioLimit and seedingTimeLimit are required")
        }
        let (goalRatio, goalSeconds, forever) = shareLimits(ratio, minutes)
        let params: [(String, JSON)] = [("seed_ratio", goalRatio.map(JSON.double) ?? .null),
                                        ("seed_time", goalSeconds.map(JSON.int) ?? .null), ("seed", .bool(forever))]
        return try each(form) { _ = try self.link.call(.set, [("torrent", .string($0.infoHash))] + params) }
    }

    /// qBittorrent's share limits as a goal: -2 is the session's (the config's
    /// seed-ratio or seed-time), -1 none, minutes become seconds; both none: seed on.
    private func shareLimits(_ ratio: Double?, _ minutes: Int64?) -> (ratio: Double?, seconds: Int64?, forever: Bool) {
        let goalRatio = ratio.flatMap { $0 >= 0 ? $0 : $0 == -2 ? settings.seedGoal.ratio : nil }
        let goalSeconds = minutes.flatMap { $0 >= 0 ? $0 * 60 : $0 == -2 ? settings.seedGoal.seconds : nil }
        let forever = goalRatio == nil && goalSeconds == nil && (ratio == -1 || minutes == -1)
        return (goalRatio, goalSeconds, forever)
    }

    private func filePriority(_ form: HTTPForm) throws -> HTTPResponse {
        let t = try one(form)
        guard let ids = form["id"], let value = form["priority"].flatMap(Int64.init), let word = QBittorrentFields.priorityWord(value) else {
            throw Failure(status: 400, message: "id and a priority of 0, 1, 6 or 7 are required")
        }
        let files = ids.split(separator: "|").map(String.init)
        guard files.allSatisfy({ Int($0) != nil }) else { throw Failure(status: 400, message: "id must be file indices separated by |") }
        _ = try link.call(.set, [("torrent", .string(t.infoHash)),
                                 ("priorities", .array([.object([("files", .string(files.joined(separator: ","))),
                                                                 ("priority", .string(word))])]))])
        return .text(200, "")
    }

    private func tagList(_ form: HTTPForm) -> [String] {
        (form["tags"] ?? "").split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }

    private func changeLabels(_ torrent: TorrentDocument, add: [String] = [], remove: [String] = []) throws {
        for label in add { try checkLabel(label) }
        _ = try link.call(.set, [("torrent", .string(torrent.infoHash)), ("add_labels", .array(add.map(JSON.string))),
                                 ("remove_labels", .array(remove.map(JSON.string)))])
    }
}
