import TorrentKit

/// Streaming: a reader asks `stream` again and again for the part of a file
/// it wants next; each ask moves the piece deadlines to just ahead of it and
/// answers how many bytes from its offset are verified, so it can read them
/// from the file on disk. The reader (btx cat) may be another
/// process on the control socket or this one, calling `answer` directly.
extension SessionHost {
    /// The client id of a reader in this process: never a socket's (those count from 1).
    public static let inProcessClient = UInt64.max
    /// A stream whose reader neither asks again nor says goodbye within this is dropped.
    static let streamLifetime = 5.0
    /// `params`: torrent, file (index, path or glob; the only file by
    /// default), offset and end (bytes of the file, end exclusive; the whole
    /// file by default), range (download only the pieces of [offset, end)).
    func stream(_ params: JSON, client: UInt64) throws -> JSON {
        let (entry, status) = try target(params)
        let named: [(String, JSON)] = [("info_hash", .string(status.infoHash)), ("name", .string(status.name)),
                                       ("error", .optional(entry.error ?? status.error))]
        guard status.hasMetadata else { return .object(named + [("has_metadata", .bool(false)), ("available", .int(0))]) }
        let files = try session.files(entry.torrent)
        let file = try streamedFile(params["file"]?.stringValue, in: files, name: status.name)
        let offset = params["offset"]?.intValue ?? 0
        let end = min(params["end"]?.intValue ?? file.size, file.size)
        guard offset >= 0, offset <= end else {
            throw BTXError.usage("\(file.path): \(offset)-\(end) is not a range within its \(file.size) bytes")
        }
        let now = monotonicSeconds()
        let stream: ActiveStream
        var joins = false
        if let existing = streams[client], existing.torrent == entry.torrent, existing.file.index == file.index {
            stream = existing
            stream.offset = offset
            stream.end = end
            stream.renewedAt = now
        } else {
            if streams[client] != nil { endStream(client) }
            stream = ActiveStream(torrent: entry.torrent, file: file, offset: offset, end: end, now: now)
            streams[client] = stream
            updatePacing()
            joins = true
            if !policy.runsPaused {
                // Reading a paused torrent asks for its pieces: it runs again, and stays so.
                if status.isPaused && !status.isQueued { try resume(entry) }
                // A stream is a person waiting: its torrent runs ahead of the
                // download queue (it waited 44 s behind one download) and goes
                // back in line when the reading ends.
                if queueing && !streams.values.contains(where: { $0 !== stream && $0.torrent == entry.torrent && $0.leftQueue }) {
                    try unqueue(entry)
                    try session.resume(entry.torrent)
                    stream.leftQueue = true
                }
            }
            // A skipped file's pieces go to libtorrent's part file, where a
            // reader of the file never finds them: reading it is wanting it.
            if file.priority == 0 {
                try session.setFilePriorities(entry.torrent, files.map { UInt8(clamping: $0.index == file.index ? 4 : $0.priority) })
                saveChange(entry)
            }
        }
        var map = try session.pieceMap(entry.torrent)
        if params["range"]?.boolValue == true { stream.narrowed = true }
        let narrowed = prioritiesBeforeNarrowing[entry.torrent] != nil
        if joins && narrowed || stream.narrowed && !narrowed {
            try narrowDownload(entry.torrent, pieceLength: map.pieceLength)
            map = try session.pieceMap(entry.torrent)
        }
        // libtorrent drops the seeds of a torrent it calls finished (a
        // narrowed one) and waits a minute before dialling them again.
        if status.peers == 0 && now - stream.dialledAt >= 2 {
            stream.dialledAt = now
            for peer in entry.peers { try? session.connect(entry.torrent, to: peer) }
        }
        let available = readableBytes(stream, map)
        stream.windowPieces = ReadAhead.pieces(rate: status.downloadRate, pieceLength: map.pieceLength)
        try placeDeadlines(entry.torrent, map: map)
        return .object(named + [
            ("has_metadata", .bool(true)), ("file", .int(file.index)),
            ("path", .string(joinPath(status.savePath, file.path))), ("size", .int(file.size)),
            ("offset", .int(offset)), ("end", .int(end)), ("available", .int(available)),
            ("window_pieces", .int(stream.windowPieces)), ("piece_length", .int(Int64(map.pieceLength))),
        ])
    }

    /// The stream's reader is done (or gone): its deadlines go, and a
    /// narrowed download gets its file priorities back.
    func endStream(_ client: UInt64) {
        guard let stream = streams.removeValue(forKey: client) else { return }
        updatePacing()
        let torrent = stream.torrent
        let others = streams.values.filter { $0.torrent == torrent }
        if let priorities = prioritiesBeforeNarrowing[torrent], !others.contains(where: \.narrowed) {
            prioritiesBeforeNarrowing[torrent] = nil
            try? restore(priorities, of: torrent)
        } else if prioritiesBeforeNarrowing[torrent] != nil, let map = try? session.pieceMap(torrent) {
            try? narrowDownload(torrent, pieceLength: map.pieceLength)
        }
        if let other = others.first, stream.leftQueue {
            other.leftQueue = true
        } else if stream.leftQueue, let entry = entry(torrent), (try? session.status(torrent))?.isPaused == false {
            // Back in line, unless its user paused it meanwhile.
            try? enqueue(entry)
        }
        if others.isEmpty {
            deadlines[torrent] = nil
            try? session.clearPieceDeadlines(torrent)
        } else if let map = try? session.pieceMap(torrent) {
            try? placeDeadlines(torrent, map: map)
        }
        // Not a periodic save, which waits for one in flight: that one may
        // hold the narrowed priorities.
        if let entry = entry(torrent) { saveChange(entry) }
    }

