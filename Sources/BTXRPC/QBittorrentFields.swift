import BTXSession
import Glibc

/// A torrent as qBittorrent's Web API shows it (torrents/info, sync/maindata),
/// from btx's status document and its labels.
enum QBittorrentFields {
    /// qBittorrent 4.x's state words.
    static func state(_ t: TorrentDocument) -> String {
        let complete = t.hasMetadata && (t.wanted ?? 0) <= t.done
        switch t.state {
        case "error": return "error"
        case "checking": return complete ? "checkingUP" : "checkingDL"
        case "resuming": return "checkingResumeData"
        case "metadata": return "metaDL"
        case "queued": return complete ? "queuedUP" : "queuedDL"
        case "paused", "stopped", "complete": return complete ? "pausedUP" : "pausedDL"
        case "finished", "seeding": return t.uploadRate > 0 ? "uploading" : "stalledUP"
        case "downloading": return t.downloadRate > 0 ? "downloading" : "stalledDL"
        default: return "unknown"
        }
    }

    static func torrent(_ t: TorrentDocument, labels book: LabelBook, trackerURL: String = "", now: Int64) -> [(String, JSON)] {
        let wanted = t.wanted ?? 0
        let left = max(0, wanted - min(t.done, wanted))
        let seeding = t.settings.seeding
        let completedFor = t.completedTime.map { max(0, now - $0) } ?? 0
        return [
            ("added_on", .int(t.addedTime)), ("amount_left", .int(left)), ("auto_tmm", .bool(false)),
            ("availability", .double(-1)), ("category", .string(book.category(of: t.settings.labels))),
            ("completed", .int(min(t.done, wanted))), ("completion_on", .int(t.completedTime ?? -1)),
            ("content_path", .string(t.savePath + "/" + t.name)), ("dl_limit", .int(t.settings.maxDown)),
            ("dlspeed", .int(t.downloadRate)), ("downloaded", .int(t.downloaded)),
            ("downloaded_session", .int(t.sessionDownloaded)), ("eta", .int(t.eta ?? 8_640_000)),
            ("f_l_piece_prio", .bool(false)), ("force_start", .bool(false)), ("hash", .string(qbittorrentHash(t))),
            ("infohash_v1", .string(t.infoHashV1 ?? "")), ("infohash_v2", .string(t.infoHashV2 ?? "")),
            ("last_activity", .int(t.downloadRate > 0 || t.uploadRate > 0 ? now : (t.completedTime ?? t.addedTime))),
            ("magnet_uri", .string("magnet:?xt=urn:btih:\(t.infoHashV1 ?? t.infoHash)")),
            // -2: the session's (btx's default: no goal); -1: none (seed on).
            ("max_ratio", .double(seeding.ratio ?? (seeding.seedForever ? -1 : -2))),
            ("max_seeding_time", .int(seeding.seconds.map { $0 / 60 } ?? (seeding.seedForever ? -1 : -2))),
            ("name", .string(t.name)), ("num_complete", .int(t.seeds)), ("num_incomplete", .int(t.peers - t.seeds)),
            ("num_leechs", .int(t.peers - t.seeds)), ("num_seeds", .int(t.seeds)),
            ("priority", .int(t.queuePosition.map { $0 + 1 } ?? 0)), ("progress", .double(t.progress)),
            ("ratio", .double(t.ratio)), ("ratio_limit", .double(seeding.ratio ?? (seeding.seedForever ? -1 : -2))),
            ("save_path", .string(t.destination ?? t.savePath)), ("download_path", .string(t.destination == nil ? "" : t.savePath)),
            ("seeding_time", .int(completedFor)),
            ("seeding_time_limit", .int(seeding.seconds.map { $0 / 60 } ?? (seeding.seedForever ? -1 : -2))),
            ("seen_complete", .int(t.completedTime ?? 0)),
            ("seq_dl", .bool(t.settings.sequential)), ("size", .int(wanted)), ("state", .string(state(t))),
            ("super_seeding", .bool(t.settings.superSeed)),
            ("tags", .string(book.tags(of: t.settings.labels).joined(separator: ", "))),
            ("time_active", .int(max(0, now - t.addedTime))), ("total_size", .int(t.size ?? 0)),
            ("tracker", .string(trackerURL)), ("up_limit", .int(t.settings.maxUp)), ("uploaded", .int(t.uploaded)),
            ("uploaded_session", .int(t.sessionUploaded)), ("upspeed", .int(t.uploadRate)),
        ]
    }

    /// qBittorrent's id of a torrent: the v1 hash, or the v2 one cut to 40 digits.
    static func qbittorrentHash(_ t: TorrentDocument) -> String { t.infoHashV1 ?? String(t.infoHash.prefix(40)) }

    /// torrents/info's filter words.
    static func matches(_ filter: String, _ t: TorrentDocument) -> Bool {
        let state = state(t)
        switch filter {
        case "all", "": return true
        case "downloading": return ["downloading", "metaDL", "stalledDL", "checkingDL", "queuedDL", "pausedDL"].contains(state)
            && !state.hasPrefix("paused")
        case "seeding": return ["uploading", "stalledUP", "checkingUP", "queuedUP"].contains(state)
        case "completed": return state.hasSuffix("UP") || state == "uploading"
        case "paused", "stopped": return state.hasPrefix("paused")
        case "resumed", "running": return !state.hasPrefix("paused")
        case "active": return t.downloadRate > 0 || t.uploadRate > 0
        case "inactive": return t.downloadRate == 0 && t.uploadRate == 0
        case "stalled": return state.hasPrefix("stalled")
        case "stalled_uploading": return state == "stalledUP"
        case "stalled_downloading": return state == "stalledDL"
        case "checking": return state.hasPrefix("checking")
        case "errored": return state == "error"
        default: return false
        }
    }

    /// qBittorrent's file priorities: 0 skip, 1 normal, 6 high, 7 maximum; btx's low is 1 too.
    static func priority(_ word: String?) -> Int {
        switch word {
        case "skip": return 0
        case "high": return 7
        default: return 1
        }
    }

    static func priorityWord(_ value: Int64) -> String? {
        switch value {
        case 0: return "skip"
        case 1: return "normal"
        case 6, 7: return "high"
        default: return nil
        }
    }
}
