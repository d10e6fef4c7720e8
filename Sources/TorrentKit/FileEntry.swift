import CBTX

/// A file of a torrent. Padding files (BEP 47) never appear: `index` counts
/// real files only, the way every btx command numbers them.
public struct FileEntry: Sendable, Equatable {
    public let index: Int
    /// Relative to the save path, starting with the torrent's name for multi-file torrents.
    public let path: String
    public let size: Int64
    public let offset: Int64
    /// Verified bytes of this file.
    public let done: Int64
    /// 0 = skip, 1..7 = low..top (libtorrent's default is 4).
    public let priority: Int
    /// Its BitTorrent v2 merkle root, 64 hex digits: the same bytes have the
    /// same root in every torrent. nil for a v1-only torrent and an empty file.
    public let root: String?

    public var progress: Double { size == 0 ? 1 : Double(done) / Double(size) }

    public init(index: Int, path: String, size: Int64, offset: Int64 = 0, done: Int64 = 0, priority: Int = 4, root: String? = nil) {
        self.index = index
        self.path = path
        self.size = size
        self.offset = offset
        self.done = done
        self.priority = priority
        self.root = root
    }

    init(index: Int, _ f: btx_file) {
        self.index = index
        path = string(f.path)
        size = f.size
        offset = f.offset
        done = f.done
        priority = Int(f.priority)
        root = f.has_root != 0 ? withUnsafeBytes(of: f.root) { lowercaseHex($0) } : nil
    }
}

func fileEntries(_ files: UnsafeMutablePointer<btx_file>?, _ count: Int) -> [FileEntry] {
    defer { btx_files_free(files, count) }
    guard let files else { return [] }
    return (0..<count).map { FileEntry(index: $0, files[$0]) }
}
