import TorrentKit

/// One torrent as `status --json` shows it, as `add --json`'s progress events
/// and completion hooks carry it, live or saved. The CLI's tables read these
/// fields, not keys: a field renamed here fails to compile there.
public struct TorrentDocument: Equatable {
    public var infoHash: String
    public var infoHashV1: String?
    public var infoHashV2: String?
    public var name: String
    /// One of TorrentDocument.states.
    public var state: String
    /// A session runs it now (else this is its saved state).
    public var running: Bool
    /// Paused by its user (not by the queue).
    public var paused: Bool
    public var queuePosition: Int?
    public var hasMetadata: Bool
    public var progress: Double
    /// Unknown (nil) until the metadata is.
    public var size: Int64?
    public var wanted: Int64?
    public var done: Int64
    public var pieces: Int?
    public var piecesDone: Int
    public var downloaded: Int64
    public var uploaded: Int64
    public var sessionDownloaded: Int64
    public var sessionUploaded: Int64
    public var ratio: Double
    public var downloadRate: Int64
    public var uploadRate: Int64
    public var peers: Int
    public var seeds: Int
    /// Addresses the session's blocklist kept from it this run; nil with no session.
    public var blockedPeers: Int?
    public var eta: Int64?
    public var savePath: String
    /// Where its data goes once complete, while it downloads in the incomplete folder.
    public var destination: String?
    public var error: String?
    public var addedTime: Int64
    public var completedTime: Int64?
    public var settings: TorrentSettings
    /// Its seeding goal is met; nil with no session.
    public var goalReached: Bool?
    public var stream: StreamDocument?
    /// The btpk link it follows (BEP 46), and which version it is.
    public var follows: FollowDocument?
    /// Only when asked for (`btx status` naming torrents): absent otherwise.
    public var pieceMap: PieceMapDocument?

    /// The words `state` takes: a running torrent's, then a saved one's.
    public static let states = ["checking", "resuming", "metadata", "downloading", "finished", "seeding", "unknown",
                                "paused", "queued", "error", "complete", "stopped"]

    /// `running`: a session runs it (else rates and peers are 0 and
    /// `goalReached` and `blockedPeers` null); `state`: the word to show
    /// (see TorrentStatus.stateWord and savedStateWord); `failure`: btx's own
    /// record of what stopped it, shown over libtorrent's.
    public init(_ status: TorrentStatus, running: Bool, state: String, settings: TorrentSettings, goalReached: Bool? = nil,
                error failure: String? = nil, blockedPeers: Int? = nil, stream: StreamDocument? = nil,
                follows: FollowDocument? = nil, destination: String? = nil) {
        infoHash = status.infoHash
        infoHashV1 = status.infoHashV1
        infoHashV2 = status.infoHashV2
        name = settings.name ?? status.name
        self.state = state
        self.running = running
        paused = status.isPaused && !status.isQueued
        queuePosition = status.queuePosition
        hasMetadata = status.hasMetadata
        progress = status.progress
        size = status.hasMetadata ? status.totalSize : nil
        wanted = status.hasMetadata ? status.totalWanted : nil
        done = status.totalDone
        pieces = status.hasMetadata ? status.pieces : nil
        piecesDone = status.piecesDone
        downloaded = status.totalDownloaded
        uploaded = status.totalUploaded
        sessionDownloaded = status.sessionDownloaded
        sessionUploaded = status.sessionUploaded
        ratio = status.ratio
        downloadRate = status.downloadRate
        uploadRate = status.uploadRate
        peers = status.peers
        seeds = status.seeds
        self.blockedPeers = blockedPeers
        eta = status.eta
        savePath = status.savePath
        self.destination = destination
        error = failure ?? status.error
        addedTime = status.addedTime
        completedTime = status.completedTime > 0 ? status.completedTime : nil
        self.settings = settings
        self.goalReached = goalReached
        self.stream = stream
        self.follows = follows
    }

    public var json: JSON { JSON(written: write) }

    /// The document's bytes, written straight from its fields (JSON(written:)
    /// reads them back for a value).
    public func write(into out: inout [UInt8]) {
        let nested = nestedBytes
        JSONWriter.writing(into: &out, bound: bound(nested)) { write(to: &$0, nested) }
    }

    /// The nested documents' bytes, made once for both `bound` and `write(to:)`
    /// (a piece map of a big torrent is hundreds of kilobytes); nil for the absent.
    typealias NestedBytes = (stream: [UInt8]?, follows: [UInt8]?, pieceMap: [UInt8]?)
    var nestedBytes: NestedBytes { (stream?.json.bytes, follows?.json.bytes, pieceMap?.json.bytes) }

