import CBTX

public struct FileEntry: Sendable, Equatable {
    public let index: Int
    /// Relative to the save path, starting with the torrent's name for multi-file torrents.
    public let path: String
    public let size: Int64
    public let offset: Int64
    public let downloaded: Int64
    /// 0 = skip, 1..7 = low..top (libtorrent's default is 4).
    public let priority: Int
    /// BEP 47 padding that aligns the next file to a piece; not written to disk.
    public let isPadding: Bool

    public var progress: Double { size == 0 ? 1 : Double(downloaded) / Double(size) }

    init(index: Int, _ f: btx_file) {
        self.index = index
        path = string(f.path)
        size = f.size
        offset = f.offset
        downloaded = f.downloaded
        priority = Int(f.priority)
        isPadding = f.is_pad != 0
    }
}

func fileEntries(_ files: UnsafeMutablePointer<btx_file>?, _ count: Int) -> [FileEntry] {
    defer { btx_files_free(files, count) }
    guard let files else { return [] }
    return (0..<count).map { FileEntry(index: $0, files[$0]) }
}
