import BTXSession
import Glibc

/// What a client elsewhere may ask the daemon to add by name: a magnet link
/// or an info-hash, and (Transmission's `filename`, as transmission allows)
/// a .torrent already on the daemon's machine, but only a regular file of
/// at most `maxSize` bytes by its absolute path: never standard input, a
/// FIFO that blocks the listener, or /dev/zero that fills its memory.
func remoteAddSource(_ text: String, allowsPath: Bool, maxSize: Int) throws -> AddSource {
    let lowered = text.lowercased()
    let isHash = (lowered.count == 40 || lowered.count == 64) && lowered.allSatisfy(\.isHexDigit)
    if lowered.hasPrefix("magnet:") || isHash { return try AddSource.resolve(text) }
    guard allowsPath else {
        throw BTXError.usage("'\(text)': btx adds magnet links and info-hashes by name; send a .torrent as a file")
    }
    guard text.hasPrefix("/") else {
        throw BTXError.usage("'\(text)' is neither a magnet link, an info-hash nor an absolute path on the daemon's machine "
                             + "(btx fetches no URLs: send the .torrent as metainfo)")
    }
    let fd = open(text, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw FileIO.error(text) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw BTXError.failure("\(text) is not a regular file") }
    guard st.st_size <= maxSize else { throw BTXError.failure("\(text) is over \(maxSize) bytes: not a .torrent") }
    var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
    let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    guard n == bytes.count else { throw FileIO.error(text) }
    return try AddSource.resolveMetainfo(bytes, shown: text)
}