    /// The most bytes `write(to:)` takes.
    func bound(_ nested: NestedBytes) -> Int {
        // Keys, punctuation and numbers take under 1,500 bytes; strings at most six times their own.
        var strings = JSONWriter.bound(infoHash) + JSONWriter.bound(infoHashV1) + JSONWriter.bound(infoHashV2)
        strings += JSONWriter.bound(name) + JSONWriter.bound(state) + JSONWriter.bound(savePath)
        strings += JSONWriter.bound(destination) + JSONWriter.bound(error)
        for label in settings.labels { strings += JSONWriter.bound(label) + 1 }
        return 2048 + strings + (nested.stream?.count ?? 0) + (nested.follows?.count ?? 0) + (nested.pieceMap?.count ?? 0)
    }

    /// Written where `out` stands, with `bound` bytes of room: a status of
    /// 100,000 writes each document straight into the piece it is sent in.
    func write(to out: inout JSONWriter, _ nested: NestedBytes) {
        out.byte(UInt8(ascii: "{"))
        out.key("info_hash", first: true); out.string(infoHash)
        out.key("info_hash_v1"); out.string(infoHashV1)
        out.key("info_hash_v2"); out.string(infoHashV2)
        out.key("name"); out.string(name)
        out.key("state"); out.string(state)
        out.key("running"); out.bool(running)
        out.key("paused"); out.bool(paused)
        out.key("queue_position"); out.int(queuePosition)
        out.key("has_metadata"); out.bool(hasMetadata)
        out.key("progress"); out.double(progress)
        out.key("size"); out.int(size)
        out.key("wanted"); out.int(wanted)
        out.key("done"); out.int(done)
        out.key("pieces"); out.int(pieces)
        out.key("pieces_done"); out.int(piecesDone)
        out.key("downloaded"); out.int(downloaded)
        out.key("uploaded"); out.int(uploaded)
        out.key("session_downloaded"); out.int(sessionDownloaded)
        out.key("session_uploaded"); out.int(sessionUploaded)
        out.key("ratio"); out.double(ratio)
        out.key("download_rate"); out.int(downloadRate)
        out.key("upload_rate"); out.int(uploadRate)
        out.key("peers"); out.int(peers)
        out.key("seeds"); out.int(seeds)
        out.key("blocked_peers"); out.int(blockedPeers)
        out.key("eta"); out.int(eta)
        out.key("save_path"); out.string(savePath)
        out.key("destination"); out.string(destination)
        out.key("error"); out.string(error)
        out.key("added_time"); out.int(addedTime)
        out.key("completed_time"); out.int(completedTime)
        out.key("labels")
        out.byte(UInt8(ascii: "["))
        for (i, label) in settings.labels.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            out.string(label)
        }
        out.byte(UInt8(ascii: "]"))
        out.key("settings"); settings.write(&out)
        out.key("goal_reached"); out.bool(goalReached)
        out.key("stream")
        if let stream = nested.stream { out.json(stream) } else { out.null() }
        out.key("follows")
        if let follows = nested.follows { out.json(follows) } else { out.null() }
        if let pieceMap = nested.pieceMap {
            out.key("piece_map")
            out.json(pieceMap)
        }
        out.byte(UInt8(ascii: "}"))
    }

    public init(json: JSON) throws {
        var r = try DocumentReader(json, "torrent document")
        try self.init(reading: &r)
    }

    /// Read from its text in place: a table of 100,000 reads each this way.
    public init(text: UnsafeRawBufferPointer) throws {
        self = try DocumentReader.reading(text: text, "torrent document") { try TorrentDocument(reading: &$0) }
    }

    private init(reading r: inout DocumentReader) throws {
        infoHash = try r.string("info_hash")
        infoHashV1 = try r.optionalString("info_hash_v1")
        infoHashV2 = try r.optionalString("info_hash_v2")
        name = try r.string("name")
        state = try r.string("state")
        running = try r.bool("running")
        paused = try r.bool("paused")
        queuePosition = try r.optionalInt("queue_position").map(Int.init)
        hasMetadata = try r.bool("has_metadata")
        progress = try r.double("progress")
        size = try r.optionalInt("size")
        wanted = try r.optionalInt("wanted")
        done = try r.int("done")
        pieces = try r.optionalInt("pieces").map(Int.init)
        piecesDone = Int(try r.int("pieces_done"))
        downloaded = try r.int("downloaded")
        uploaded = try r.int("uploaded")
        sessionDownloaded = try r.int("session_downloaded")
        sessionUploaded = try r.int("session_uploaded")
        ratio = try r.double("ratio")
        downloadRate = try r.int("download_rate")
        uploadRate = try r.int("upload_rate")
        peers = Int(try r.int("peers"))
        seeds = Int(try r.int("seeds"))
        blockedPeers = try r.optionalInt("blocked_peers").map(Int.init)
        eta = try r.optionalInt("eta")
        savePath = try r.string("save_path")
        // Absent from a daemon older than the incomplete folder: none.
        destination = try r.has("destination") ? try r.optionalString("destination") : nil
        error = try r.optionalString("error")
        addedTime = try r.int("added_time")
        completedTime = try r.optionalInt("completed_time")
        // Absent from a daemon older than labels: none.
        let labels = try r.has("labels") ? try r.stringArray("labels") : []
        settings = try r.object("settings", kind: TorrentSettings.documentKind, reading: TorrentSettings.init(reading:))
        settings.labels = labels
        goalReached = try r.optionalBool("goal_reached")
        stream = try r.optionalObject("stream", StreamDocument.init(json:))
        // Absent from a daemon older than following: none.
        follows = try r.optionalObject("follows", absentIsNil: true, FollowDocument.init(json:))
        pieceMap = try r.optionalObject("piece_map", absentIsNil: true, PieceMapDocument.init(json:))
    }

    static let contract = JSONObject(name: "TORRENT", fields: [
        JSONField("info_hash", .hash, "the v1 info-hash, or the v2 one for a v2-only torrent: what names it"),
        JSONField("info_hash_v1", .nullable(.hex(40)), "the v1 info-hash; null for v2-only"),
        JSONField("info_hash_v2", .nullable(.hex(64)), "the v2 info-hash; null for v1-only"),
        JSONField("name", .string, "the torrent's name: the one set --name gave it, else its metadata's"),
        JSONField("state", .oneWord(states),
                  "a running torrent is checking, resuming, metadata, downloading, finished, seeding, paused, queued "
                      + "(waiting for its turn) or error; a saved one complete, stopped, paused or error"),
        JSONField("running", .boolean, "a session runs it now (else this is its saved state)"),
        JSONField("paused", .boolean, "paused by the user"),
        JSONField("queue_position", .nullable(.integer(.index)), "its place in the download queue; null when complete or not queued"),
        JSONField("has_metadata", .boolean, "its metadata is known (false for a magnet still fetching it)"),
        JSONField("progress", .number(.fraction), "done/wanted"),
        JSONField("size", .nullable(.integer(.bytes)), "every file's bytes; null without metadata"),
        JSONField("wanted", .nullable(.integer(.bytes)), "the bytes of the pieces holding the chosen files; null without metadata"),
        JSONField("done", .integer(.bytes), "the verified part of wanted"),
        JSONField("pieces", .nullable(.integer(.count)), "pieces in the torrent; null without metadata"),
        JSONField("pieces_done", .integer(.count), "verified pieces"),
        JSONField("downloaded", .integer(.bytes), "payload downloaded, all runs"),
        JSONField("uploaded", .integer(.bytes), "payload uploaded, all runs"),
        JSONField("session_downloaded", .integer(.bytes), "payload downloaded in this run"),
        JSONField("session_uploaded", .integer(.bytes), "payload uploaded in this run"),
        JSONField("ratio", .number(.none), "uploaded/wanted"),
        JSONField("download_rate", .integer(.bytesPerSecond), "payload download rate (0 without a session)"),
        JSONField("upload_rate", .integer(.bytesPerSecond), "payload upload rate (0 without a session)"),
        JSONField("peers", .integer(.count), "connected peers (0 without a session)"),
        JSONField("seeds", .integer(.count), "connected peers that are seeds"),
        JSONField("blocked_peers", .nullable(.integer(.count)),
                  "distinct addresses the blocklist kept from it this run; null without a session"),
        JSONField("eta", .nullable(.integer(.seconds)), "time left at the current rate; null when unknown"),
        JSONField("save_path", .string, "the directory its files are in"),
        JSONField("destination", .nullable(.string),
                  "where its files go once complete, while it downloads in the incomplete folder (--incomplete-dir); null otherwise"),
        JSONField("error", .nullable(.string), "why it stopped (a disk error, a bad --only); null when fine"),
        JSONField("added_time", .integer(.unixSeconds), "when it was first added"),
        JSONField("completed_time", .nullable(.integer(.unixSeconds)), "when it completed; null before"),
        JSONField("labels", .array(.string), "its labels (add --label, set --label), in the order given"),
        JSONField("settings", .object(TorrentSettings.contract), "what this run and its seeding goal apply"),
        JSONField("goal_reached", .nullable(.boolean), "its seeding goal is met; null without a session"),
        JSONField("stream", .nullable(.object(StreamDocument.contract)),
                  "the file btx cat (or a btx serve client) is reading as it downloads; null when none"),
        JSONField("follows", .nullable(.object(FollowDocument.contract)),
                  "the btpk link (BEP 46) it was added from, whose newer versions a daemon adds; null when none"),
        JSONField("piece_map", .object(PieceMapDocument.contract), "only when btx status names torrents", optional: true),
    ])
}

