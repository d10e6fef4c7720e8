import Glibc
import TorrentKit

/// The control-socket methods a running session answers. Every request is
/// `{"method": M, "params": {...}}`; replies are `{"ok": true, "result": R}`
/// or `{"ok": false, "error": {"code", "message"}}`.
extension SessionHost {
    func answer(_ request: JSON) -> JSON {
        let params = request["params"] ?? .object([])
        do {
            switch request["method"]?.stringValue ?? "" {
            case "ping":
                return ControlServer.result(.object([("pid", .int(Int(getpid()))), ("daemon", .bool(mode == .daemon))]))
            case "status":
                let statuses = try session.statuses().filter { entry($0.torrent) != nil }
                let queries = params["torrents"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let chosen = queries.isEmpty ? statuses : try queries.map { try select($0, from: statuses, key: \.key) }
                return ControlServer.result(.object([("torrents", .array(chosen.map(liveJSON)))]))
            case "files":
                let (entry, status) = try target(params)
                let files = try session.files(entry.torrent).filter { !$0.isPadding }
                return ControlServer.result(.object([("name", .string(status.name)), ("info_hash", .string(status.infoHash)),
                                                     ("files", .array(files.map { .object($0.liveFields) }))]))
            case "peers":
                let (entry, status) = try target(params)
                let peers = try session.peers(entry.torrent)
                return ControlServer.result(.object([("name", .string(status.name)), ("info_hash", .string(status.infoHash)),
                                                     ("peers", .array(peers.map(\.json)))]))
            case "add":
                let plan = AddPlan(json: params)
                guard let savePath = params["save_path"]?.stringValue, savePath.hasPrefix("/") else {
                    throw CLIError.usage("add needs an absolute \"save_path\"")
                }
                let sources = try (params["sources"]?.arrayValue ?? []).map(AddSource.init(json:))
                var added: [JSON] = []
                for source in sources {
                    let entry = try add(source, plan: plan, savePath: savePath,
                                        explicitSavePath: params["explicit_save_path"]?.boolValue ?? true)
                    added.append(.object([("info_hash", .string(entry.stateKey)), ("name", .string(entry.name))]))
                }
                return ControlServer.result(.object([("torrents", .array(added))]))
            case "pause", "resume", "verify":
                let (entry, status) = try target(params)
                switch request["method"]?.stringValue {
                case "pause": try session.pause(entry.torrent)
                case "resume":
                    try session.resume(entry.torrent)
                    for peer in entry.peers { try? session.connect(entry.torrent, to: peer) }
                    entry.error = nil
                default: try session.recheck(entry.torrent)
                }
                requestSave(entry, onlyIfModified: false)
                return ControlServer.result(.object([("info_hash", .string(status.infoHash)), ("name", .string(status.name))]))
            case "remove":
                let (entry, status) = try target(params)
                try session.remove(entry.torrent, deleteFiles: params["delete_data"]?.boolValue ?? false)
                forget(entry)
                return ControlServer.result(.object([("info_hash", .string(status.infoHash)), ("name", .string(status.name))]))
            case "stop":
                stopRequested = true
                return ControlServer.result(.object([("stopping", .bool(true))]))
            case let other:
                throw CLIError.usage("unknown method '\(other)'")
            }
        } catch let error as CLIError {
            return ControlServer.error(error.code, error.message)
        } catch let error as TorrentKitError {
            return ControlServer.error("failed", error.message)
        } catch {
            return ControlServer.error("failed", "\(error)")
        }
    }

    /// The one torrent `params.torrent` names.
    private func target(_ params: JSON) throws -> (Tracked, TorrentStatus) {
        guard let query = params["torrent"]?.stringValue else { throw CLIError.usage("the request needs a \"torrent\"") }
        let statuses = try session.statuses().filter { entry($0.torrent) != nil }
        let status = try select(query, from: statuses, key: \.key)
        return (entry(status.torrent)!, status)
    }

    private func liveJSON(_ status: TorrentStatus) -> JSON {
        status.json(running: true, state: status.stateWord, goalReached: entry(status.torrent)?.done ?? false)
    }
}

extension FileEntry {
    var liveFields: [(String, JSON)] {
        [("index", .int(index)), ("path", .string(path)), ("size", .int(size)), ("downloaded", .int(downloaded)),
         ("progress", .double(progress)), ("priority", .int(priority))]
    }
}

extension PeerInfo {
    var json: JSON {
        .object([("address", .string(address)), ("client", .string(client)), ("flags", .string(flagLetters)),
                 ("progress", .double(progress)), ("download_rate", .int(downloadRate)), ("upload_rate", .int(uploadRate)),
                 ("downloaded", .int(totalDownloaded)), ("uploaded", .int(totalUploaded))])
    }

    /// One letter per flag, as `btx help peers` documents: a fixed order, "-" for off.
    var flagLetters: String {
        let letters: [(Flags, Character)] = [(.interested, "I"), (.choked, "C"), (.remoteInterested, "i"),
                                             (.remoteChoked, "c"), (.seed, "S"), (.encrypted, "E"), (.utp, "U"),
                                             (.incoming, "R")]
        return String(letters.map { flags.contains($0.0) ? $0.1 : "-" })
    }
}
