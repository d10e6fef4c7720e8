import Glibc

/// The resume folder read a batch of names at a time: a daemon of 100,000
/// saved torrents answers while it reads them (a whole listing took 0.1 s,
/// twice over with the sweep of abandoned writes), and takes up each batch
/// as it comes. In the folder's own order, as libtorrent's queue had it.
public final class SavedHashListing {
    private var dir: OpaquePointer?
    private let folder: String
    /// Also deletes what killed writes left (see removeAbandonedWrites): one pass, not two.
    private let sweeping: Bool

    /// Nothing to list when the folder is not there yet; an error naming it when it cannot be read.
    public init(_ directory: StateDirectory, sweeping: Bool = false) throws {
        folder = directory.resumeDirectory
        self.sweeping = sweeping
        dir = opendir(folder)
        if dir == nil && errno != ENOENT { throw FileIO.error(folder) }
    }

    deinit { if let dir { closedir(dir) } }

    public var isDone: Bool { dir == nil }

    /// Up to `count` more saved hashes; fewer (maybe none) at the end.
    public func next(_ count: Int) -> [String] {
        guard let dir else { return [] }
        var hashes: [String] = []
        while hashes.count < count {
            guard let entry = readdir(dir) else {
                closedir(dir)
                self.dir = nil
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if sweeping && name.hasPrefix(".btx-") { unlink(folder + "/" + name) }
            guard name.hasSuffix(".resume") else { continue }
            let hash = String(name.dropLast(".resume".count))
            if hash.count == 40 || hash.count == 64, hash.allSatisfy(\.isHexDigit) { hashes.append(hash) }
        }
        return hashes
    }
}
