import Glibc
import TorrentKit

/// `add --reuse-from DIR`: a torrent's files found anywhere under folders
/// the user names, under any name, for v1 torrents too. Files of the right
/// size are candidates; the torrent's own piece hashes decide, read
/// through a folder of symlinks laid out as the torrent expects.
public enum ExistingCopies {
    /// Candidates of one size tried in turn, at most this many.
    static let rounds = 8

    /// File index to the absolute path of a file whose content the piece
    /// hashes confirm. `staging`: a folder to lay the symlinks out in,
    /// made and removed here. `progress` as ContentCheck's.
    public static func find(for metainfo: [UInt8], files: [FileEntry], in folders: [String], staging: String,
                            progress: ((Int64, Int64) -> Bool)? = nil) throws -> [Int: String] {
        let sizes = Set(files.map(\.size).filter { $0 > 0 })
        var bySize: [Int64: [String]] = [:]
        var seen = Set<String>()
        for folder in folders {
            guard FileIO.isDirectory(folder) else { throw BTXError.notFound("--reuse-from: \(folder) is not a directory") }
            walk(absolutePath(folder)) { path, size in
                guard sizes.contains(size), seen.insert(FileIO.resolved(path)).inserted else { return }
                bySize[size, default: []].append(path)
            }
        }
        let candidates = files.reduce(into: [Int: [String]]()) { result, file in
            if file.size > 0, let found = bySize[file.size] { result[file.index] = found }
        }
        guard !candidates.isEmpty else { return [:] }
        var template = Array((staging + "/.btx-reuse-XXXXXX").utf8CString)
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
            for file in check.files where confirmed[file.index] == nil && isConfirmed(file) {
                confirmed[file.index] = tried[file.index]
            }
            if candidates.keys.allSatisfy({ confirmed[$0] != nil }) { break }
        }
        return confirmed
    }

    /// Every piece that holds some of it is good, or else every one whose
    /// bytes are all there is (a v1 piece it shares with a file not found
    /// cannot be checked) and at least one is.
    private static func isConfirmed(_ file: ContentCheck.File) -> Bool {
        file.state == .good || file.state == .incomplete && file.piecesGood > 0
    }

    /// Regular files under `folder`, never through a symlinked folder.
    private static func walk(_ folder: String, _ visit: (String, Int64) -> Void) {
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = joinPath(folder, name)
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: walk(path, visit)
            case S_IFREG: visit(path, Int64(st.st_size))
            default: continue
            }
        }
    }

    /// The staging folder: its symlinks and the folders made for them, never what they point at.
    private static func removeLinks(_ folder: String) {
        guard let dir = opendir(folder) else { return }
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = joinPath(folder, name)
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR { removeLinks(path) } else { unlink(path) }
        }
        closedir(dir)
        rmdir(folder)
    }
}
