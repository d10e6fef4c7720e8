import TorrentKit

/// A torrent's status document, rendered from its status and what the host
/// knows of it, and kept encoded while what it shows stays the same: a
/// status of 5,000 mostly idle torrents was 200,000 JSON values built and
/// written per request (50 of its 80 ms).
final class StatusDocuments {
    /// Boxed: a dictionary of the inputs themselves (a status is hundreds of
    /// bytes) kept a third of its slots empty, 0.3 KiB a torrent.
    private final class Rendered {
        let shown: StatusDocumentInputs
        let bytes: [UInt8]
        init(_ shown: StatusDocumentInputs, _ bytes: [UInt8]) {
            self.shown = shown
            self.bytes = bytes
        }
    }

    private var rendered: [Torrent: Rendered] = [:]

    func document(of status: TorrentStatus, entry: SessionHost.Tracked?, stream: StreamDocument?) -> TorrentDocument {
        document(of: StatusDocumentInputs(status, entry: entry), stream: stream)
    }

    /// The same, encoded, rendered again only when something it shows changed.
    func encoded(of status: TorrentStatus, entry: SessionHost.Tracked, stream: StreamDocument?) -> JSON {
        let shown = StatusDocumentInputs(status, entry: entry)
        // A stream's offset moves on its own: such a document is not kept.
        guard stream == nil else { return document(of: shown, stream: stream).json }
        if let kept = rendered[status.torrent], kept.shown == shown { return .encoded(kept.bytes) }
        let bytes = document(of: shown, stream: nil).json.bytes
        rendered[status.torrent] = Rendered(shown, bytes)
        return .encoded(bytes)
    }

    func forget(_ torrent: Torrent) { rendered[torrent] = nil }

    private func document(of shown: StatusDocumentInputs, stream: StreamDocument?) -> TorrentDocument {
        // btx's own record comes first: it names the file where libtorrent's
        // error state has only the reason; a bad --only has only btx's.
        let status = shown.status
        let failure = shown.error ?? status.error
        let state = failure != nil ? "error" : shown.checking ? "checking" : status.stateWord
        return TorrentDocument(status, running: true, state: state, settings: shown.settings,
                               goalReached: shown.done && failure == nil, error: failure,
                               blockedPeers: shown.blockedPeers, stream: stream)
    }
}

/// Everything of a torrent that its status document shows but its stream:
/// the document is rendered from these alone, so one kept with them is
/// stale exactly when they differ.
struct StatusDocumentInputs: Equatable {
    let status: TorrentStatus
    let error: String?
    let checking: Bool
    let done: Bool
    let blockedPeers: Int
    let settings: TorrentSettings

    init(_ status: TorrentStatus, entry: SessionHost.Tracked?) {
        self.status = status
        error = entry?.error
        checking = entry?.checking ?? false
        done = entry?.done ?? false
        blockedPeers = entry?.blockedPeers.count ?? 0
        settings = entry?.settings ?? TorrentSettings()
    }
}
