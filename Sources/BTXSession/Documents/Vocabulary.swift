import TorrentKit

// btx's JSON vocabulary, in this folder: a typed document for each thing
// btx shows (TorrentDocument, PeerDocument, FileDocument, TrackerDocument)
// with its contract beside it, and the words and smaller documents here, so
// a key means the same thing everywhere. Sizes are bytes, rates bytes/s,
// durations seconds, times Unix seconds, progress 0..1, indices count from 0,
// and a value that is not known yet is null, never 0.

extension TorrentStatus {
    /// The words status and progress use for a running torrent's state.
    public var stateWord: String {
        if error != nil { return "error" }
        if isPaused { return isQueued ? "queued" : "paused" }
        switch state {
        case .checkingFiles: return "checking"
        case .checkingResumeData: return "resuming"
        case .downloadingMetadata: return "metadata"
        case .downloading: return "downloading"
        case .finished: return "finished"
        case .seeding: return "seeding"
        case .unknown: return "unknown"
        }
    }

    /// No session runs it: it is complete, paused by the user, or stopped.
    public var savedStateWord: String {
        if isPaused { return "paused" }
        return state == .seeding || state == .finished ? "complete" : "stopped"
    }
}

extension TorrentInfo {
    public var document: JSON {
        .object([
            ("name", .string(name)),
            ("info_hash", .string(infoHash)),
            ("info_hash_v1", .optional(infoHashV1)),
            ("info_hash_v2", .optional(infoHashV2)),
            ("size", .int(totalSize)),
            ("file_count", .int(fileCount)),
            ("piece_length", .int(pieceLength)),
            ("pieces", .int(pieceCount)),
            ("private", .bool(isPrivate)),
            ("trackers", .array(trackers.map { .object([("url", .string($0.url)), ("tier", .int($0.tier))]) })),
            ("web_seeds", .array(webSeeds.map(JSON.string))),
            ("comment", .optional(comment)),
            ("created_by", .optional(creator)),
            ("source", .optional(source)),
            ("creation_date", creationDate.map(JSON.int) ?? .null),
            ("magnet_uri", .string(magnetURI)),
        ])
    }
}

extension Blocklist {
    /// `btx blocklist --json`, and what a session says it loaded. `entries`
    /// counts lines that block, `ranges` what is left after merging overlaps;
    /// `blockedPeers`, the addresses a session refused this run (null without one).
    public func document(path: String, blockedPeers: Int? = nil) -> JSON {
        .object([
            ("path", .string(path)),
            ("compressed", .bool(compressed)),
            ("entries", .int(entryCount)),
            ("formats", .object(Format.allCases.map { ($0.rawValue, .int(entries[$0] ?? 0)) })),
            ("allowed", .int(allowed)),
            ("bad_lines", .int(badLines)),
            ("first_bad_line", firstBadLine.map(JSON.int) ?? .null),
            ("ranges", .int(ranges.count)),
            ("ipv4_ranges", .int(ipv4Ranges.count)),
            ("ipv6_ranges", .int(ipv6RangeCount)),
            ("ipv4_addresses", .int(ipv4AddressCount)),
            ("blocked_peers", blockedPeers.map(JSON.int) ?? .null),
        ])
    }
}
