import Glibc

extension StateDirectory {
    /// Why a torrent stopped when its session ended with it (a full disk, a
    /// file it could not write): libtorrent's resume data has no room for
    /// it, and `status` without a session must still say it. A new run of
    /// the torrent (add, resume) clears it.
    public func errorPath(_ infoHash: String) -> String { resumeDirectory + "/" + infoHash + ".error" }

    public func saveError(_ message: String, for infoHash: String) {
        try? FileIO.writeAtomically(Array(message.utf8), to: errorPath(infoHash), replace: true, mode: 0o600)
    }

    public func clearError(for infoHash: String) { unlink(errorPath(infoHash)) }

    public func loadError(_ infoHash: String) -> String? {
        guard let bytes = try? FileIO.readStateFile(errorPath(infoHash), limit: 4096) else { return nil }
        return String(validatingUTF8: bytes)
    }
}
