import TorrentKit

/// Every torrent with resume data in the state directory, read without a
/// session. Damaged files are reported and skipped, never fatal.
public func loadSavedTorrents(_ directory: StateDirectory, includeFiles: Bool = false, warn: (String) -> Void) -> [SavedTorrent] {
    var torrents: [SavedTorrent] = []
    let hashes: [String]
    do {
        hashes = try directory.savedHashes()
    } catch {
        warn("cannot list the saved torrents: \(error)")
        return []
    }
    for hash in hashes {
        do {
            guard let bytes = try directory.loadResumeData(hash) else { continue }
            torrents.append(try SavedTorrent(resumeData: bytes, includeFiles: includeFiles))
        } catch let error as BTXError {
            // Read errors name the file already.
            warn("skipping saved torrent \(hash): \(error.message)")
        } catch {
            warn("skipping saved torrent \(hash): \(directory.resumePath(hash)): \(error)")
        }
    }
    // Oldest first, the order they were added in.
    return torrents.sorted { ($0.status.addedTime, $0.status.name) < ($1.status.addedTime, $1.status.name) }
}

extension StateDirectory {
    /// A saved torrent's settings: what `set` chose and its seeding goal; a
    /// run's own caps and order are not saved. Damage is warned about and
    /// shown as nothing chosen.
    public func savedSettings(_ infoHash: String, warn: (String) -> Void) -> TorrentSettings {
        var settings = TorrentSettings()
        do {
            settings = try loadChosenSettings(infoHash).applied(to: settings)
        } catch {
            warn("ignoring the torrent's settings: \(error)")
        }
        do {
            if let goal = try loadSeedGoal(infoHash) { settings.seeding = SeedPolicy(json: goal) }
        } catch {
            warn("ignoring the seeding goal: \(error)")
        }
        return settings
    }
}

extension TorrentStatus {
    public var key: TorrentKey { TorrentKey(infoHashV1: infoHashV1, infoHashV2: infoHashV2, name: name) }
}

extension SavedTorrent {
    public var key: TorrentKey { status.key }
}


extension StateDirectory {
    /// A saved torrent's piece map (none verified when its resume data
    /// holds no pieces yet); nil without metadata.
    public func savedPieceMap(_ status: TorrentStatus, pieceLength: Int) -> PieceMapDocument? {
        guard status.hasMetadata, status.pieces > 0 else { return nil }
        var have = (try? loadResumeData(status.infoHash)).flatMap { SavedTorrent.savedPieces(resumeData: $0) ?? nil }
            ?? [Bool](repeating: false, count: status.pieces)
        if have.count != status.pieces { have = [Bool](repeating: false, count: status.pieces) }
        return PieceMapDocument(have: have, downloading: nil, availability: nil, pieceLength: pieceLength)
    }
}
