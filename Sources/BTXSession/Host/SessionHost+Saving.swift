import TorrentKit

/// Asking for resume data: the rules are ResumeLedger's.
extension SessionHost {
    /// A save of a change its save signature does not show.
    func saveChange(_ entry: Tracked) {
        ledger.changed(entry.torrent)
        registry.mayBeUnsaved(entry)
        requestSave(entry, onlyIfModified: false)
    }

    /// Periodic saves (`onlyIfModified`) wait for the one in flight; any
    /// other save is a new request, so the last one written is the newest.
    public func requestSave(_ entry: Tracked, onlyIfModified: Bool) {
        let shown = entry.saveView
        guard ledger.mayRequest(entry.torrent, periodic: onlyIfModified, shown: shown) else { return }
        if (try? session.requestResumeData(entry.torrent, onlyIfModified: onlyIfModified)) != nil {
            ledger.requested(entry.torrent, shown: shown)
        }
    }

    /// Its last written resume data holds what it shows now, and no save
    /// is on its way.
    func isSaved(_ entry: Tracked) -> Bool { ledger.isSaved(entry.torrent, shown: entry.saveView) }
}
