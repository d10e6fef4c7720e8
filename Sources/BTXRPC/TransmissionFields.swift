import BTXSession
import Glibc
import TorrentKit

/// torrent-get's fields, each from btx's typed documents. A field the
/// request does not name costs nothing: files, trackers and peers are asked
/// of the session only for the torrents and fields that need them.
enum TransmissionFields {
    /// A torrent field btx answers; another is left out of the answer.
    /// Each request names its fields once, so a row costs no string compares.
    enum Field: String, CaseIterable {
        // From the status document.
        case id, hashString, name, status, error, errorString, eta, etaIdle, percentDone, percentComplete
        case leftUntilDone, sizeWhenDone, totalSize, haveValid, haveUnchecked, desiredAvailable, downloadedEver
        case uploadedEver, corruptEver, uploadRatio, rateDownload, rateUpload, peersConnected, peersSendingToUs
        case peersGettingFromUs, webseedsSendingToUs, downloadDir, addedDate, doneDate, activityDate, startDate
        case editDate, queuePosition, isFinished, isStalled, metadataPercentComplete, recheckProgress, downloadLimit
        case downloadLimited, uploadLimit, uploadLimited, honorsSessionLimits, bandwidthPriority
        case peerLimit = "peer-limit", maxConnectedPeers, sequentialDownload, seedRatioLimit, seedRatioMode
        case seedIdleLimit, seedIdleMode, pieceCount, magnetLink, labels, group, secondsDownloading, secondsSeeding
        case manualAnnounceTime
        // From the files.
        case files, fileStats, fileCount = "file-count", priorities, wanted, primaryMimeType = "primary-mime-type"
        // From the trackers.
        case trackers, trackerStats, trackerList
        // From the peers.
        case peers, peersFrom
        // From the metainfo.
        case comment, creator, isPrivate, pieceSize, dateCreated, webseeds, torrentFile
        // From the piece bitfield.
        case pieces

        /// What the field needs beyond the status document.
        var need: Need {
            switch self {
            case .files, .fileStats, .fileCount, .priorities, .wanted, .primaryMimeType: .files
            case .trackers, .trackerStats, .trackerList: .trackers
            case .peers, .peersFrom: .peers
            case .comment, .creator, .isPrivate, .pieceSize, .dateCreated, .webseeds, .torrentFile: .metainfo
            case .pieces: .pieces
            default: .none
            }
        }
    }

    enum Need { case none, files, trackers, peers, metainfo, pieces }

    /// What torrent-get needs beyond the status document, each asked for only when a field needs it.
    struct Extras {
        var files: [FileDocument]?
        var trackers: [TrackerDocument]?
        var peers: [PeerDocument]?
        var metainfo: MetainfoFacts.Facts?
        /// The verified pieces, as transmission's base64 bitfield.
        var pieces: String?
    }

    /// transmission's tr_torrent_activity.
    static func status(_ torrent: TorrentDocument) -> Int {
        switch torrent.state {
        case "checking", "resuming": return 2
        case "queued": return (torrent.wanted ?? 1) > torrent.done ? 3 : 5
        case "metadata", "downloading": return 4
        case "finished", "seeding": return 6
        default: return 0
        }
    }

    /// One torrent's fields; `files`, `trackers` and `peers` when asked for.
    static func torrent(_ doc: TorrentDocument, id: Int, fields: [Field], extras: Extras, now: Int64) -> JSON {
        .object(fields.compactMap { field in value(field, doc, id: id, extras: extras, now: now).map { (field.rawValue, $0) } })
    }