    /// Drops streams whose reader went away: its socket closed, or it
    /// stopped asking.
    func expireStreams() {
        guard !streams.isEmpty else { return }
        let now = monotonicSeconds()
        for (client, stream) in streams {
            let gone = client != Self.inProcessClient && server.map { !$0.isConnected(client) } ?? false
            if gone || now - stream.renewedAt > Self.streamLifetime || entry(stream.torrent) == nil { endStream(client) }
        }
    }

    /// What status shows of the torrent's streams: the first reader's place
    /// and window, and how many there are.
    func streamDocument(_ torrent: Torrent) -> StreamDocument? {
        guard !streams.isEmpty else { return nil }
        let readers = streams.values.filter { $0.torrent == torrent }
        guard let first = readers.min(by: { $0.renewedAt < $1.renewedAt }) else { return nil }
        return StreamDocument(file: first.file.index, path: first.file.path, offset: first.offset, end: first.end,
                              windowPieces: first.windowPieces, readers: readers.count)
    }

    private func streamedFile(_ query: String?, in files: [FileEntry], name: String) throws -> FileEntry {
        guard let query else {
            guard files.count == 1 else {
                throw BTXError.usage("\(name) has \(files.count) files: name one (an index, a path or a glob; see 'btx files')")
            }
            return files[0]
        }
        let chosen = try FileSelection(list: query).indices(in: files, option: "FILE", command: "cat")
        guard chosen.count == 1, let index = chosen.first, let file = files.first(where: { $0.index == index }) else {
            throw BTXError.usage("'\(query)' names \(chosen.count) files of \(name): name one")
        }
        return file
    }

    /// Verified bytes from the stream's offset on, up to its end, that are
    /// in the file (see PieceMap.writing).
    private func readableBytes(_ stream: ActiveStream, _ map: PieceMap) -> Int64 {
        let length = Int64(max(map.pieceLength, 1))
        let start = stream.file.offset + stream.offset, stop = stream.file.offset + stream.end
        var position = start
        while position < stop {
            let piece = Int(position / length)
            guard piece < map.have.count, map.isOnDisk(piece) else { break }
            position = Int64(piece + 1) * length
        }
        return min(position, stop) - start
    }

    /// Deadlines on the next missing pieces of every stream of the torrent,
    /// soonest first. Pieces that already have one keep it (libtorrent
    /// hurries a piece whose deadline passed); when a reader jumped (a seek,
    /// a stream that ended) the old deadlines are cleared first.
    private func placeDeadlines(_ torrent: Torrent, map: PieceMap) throws {
        var wanted: [Int: Int] = [:]
        for stream in streams.values where stream.torrent == torrent {
            guard let pieces = stream.pieces(pieceLength: map.pieceLength),
                  let first = pieces.first(where: { !map.have[$0] }) else { continue }
            for (position, piece) in (first...pieces.upperBound).prefix(stream.windowPieces).enumerated() where !map.have[piece] {
                let milliseconds = ReadAhead.deadline(position: position)
                wanted[piece] = min(wanted[piece] ?? .max, milliseconds)
            }
        }
        var placed = deadlines[torrent] ?? []
        let stale = placed.filter { wanted[$0] == nil && !map.have[$0] }
        if !stale.isEmpty {
            try session.clearPieceDeadlines(torrent)
            placed = []
        }
        for (piece, milliseconds) in wanted.sorted(by: { $0.value < $1.value }) where !placed.contains(piece) {
            try session.setPieceDeadline(torrent, piece: piece, milliseconds: milliseconds)
        }
        deadlines[torrent] = Set(wanted.keys)
    }

    /// --range: only the pieces the torrent's streams read are downloaded
    /// (every stream's: one without --range on the same torrent keeps its
    /// file); the file priorities in force before are kept to put back.
    private func narrowDownload(_ torrent: Torrent, pieceLength: Int) throws {
        if prioritiesBeforeNarrowing[torrent] == nil {
            prioritiesBeforeNarrowing[torrent] = try session.files(torrent).map { UInt8(clamping: $0.priority) }
        }
        let count = try session.pieceMap(torrent).have.count
        var priorities = [UInt8](repeating: 0, count: count)
        for stream in streams.values where stream.torrent == torrent {
            guard let pieces = stream.pieces(pieceLength: pieceLength) else { continue }
            for piece in pieces where piece < count { priorities[piece] = 4 }
        }
        try session.setPiecePriorities(torrent, priorities)
    }
}

extension SessionHost {
    /// Puts the file priorities back on the pieces. Setting the same file
    /// priorities again would not do: libtorrent sees no change and keeps
    /// the narrowed piece priorities. A piece takes its highest file's.
    fileprivate func restore(_ priorities: [UInt8], of torrent: Torrent) throws {
        let map = try session.pieceMap(torrent)
        let length = Int64(max(map.pieceLength, 1))
        var pieces = [UInt8](repeating: 0, count: map.have.count)
        for (file, priority) in zip(try session.files(torrent), priorities) where file.size > 0 {
            let first = Int(file.offset / length), last = Int((file.offset + file.size - 1) / length)
            for piece in first...min(last, pieces.count - 1) { pieces[piece] = max(pieces[piece], priority) }
        }
        try session.setPiecePriorities(torrent, pieces)
    }
}

extension SessionHost {
    /// A request from this process (a reader running the session itself):
    /// the reply's result, or its error thrown. Only methods that answer at
    /// once may be asked.
    public func call(_ method: ControlMethod, _ params: [(String, JSON)] = []) throws -> JSON {
        let request = method.request(params)
        guard let reply = answer(request, client: Self.inProcessClient) else {
            throw BTXError.failure("\(method.rawValue) cannot be answered in this process")
        }
        return try ControlClient.unwrap(reply)
    }
}

