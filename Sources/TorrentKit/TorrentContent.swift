import Glibc

/// The files a torrent would be made of: what `btx create` walks before hashing.
public struct TorrentContent: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        /// Relative to `baseDirectory`; starts with the torrent's name for a directory.
        public let path: String
        public let size: Int64

        public init(path: String, size: Int64) {
            self.path = path
            self.size = size
        }
    }

    /// The directory the file paths are relative to.
    public let baseDirectory: String
    public let name: String
    public let files: [File]
    /// Entries left out, each with the reason (dangling symlink, loop, special file).
    public let skipped: [String]

    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    /// Walks `path`: a file makes a single-file torrent, a directory a
    /// multi-file one. Symlinks inside the tree are followed (their targets'
    /// bytes go in the torrent, like mktorrent and transmission-create); a
    /// link that leads out of the tree is skipped and reported, so that
    /// sharing a folder never shares what lies outside it (a link to ~ or
    /// /etc). Dangling links, directory loops, sockets and devices are
    /// skipped and reported too. Empty
    /// directories cannot be expressed in a torrent and vanish. Entries are
    /// sorted bytewise, so the same tree always gives the same info-hash.
    /// `exclude` globs match an entry's name or its path inside the torrent.
    public static func scan(_ path: String, exclude: [String] = []) throws -> TorrentContent {
        var st = stat()
        guard stat(path, &st) == 0 else { throw fileError(path) }
        let absolute = try absolutePath(path)
        let name = lastComponent(absolute)
        let parent = parentDirectory(absolute)
        if (st.st_mode & S_IFMT) == S_IFREG {
            return TorrentContent(baseDirectory: parent, name: name, files: [File(path: name, size: Int64(st.st_size))],
                                  skipped: [])
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw TorrentKitError(.invalidArgument, "\(path) is neither a file nor a directory")
        }
        var walker = Walker(root: absolute, realRoot: try resolved(absolute), exclude: exclude)
        try walker.walk(directory: absolute, relative: "", ancestors: [FileID(st)])
        guard !walker.files.isEmpty else {
            throw TorrentKitError(.invalidArgument, "\(path) contains no files to put in a torrent")
        }
        let files = walker.files.map { File(path: name + "/" + $0.path, size: $0.size) }
        return TorrentContent(baseDirectory: parent, name: name, files: files, skipped: walker.skipped)
    }
}

private struct FileID: Hashable {
    let device: UInt64
    let inode: UInt64
    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

private struct Walker {
    let root: String
    /// The tree as the file system has it: where a link must lead to be followed.
    let realRoot: String
    let exclude: [String]
    var files: [TorrentContent.File] = []
    var skipped: [String] = []

    mutating func walk(directory: String, relative: String, ancestors: Set<FileID>) throws {
        for entry in try entries(of: directory) {
            let full = directory + "/" + entry
            let inside = relative.isEmpty ? entry : relative + "/" + entry
            if isExcluded(name: entry, path: inside) { continue }
            var st = stat()
            guard stat(full, &st) == 0 else {
                var link = stat()
                if lstat(full, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
                    skipped.append("\(inside): dangling symlink")
                    continue
                }
                throw fileError(full)
            }
            if let outside = linkOutsideTree(full) {
                skipped.append("\(inside): symlink to \(outside), outside the tree")
                continue
            }
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                files.append(.init(path: inside, size: Int64(st.st_size)))
            case S_IFDIR:
                let id = FileID(st)
                if ancestors.contains(id) {
                    skipped.append("\(inside): symlink loop")
                    continue
                }
                try walk(directory: full, relative: inside, ancestors: ancestors.union([id]))
            default:
                skipped.append("\(inside): not a regular file")
            }
        }
    }

    /// Where a symlink at `full` leads, when that is outside the tree.
    func linkOutsideTree(_ full: String) -> String? {
        var link = stat()
        guard lstat(full, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK, let target = try? resolved(full) else { return nil }
        let inside = realRoot == "/" || target == realRoot || target.hasPrefix(realRoot + "/")
        return inside ? nil : target
    }

    func isExcluded(name: String, path: String) -> Bool {
        exclude.contains { fnmatch($0, name, 0) == 0 || fnmatch($0, path, FNM_PATHNAME) == 0 }
    }

    func entries(of directory: String) throws -> [String] {
        guard let dir = opendir(directory) else { throw fileError(directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(validatingUTF8: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard let name else {
                throw TorrentKitError(.invalidArgument, "\(directory) holds a file name that is not valid UTF-8")
            }
            if name != "." && name != ".." { names.append(name) }
        }
        // Bytewise order, independent of locale and of the file system's order.
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

func fileError(_ path: String) -> TorrentKitError {
    let code = errno
    return TorrentKitError(.io, "\(path): \(String(cString: strerror(code)))")
}

/// The path made absolute with its parent resolved but its own last
/// component kept as given, so a symlink to a directory names the torrent
/// after the link, as the user typed it.
private func absolutePath(_ path: String) throws -> String {
    let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    let last = lastComponent(trimmed)
    if last == "." || last == ".." || last == "/" {
        return try resolved(trimmed)
    }
    let parent = trimmed.contains("/") ? parentDirectory(trimmed) : "."
    let base = try resolved(parent)
    return (base == "/" ? "" : base) + "/" + last
}

private func resolved(_ path: String) throws -> String {
    guard let resolved = realpath(path, nil) else { throw fileError(path) }
    defer { free(resolved) }
    return String(cString: resolved)
}

private func lastComponent(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? "/"
}

private func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
}