/// The file `btx cat` (or a `btx serve` client) is reading from a torrent
/// as it downloads: the first reader's place and window, and how many there are.
public struct StreamDocument: Equatable {
    public var file: Int
    public var path: String
    public var offset: Int64
    public var end: Int64
    public var windowPieces: Int
    public var readers: Int

    public init(file: Int, path: String, offset: Int64, end: Int64, windowPieces: Int, readers: Int) {
        self.file = file
        self.path = path
        self.offset = offset
        self.end = end
        self.windowPieces = windowPieces
        self.readers = readers
    }

    public var json: JSON {
        .object([("file", .int(file)), ("path", .string(path)), ("offset", .int(offset)), ("end", .int(end)),
                 ("window_pieces", .int(windowPieces)), ("readers", .int(readers))])
    }

    public init(json: JSON) throws {
        var r = try DocumentReader(json, "stream document")
        file = Int(try r.int("file"))
        path = try r.string("path")
        offset = try r.int("offset")
        end = try r.int("end")
        windowPieces = Int(try r.int("window_pieces"))
        readers = Int(try r.int("readers"))
    }

    static let contract = JSONObject(name: "STREAM", fields: [
        JSONField("file", .integer(.index), "the file being read"),
        JSONField("path", .string, "its path in the torrent"),
        JSONField("offset", .integer(.bytes), "where the reader is in the file"),
        JSONField("end", .integer(.bytes), "where it stops (exclusive)"),
        JSONField("window_pieces", .integer(.count), "pieces ahead of the reader with deadlines at most"),
        JSONField("readers", .integer(.count), "readers of the torrent's files"),
    ])
}

