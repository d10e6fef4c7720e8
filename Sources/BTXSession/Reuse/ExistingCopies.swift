import Glibc
import TorrentKit

/// `add --reuse-from DIR`: a torrent's files found anywhere under folders
/// the user names, under any name, for v1 torrents too. Files of the right
/// size are candidates; the torrent's own piece hashes decide, read
/// through a folder of symlinks laid out as the torrent expects.
public enum ExistingCopies {
    /// Candidates of one size tried in turn, at most this many.
    static let rounds = 8

    /// The regular files under `folders` whose size is one of `sizes`, by
    /// size: read once for every torrent of an add. Never through a
    /// symlinked folder, nor into another filesystem (a /proc, a network
    /// mount) than the folder's own. `cancelled` is asked folder by folder.
    public static func survey(_ folders: [String], sizes: Set<Int64>, cancelled: () -> Bool = { false }) throws -> [Int64: [String]] {
        var bySize: [Int64: [String]] = [:]
        var seen = Set<String>()
        for folder in folders {
            var st = stat()
            guard stat(folder, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw BTXError.notFound("\(folder) is not a directory")
            }
            try walk(absolutePath(folder), device: st.st_dev, cancelled: cancelled) { path, size in
                guard sizes.contains(size), seen.insert(FileIO.resolved(path)).inserted else { return }
                bySize[size, default: []].append(path)
            }
        }
        return bySize
    }

    /// File index to the absolute path of a file whose content the piece
    /// hashes confirm, from `candidates` (see survey). `staging`: a folder to
    /// lay the symlinks out in, made and removed here. `wholeOnly`: only
    /// files every one of whose pieces was checked (a hard link must never
    /// let libtorrent write into the original). `progress` as ContentCheck's.
    public static func find(for metainfo: [UInt8], files: [FileEntry], candidates bySize: [Int64: [String]], staging: String,
                            wholeOnly: Bool = false, progress: ((Int64, Int64) -> Bool)? = nil) throws -> [Int: String] {
        let candidates = files.reduce(into: [Int: [String]]()) { result, file in
            if file.size > 0, let found = bySize[file.size] { result[file.index] = found }
        }
        guard !candidates.isEmpty else { return [:] }
        sweepAbandoned(in: staging)
        var template = Array((staging + "/.btx-reuse-\(getpid())-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw FileIO.error(staging, "make a folder in") }
        let folder = String(cString: template)
        defer { removeLinks(folder) }

        let byIndex = Dictionary(files.map { ($0.index, $0.path) }, uniquingKeysWith: { first, _ in first })
        var confirmed: [Int: String] = [:]
        let turns = min(rounds, candidates.values.map(\.count).max() ?? 0)
        for round in 0..<turns {
            var tried: [Int: String] = [:]
            for (index, paths) in candidates {
                let path = confirmed[index] ?? paths[min(round, paths.count - 1)]
                guard let relative = byIndex[index] else { continue }
                let link = joinPath(folder, relative)
                try makeDirectories(String(link[..<link.lastIndex(of: "/")!]), mode: 0o700)
                unlink(link)
                guard symlink(path, link) == 0 else { throw FileIO.error(link, "link") }
                tried[index] = path
            }
            let check = try ContentCheck.run(metainfo: metainfo, savePath: folder, progress: progress)
            for file in check.files where confirmed[file.index] == nil && isConfirmed(file, wholeOnly: wholeOnly) {
                confirmed[file.index] = tried[file.index]
            }
            if candidates.keys.allSatisfy({ confirmed[$0] != nil }) { break }
        }
        return confirmed
    }

    /// Every piece that holds some of it is good, or else every one whose
    /// bytes are all there is (a v1 piece it shares with a file not found
    /// cannot be checked) and at least one is.
    private static func isConfirmed(_ file: ContentCheck.File, wholeOnly: Bool) -> Bool {
        file.state == .good || !wholeOnly && file.state == .incomplete && file.piecesGood > 0
    }

    /// Regular files under `folder` on `device`, never through a symlinked folder.
    private static func walk(_ folder: String, device: dev_t, cancelled: () -> Bool, _ visit: (String, Int64) -> Void) throws {
        if cancelled() { throw BTXError(exitCode: interruptExitCode(), message: "interrupted while looking for files") }
        for name in directoryEntries(folder) {
            let path = joinPath(folder, name)
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR where st.st_dev == device: try walk(path, device: device, cancelled: cancelled, visit)
            case S_IFREG: visit(path, Int64(st.st_size))
            default: continue
            }
        }
    }

    /// Staging folders a killed btx left: those of processes gone.
    private static func sweepAbandoned(in staging: String) {
        for name in directoryEntries(staging) where name.hasPrefix(".btx-reuse-") {
            let parts = name.split(separator: "-")
            guard parts.count == 4, let pid = Int32(parts[2]), kill(pid, 0) != 0 && errno == ESRCH else { continue }
            removeLinks(joinPath(staging, name))
        }
    }

    /// The staging folder: its symlinks and the folders made for them, never what they point at.
    private static func removeLinks(_ folder: String) {
        for name in directoryEntries(folder) {
            let path = joinPath(folder, name)
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR { removeLinks(path) } else { unlink(path) }
        }
        rmdir(folder)
    }
}
