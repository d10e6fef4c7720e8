import Glibc

/// Settles a move from the incomplete folder that a crash may have cut
/// short, before the torrent is added again, so that its data is whole in
/// one place. libtorrent moves file by file: within a filesystem each file
/// is renamed; across filesystems every file is copied first and the
/// sources are deleted only once all copies are complete. So a file found
/// in both places is a copy (perhaps partial) of a source that still
/// counts, and a file found only at the destination was renamed there or
/// its copy was complete.
public enum InterruptedMove {
    public enum Outcome: Equatable {
        /// All of its data is in the source folder: the move is to be made (again).
        case atSource
        /// All of its data is at the destination: the move had finished.
        case atDestination
    }

    /// `files`: paths relative to both folders.
    public static func settle(files: [String], source: String, destination: String) -> Outcome {
        if FileIO.resolved(source) == FileIO.resolved(destination) { return .atDestination }
        let atSource = Set(files.filter { FileIO.exists(joinPath(source, $0)) })
        let atDestination = files.filter { FileIO.exists(joinPath(destination, $0)) }
        if atDestination.isEmpty { return .atSource }
        if atSource.isEmpty { return .atDestination }
        let onlyMoved = atDestination.filter { !atSource.contains($0) }
        for (done, path) in onlyMoved.enumerated() {
            let from = joinPath(destination, path), to = joinPath(source, path)
            if let slash = to.lastIndex(of: "/") { try? makeDirectories(String(to[..<slash]), mode: 0o755) }
            if rename(from, to) != 0 {
                // Not renamed back: it was copied, so the copying was over
                // and every file at the destination is whole. Forward, then.
                for path in onlyMoved.prefix(done) { _ = rename(joinPath(source, path), joinPath(destination, path)) }
                for path in atSource { unlink(joinPath(source, path)) }
                return .atDestination
            }
        }
        for path in atDestination where atSource.contains(path) { unlink(joinPath(destination, path)) }
        return .atSource
    }
}