    private static func value(_ field: Field, _ t: TorrentDocument, id: Int, extras: Extras, now: Int64) -> JSON? {
        let (files, trackers, peers) = (extras.files, extras.trackers, extras.peers)
        let wanted = t.wanted ?? 0
        let left = max(0, wanted - min(t.done, wanted))
        let complete = t.hasMetadata && left == 0
        switch field {
        case .id: return .int(id)
        case .hashString: return .string(t.infoHashV1 ?? t.infoHash)
        case .name: return .string(t.name)
        case .status: return .int(status(t))
        // 3: a local error (btx's errors are the torrent's own, not a tracker's).
        case .error: return .int(t.error == nil ? 0 : 3)
        case .errorString: return .string(t.error ?? "")
        // -1: not downloading or unknown; transmission's TR_ETA_NOT_AVAIL.
        case .eta: return .int(complete || !t.hasMetadata ? -1 : t.eta ?? -1)
        case .etaIdle: return .int(-1)
        case .percentDone: return .double(wanted > 0 ? Double(min(t.done, wanted)) / Double(wanted) : (t.hasMetadata ? 1 : 0))
        case .percentComplete: return .double(t.progress)
        case .leftUntilDone: return .int(left)
        case .sizeWhenDone: return .int(wanted)
        case .totalSize: return .int(t.size ?? 0)
        case .haveValid: return .int(t.done)
        case .haveUnchecked, .corruptEver: return .int(0)
        case .desiredAvailable: return .int(left)
        case .downloadedEver: return .int(t.downloaded)
        case .uploadedEver: return .int(t.uploaded)
        // -1: nothing downloaded to weigh against (TR_RATIO_NA).
        case .uploadRatio: return .double(t.downloaded == 0 && t.uploaded == 0 ? -1 : t.ratio)
        case .rateDownload: return .int(t.downloadRate)
        case .rateUpload: return .int(t.uploadRate)
        case .peersConnected: return .int(t.peers)
        case .peersSendingToUs:
            return .int(peers.map { $0.filter { $0.downloadRate > 0 }.count } ?? (t.downloadRate > 0 ? t.peers : 0))
        case .peersGettingFromUs:
            return .int(peers.map { $0.filter { $0.uploadRate > 0 }.count } ?? (t.uploadRate > 0 ? t.peers - t.seeds : 0))
        case .webseedsSendingToUs: return .int(0)
        // As transmission's: where it goes, also while it downloads in the incomplete folder.
        case .downloadDir: return .string(t.destination ?? t.savePath)
        case .addedDate, .startDate: return .int(t.addedTime)
        case .doneDate: return .int(t.completedTime ?? 0)
        case .activityDate: return .int(t.downloadRate > 0 || t.uploadRate > 0 ? now : (t.completedTime ?? t.addedTime))
        case .editDate: return .int(0)
        case .queuePosition: return .int(t.queuePosition ?? 0)
        // transmission: the torrent reached its seeding goal and stopped there (not by hand).
        case .isFinished: return .bool(t.goalReached == true && t.paused && t.settings.seeding.hasLimit)
        case .isStalled: return .bool(status(t) == 4 && t.downloadRate == 0 && t.peers == 0)
        case .metadataPercentComplete: return .double(t.hasMetadata ? 1 : 0)
        case .recheckProgress: return .double(t.state == "checking" ? t.progress : 0)
        // Rates in kB/s (1000 bytes), as session-get's units say.
        case .downloadLimit: return .int(t.settings.maxDown / 1000)
        case .downloadLimited: return .bool(t.settings.maxDown > 0)
        case .uploadLimit: return .int(t.settings.maxUp / 1000)
        case .uploadLimited: return .bool(t.settings.maxUp > 0)
        case .honorsSessionLimits: return .bool(true)
        case .bandwidthPriority: return .int(0)
        case .peerLimit, .maxConnectedPeers: return .int(t.settings.maxPeers)
        case .sequentialDownload: return .bool(t.settings.sequential)
        case .seedRatioLimit: return .double(t.settings.seeding.ratio ?? 0)
        // 1: its own ratio; 2: unlimited (seeds on); 0: the session's (btx's default: stop once complete).
        case .seedRatioMode: return .int(t.settings.seeding.ratio != nil ? 1 : (t.settings.seeding.seedForever ? 2 : 0))
        // Minutes with nothing uploaded; 1: its own limit, 0: the session's.
        case .seedIdleLimit: return .int(t.settings.seeding.idleSeconds.map { $0 / 60 } ?? 0)
        case .seedIdleMode: return .int(t.settings.seeding.idleSeconds != nil ? 1 : 0)
        case .pieceCount: return .int(t.pieces ?? 0)
        case .magnetLink:
            var link = "magnet:?xt=urn:btih:\(t.infoHashV1 ?? t.infoHash)"
            if let v2 = t.infoHashV2 { link += "&xt=urn:btmh:1220\(v2)" }
            return .string(link + "&dn=" + percentEncoded(t.name))
        case .labels: return .array(t.settings.labels.map(JSON.string))
        case .group: return .string("")
        case .secondsDownloading, .secondsSeeding, .manualAnnounceTime: return .int(0)
        case .comment: return .string(extras.metainfo?.comment ?? "")
        case .creator: return .string(extras.metainfo?.creator ?? "")
        case .isPrivate: return .bool(extras.metainfo?.isPrivate ?? false)
        case .pieceSize: return .int(extras.metainfo?.pieceSize ?? 0)
        case .dateCreated: return .int(extras.metainfo?.created ?? 0)
        case .webseeds: return .array((extras.metainfo?.webSeeds ?? []).map(JSON.string))
        // btx keeps no copy of the .torrent: its metainfo lives in the resume data.
        case .torrentFile: return .string("")
        case .pieces: return .string(extras.pieces ?? "")
        case .primaryMimeType:
            return files.map { .string($0.max { $0.size < $1.size }.map { MediaType.of(path: $0.path) } ?? "") }
        case .fileCount: return files.map { .int($0.count) }
        case .files:
            return files.map { .array($0.map { file in
                .object([("bytesCompleted", .int(file.progress?.done ?? 0)), ("length", .int(file.size)), ("name", .string(file.path))])
            }) }
        case .fileStats:
            return files.map { .array($0.map { file in
                .object([("bytesCompleted", .int(file.progress?.done ?? 0)), ("wanted", .bool(file.progress?.priority != "skip")),
                         ("priority", .int(priority(file)))])
            }) }
        case .priorities: return files.map { .array($0.map { .int(priority($0)) }) }
        case .wanted: return files.map { .array($0.map { .int($0.progress?.priority == "skip" ? 0 : 1) }) }
        case .trackers:
            return trackers.map { .array($0.enumerated().map { index, tracker in
                .object([("announce", .string(tracker.url)), ("id", .int(index)), ("scrape", .string(scrapeURL(tracker.url))),
                         ("sitename", .string(siteName(tracker.url))), ("tier", .int(tracker.tier))])
            }) }
        case .trackerStats:
            return trackers.map { .array($0.enumerated().map { index, tracker in trackerStats(tracker, id: index) }) }
        case .trackerList:
            return trackers.map { list in
                .string(Dictionary(grouping: list, by: \.tier).sorted { $0.key < $1.key }
                    .map { $0.value.map(\.url).joined(separator: "\n") }.joined(separator: "\n\n"))
            }
        case .peers:
            return peers.map { .array($0.map(peer)) }
        case .peersFrom:
            return peers.map { list in
                .object([("fromCache", .int(0)), ("fromDht", .int(0)), ("fromIncoming", .int(list.filter { $0.flags.contains("R") }.count)),
                         ("fromLpd", .int(0)), ("fromLtep", .int(0)), ("fromPex", .int(0)),
                         ("fromTracker", .int(list.filter { !$0.flags.contains("R") }.count))])
            }
        }
    }

