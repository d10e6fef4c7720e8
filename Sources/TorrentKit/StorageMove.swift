import CBTX

extension Session {
    /// Moves the torrent's files into `directory` (absolute, existing,
    /// writable), its new save path. Throws at once when that cannot work
    /// (missing, not a directory, read-only, too small, where the data already
    /// is); otherwise the move runs in the background and ends with
    /// `.storageMoved` or `.storageMoveFailed`. A file of the same name in
    /// the target fails the move before anything moves.
    public func moveStorage(_ torrent: Torrent, to directory: String) throws {
        try check(btx_torrent_move_storage(raw, torrent.rawValue, directory))
    }
}
