import TorrentKit

// btx's JSON vocabulary, in one place: every command and event that shows a
// torrent, its settings, a file, a peer or metadata builds it here, so a key
// means the same thing everywhere. Sizes are bytes, rates bytes/s, durations
// seconds, times Unix seconds, progress 0..1, indices count from 0, and a
// value that is not known yet is null, never 0.

extension TorrentStatus {
    /// One torrent as `status --json` shows it and as `add --json`'s progress
    /// events carry it, live or saved (rates and peers are 0 when no session
    /// runs it). `goalReached`: its seeding goal is met (null when no session runs it).
    /// `blockedPeers`: addresses the session's blocklist kept from it this run
    /// (null when no session runs it).
    public func document(running: Bool, state word: String, settings: TorrentSettings, goalReached: Bool? = nil,
                  error failure: String? = nil, blockedPeers: Int? = nil, stream: JSON = .null) -> JSON {
        let fields: [(String, JSON)] = [
            ("info_hash", .string(infoHash)),
            ("info_hash_v1", .optional(infoHashV1)),
            ("info_hash_v2", .optional(infoHashV2)),
            ("name", .string(name)),
            ("state", .string(word)),
            ("running", .bool(running)),
            ("paused", .bool(isPaused && !isQueued)),
            ("queue_position", queuePosition.map(JSON.int) ?? .null),
            ("has_metadata", .bool(hasMetadata)),
            ("progress", .double(progress)),
            ("size", hasMetadata ? .int(totalSize) : .null),
            ("wanted", hasMetadata ? .int(totalWanted) : .null),
            ("done", .int(totalDone)),
            ("pieces", hasMetadata ? .int(pieces) : .null),
            ("pieces_done", .int(piecesDone)),
            ("downloaded", .int(totalDownloaded)),
            ("uploaded", .int(totalUploaded)),
            ("session_downloaded", .int(sessionDownloaded)),
            ("session_uploaded", .int(sessionUploaded)),
            ("ratio", .double(ratio)),
            ("download_rate", .int(downloadRate)),
            ("upload_rate", .int(uploadRate)),
            ("peers", .int(peers)),
            ("seeds", .int(seeds)),
            ("blocked_peers", blockedPeers.map(JSON.int) ?? .null),
            ("eta", eta.map(JSON.int) ?? .null),
            ("save_path", .string(savePath)),
            ("error", .optional(failure ?? error)),
            ("added_time", .int(addedTime)),
            ("completed_time", completedTime > 0 ? .int(completedTime) : .null),
            ("settings", settings.document),
            ("goal_reached", goalReached.map(JSON.bool) ?? .null),
            ("stream", stream),
        ]
        return .object(fields)
    }

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

extension TorrentSettings {
    public var document: JSON {
        .object([("max_down", maxDown > 0 ? .int(maxDown) : .null), ("max_up", maxUp > 0 ? .int(maxUp) : .null),
                 ("max_peers", maxPeers > 0 ? .int(maxPeers) : .null), ("max_uploads", maxUploads > 0 ? .int(maxUploads) : .null),
                 ("sequential", .bool(sequential)), ("super_seed", .bool(superSeed)), ("upload_only", .bool(uploadOnly))]
                + (seeding.json.objectFields ?? []))
    }
}

extension FileEntry {
    /// A file of a torrent that is being downloaded (live or saved).
    public var document: JSON {
        .object([("index", .int(index)), ("path", .string(path)), ("size", .int(size)), ("done", .int(done)),
                 ("progress", .double(progress)), ("priority", .string(priorityWord(priority)))])
    }

    /// A file of a .torrent, which has no progress or priority.
    public var metainfoDocument: JSON {
        .object([("index", .int(index)), ("path", .string(path)), ("size", .int(size))])
    }
}

/// libtorrent's priorities 0..7 in the words other clients use, in JSON and
/// in tables alike.
public func priorityWord(_ priority: Int) -> String {
    switch priority {
    case 0: "skip"
    case 1...3: "low"
    case 4: "normal"
    default: "high"
    }
}

extension TrackerEntry {
    public var document: JSON {
        .object([("url", .string(url)), ("tier", .int(tier)), ("state", .string(state.rawValue)),
                 ("message", .optional(message)), ("last_announce", lastAnnounce.map(JSON.int) ?? .null),
                 ("next_announce", nextAnnounce.map(JSON.int) ?? .null), ("seeds", seeds.map(JSON.int) ?? .null),
                 ("peers", peers.map(JSON.int) ?? .null), ("downloaded", downloaded.map(JSON.int) ?? .null)])
    }
}

/// A priority word's libtorrent value; nil for anything else.
public func priorityValue(_ word: String) -> UInt8? {
    switch word.lowercased() {
    case "skip": 0
    case "low": 1
    case "normal": 4
    case "high": 7
    default: nil
    }
}

extension PeerInfo {
    public var document: JSON {
        .object([("address", .string(address)), ("client", .string(client)), ("flags", .string(flagLetters)),
                 ("progress", .double(progress)), ("download_rate", .int(downloadRate)), ("upload_rate", .int(uploadRate)),
                 ("downloaded", .int(totalDownloaded)), ("uploaded", .int(totalUploaded))])
    }

    /// One letter per flag, as `btx help peers` documents: a fixed order, "-" for off.
    public var flagLetters: String {
        let letters: [(Flags, Character)] = [(.weAreInterested, "I"), (.theyChokeUs, "C"), (.theyAreInterested, "i"),
                                             (.weChokeThem, "c"), (.seed, "S"), (.encrypted, "E"), (.utp, "U"),
                                             (.incoming, "R")]
        return String(letters.map { flags.contains($0.0) ? $0.1 : "-" })
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
            ("piece_count", .int(pieceCount)),
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

/// `piece_map`: the verified pieces and those being fetched as bitfields in
/// hex (BitTorrent's order: the high bit of the first byte is piece 0), and
/// how many connected peers have each piece (null with no session).
public func pieceMapDocument(have: [Bool], downloading: [Bool]?, availability: [Int]?) -> JSON {
    .object([("pieces", .int(have.count)), ("bitfield", .string(hexBitfield(have))),
             ("downloading", downloading.map { .string(hexBitfield($0)) } ?? .null),
             ("availability", availability.map { .array($0.map(JSON.int)) } ?? .null)])
}

public func hexBitfield(_ bits: [Bool]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bits.count + 7) / 8 * 2)
    for start in stride(from: 0, to: bits.count, by: 8) {
        var byte = 0
        for bit in 0..<8 where start + bit < bits.count && bits[start + bit] { byte |= 0x80 >> bit }
        out += [digits[byte >> 4], digits[byte & 15]]
    }
    return String(decoding: out, as: UTF8.self)
}