    /// -1 low, 0 normal, 1 high; a skipped file keeps normal (it is unwanted instead).
    private static func priority(_ file: FileDocument) -> Int {
        switch file.progress?.priority {
        case "low": return -1
        case "high": return 1
        default: return 0
        }
    }

    private static func trackerStats(_ tracker: TrackerDocument, id: Int) -> JSON {
        let succeeded = tracker.state == "working"
        // tr_tracker_state: 0 inactive, 1 waiting, 2 queued, 3 active.
        let announceState = switch tracker.state {
        case "updating": 3
        case "disabled": 0
        default: 1
        }
        return .object([
            ("announce", .string(tracker.url)), ("announceState", .int(announceState)),
            ("downloadCount", .int(tracker.downloaded ?? -1)), ("hasAnnounced", .bool(tracker.lastAnnounce != nil)),
            ("hasScraped", .bool(tracker.seeds != nil)), ("host", .string(siteName(tracker.url))), ("id", .int(id)),
            ("isBackup", .bool(false)), ("lastAnnouncePeerCount", .int(0)),
            ("lastAnnounceResult", .string(tracker.message ?? (succeeded ? "Success" : ""))),
            ("lastAnnounceStartTime", .int(tracker.lastAnnounce ?? 0)), ("lastAnnounceSucceeded", .bool(succeeded)),
            ("lastAnnounceTime", .int(tracker.lastAnnounce ?? 0)), ("lastAnnounceTimedOut", .bool(false)),
            ("lastScrapeResult", .string("")), ("lastScrapeStartTime", .int(0)), ("lastScrapeSucceeded", .bool(tracker.seeds != nil)),
            ("lastScrapeTime", .int(0)), ("lastScrapeTimedOut", .bool(false)),
            ("leecherCount", .int(tracker.peers ?? -1)), ("nextAnnounceTime", .int(tracker.nextAnnounce ?? 0)),
            ("nextScrapeTime", .int(0)), ("scrape", .string(scrapeURL(tracker.url))), ("scrapeState", .int(0)),
            ("seederCount", .int(tracker.seeds ?? -1)), ("sitename", .string(siteName(tracker.url))), ("tier", .int(tracker.tier)),
        ])
    }

