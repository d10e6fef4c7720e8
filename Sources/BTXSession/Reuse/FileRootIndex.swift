import Glibc

/// The v2 merkle roots of the complete files btx holds: a torrent that
/// shares a file with one here gets a copy of it, checked, not downloaded.
/// One small file per root under STATE/roots, so recording a completion
/// rewrites a few hundred bytes, never the whole index.
///
/// It never lies: each copy is kept with its size and modification time
/// when it was indexed, and a copy whose size or time differ now is
/// forgotten rather than offered (the copy placed is then hash-checked by
/// libtorrent all the same).
public struct FileRootIndex {
    public struct Copy: Equatable {
        public let path: String
        public let size: Int64
        /// Nanoseconds since the epoch.
        public let modified: Int64
    }

    public let folder: String

    public init(_ directory: StateDirectory) {
        folder = directory.state + "/roots"
    }

    /// Notes the complete file at `path` as a copy of `root`, as it is now.
    public func record(root: String, path: String) throws {
        guard let copy = Self.copy(at: path) else { return }
        let known = copies(of: root)
        if known.contains(copy) { return }
        let others = known.filter { $0.path != path && Self.copy(at: $0.path) == $0 }
        try save(others + [copy], for: root)
    }

    /// Forgets `path` as a copy of `root` (its data is being deleted).
    public func forget(root: String, path: String) {
        let kept = copies(of: root).filter { $0.path != path }
        try? save(kept, for: root)
    }

    /// A copy of `root`, `size` bytes long, unchanged since it was indexed;
    /// changed ones are forgotten on the way.
    public func intactCopy(of root: String, size: Int64) -> String? {
        let known = copies(of: root)
        let intact = known.filter { Self.copy(at: $0.path) == $0 && $0.size == size }
        if intact.count != known.count { try? save(intact, for: root) }
        return intact.first?.path
    }

    /// Whether `path` is a copy of `root` as it was indexed.
    public func holds(_ root: String, at path: String) -> Bool {
        guard let copy = Self.copy(at: path) else { return false }
        return copies(of: root).contains(copy)
    }

    func copies(of root: String) -> [Copy] {
        guard Self.isRoot(root), let bytes = try? FileIO.readStateFile(path(root), limit: 1 << 20),
              let items = (try? JSON(parsing: bytes))?.arrayValue else { return [] }
        return items.compactMap { item in
            guard let path = item["path"]?.stringValue, let size = item["size"]?.intValue,
                  let modified = item["modified_ns"]?.intValue else { return nil }
            return Copy(path: path, size: size, modified: modified)
        }
    }

    private func save(_ copies: [Copy], for root: String) throws {
        guard Self.isRoot(root) else { return }
        if copies.isEmpty {
            unlink(path(root))
            return
        }
        try makeDirectories(folder, mode: 0o700)
        let items = copies.map { JSON.object([("path", .string($0.path)), ("size", .int($0.size)), ("modified_ns", .int($0.modified))]) }
        // Not fsync'd: 20,000 torrents completing at once wrote 20,000 of
        // these, and an entry a crash loses costs a download, not data.
        try FileIO.writeAtomically(Array(JSON.array(items).text.utf8), to: path(root), replace: true, mode: 0o600, durable: false)
    }

    private func path(_ root: String) -> String { folder + "/" + root }

    /// A root names a file in the index: 64 lowercase hex digits and nothing else.
    private static func isRoot(_ root: String) -> Bool {
        root.utf8.count == 64 && root.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func copy(at path: String) -> Copy? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Copy(path: path, size: Int64(st.st_size),
                    modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }
}