/// `piece_map`: the verified pieces and those being fetched as bitfields in
/// hex (BitTorrent's order: the high bit of the first byte is piece 0), and
/// how many connected peers have each piece (nil with no session).
public struct PieceMapDocument: Equatable {
    public var pieces: Int
    /// Bytes a piece (the last may be shorter); 0 when unknown.
    public var pieceLength: Int
    public var bitfield: String
    public var downloading: String?
    public var availability: [Int]?

    public init(have: [Bool], downloading: [Bool]?, availability: [Int]?, pieceLength: Int) {
        pieces = have.count
        self.pieceLength = pieceLength
        bitfield = hexBitfield(have)
        self.downloading = downloading.map(hexBitfield)
        self.availability = availability
    }

    public var json: JSON {
        .object([("pieces", .int(pieces)), ("piece_length", .int(pieceLength)), ("bitfield", .string(bitfield)),
                 ("downloading", .optional(downloading)),
                 ("availability", availability.map { .array($0.map(JSON.int)) } ?? .null)])
    }

    public init(json: JSON) throws {
        var r = try DocumentReader(json, "piece map")
        pieces = Int(try r.int("pieces"))
        pieceLength = Int(try r.int("piece_length"))
        bitfield = try r.string("bitfield")
        downloading = try r.optionalString("downloading")
        availability = try r.optionalObject("availability") { value in
            guard let counts = value.arrayValue?.compactMap(\.intValue), counts.count == value.arrayValue?.count else {
                throw BTXError.failure("a piece map whose \"availability\" is not a list of counts")
            }
            return counts.map(Int.init)
        }
    }

    static let contract = JSONObject(name: "PIECE_MAP", fields: [
        JSONField("pieces", .integer(.count), "pieces in the torrent"),
        JSONField("piece_length", .integer(.bytes), "bytes a piece (the last may be shorter)"),
        JSONField("bitfield", .string, "verified pieces as hex, the high bit of the first byte piece 0"),
        JSONField("downloading", .nullable(.string), "pieces being fetched, the same way; null without a session"),
        JSONField("availability", .nullable(.array(.integer(.count))), "connected peers that have each piece; null without a session"),
    ])
}

/// BitTorrent's bitfield order: the high bit of the first byte is piece 0.
/// nil unless `hex` holds exactly the bytes `count` pieces take.
public func bitfieldBits(hex: String, count: Int) -> [Bool]? {
    hexBytes(hex).flatMap { bitfieldBits(bytes: $0, count: count) }
}

/// The same from the bitfield's bytes (transmission's, base64-decoded).
public func bitfieldBits(bytes: [UInt8], count: Int) -> [Bool]? {
    guard bytes.count == (count + 7) / 8 else { return nil }
    var result: [Bool] = []
    result.reserveCapacity(count)
    for byte in bytes {
        for bit in 0..<8 where result.count < count { result.append(byte & (0x80 >> UInt8(bit)) != 0) }
    }
    return result
}

func hexBitfield(_ bits: [Bool]) -> String {
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