    private static func peer(_ peer: PeerDocument) -> JSON {
        let (host, port) = splitAddress(peer.address)
        let has = { (letter: Character) in peer.flags.contains(letter) }
        return .object([
            ("address", .string(host)), ("clientName", .string(peer.client)), ("clientIsChoked", .bool(has("C"))),
            ("clientIsInterested", .bool(has("I"))), ("flagStr", .string(peer.flags.filter { $0 != "-" })),
            ("isDownloadingFrom", .bool(peer.downloadRate > 0)), ("isEncrypted", .bool(has("E"))),
            ("isIncoming", .bool(has("R"))), ("isUploadingTo", .bool(peer.uploadRate > 0)), ("isUTP", .bool(has("U"))),
            ("peerIsChoked", .bool(has("c"))), ("peerIsInterested", .bool(has("i"))), ("port", .int(port)),
            ("progress", .double(peer.progress)), ("rateToClient", .int(peer.downloadRate)), ("rateToPeer", .int(peer.uploadRate)),
        ])
    }

    /// "HOST:PORT" or "[V6]:PORT" into the host and the port.
    static func splitAddress(_ address: String) -> (String, Int) {
        guard let colon = address.lastIndex(of: ":") else { return (address, 0) }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, Int(address[address.index(after: colon)...]) ?? 0)
    }

    /// BEP 48's rule: .../announce... becomes .../scrape...; none otherwise.
    static func scrapeURL(_ announce: String) -> String {
        guard let slash = announce.lastIndex(of: "/"), announce[announce.index(after: slash)...].hasPrefix("announce") else { return "" }
        return announce[...slash] + "scrape" + announce[announce.index(slash, offsetBy: 9)...]
    }

    /// The tracker's host without its subdomain, as transmission's sitename.
    static func siteName(_ url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return "" }
        let authority = parts[2].prefix { $0 != "?" }
        let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }.dropFirst())
            : String(authority.split(separator: ":").first ?? "")
        let labels = host.split(separator: ".")
        if labels.count >= 2, !labels.allSatisfy({ $0.allSatisfy(\.isNumber) }) { return String(labels[labels.count - 2]) }
        return host
    }

    /// session-get's fields.
    static let sessionFields = [
        "version", "rpc-version", "rpc-version-minimum", "rpc-version-semver", "session-id", "config-dir", "download-dir",
        "download-dir-free-space", "speed-limit-down", "speed-limit-down-enabled", "speed-limit-up", "speed-limit-up-enabled",
        "alt-speed-down", "alt-speed-up", "alt-speed-enabled", "alt-speed-time-enabled", "alt-speed-time-begin",
        "alt-speed-time-end", "alt-speed-time-day", "peer-port", "peer-port-random-on-start", "port-forwarding-enabled",
        "encryption", "dht-enabled", "lpd-enabled", "pex-enabled", "utp-enabled", "blocklist-enabled", "blocklist-size",
        "blocklist-url", "seedRatioLimit", "seedRatioLimited", "idle-seeding-limit", "idle-seeding-limit-enabled",
        "download-queue-enabled", "download-queue-size", "seed-queue-enabled", "seed-queue-size", "queue-stalled-enabled",
        "queue-stalled-minutes", "start-added-torrents", "incomplete-dir", "incomplete-dir-enabled", "rename-partial-files",
        "trash-original-torrent-files", "cache-size-mb", "peer-limit-global", "peer-limit-per-torrent",
        "script-torrent-done-enabled", "script-torrent-done-filename", "script-torrent-added-enabled",
        "script-torrent-added-filename", "script-torrent-done-seeding-enabled", "script-torrent-done-seeding-filename",
        "default-trackers", "units",
    ]
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
