import CSyscall
import Glibc

/// Puts a copy of a file where a torrent expects one, by `ReuseMode`. The
/// copy is made under a temporary name, then linked into place, which
/// fails if a file appeared meanwhile (libtorrent may have started writing
/// it), or renamed over what is there when `replacing`.
public enum FilePlacement {
    public enum Made: String { case reflink, link, copy }

    /// Thrown when the file would have to be copied byte by byte and is
    /// larger than `copyingAtMost`: nothing was placed.
    public struct CopyTooLarge: Error {}

    /// Places `source` at `target`; nil when a file is there already and not
    /// `replacing`. `cancelled` is asked between chunks of a copy; true ends
    /// it with an error.
    public static func place(_ source: String, at target: String, mode: ReuseMode, replacing: Bool = false,
                             copyingAtMost limit: Int64 = .max, cancelled: () -> Bool = { false }) throws -> Made? {
        guard mode != .off, replacing || !FileIO.exists(target) else { return nil }
        let folder = target.contains("/") ? String(target[..<target.lastIndex(of: "/")!]) : "."
        try makeDirectories(folder.isEmpty ? "/" : folder, mode: 0o755)
        let temporary = folder + "/.btx-reuse-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(temporary) }
        let made = try makeCopy(of: source, at: temporary, mode: mode, limit: limit, cancelled: cancelled)
        if replacing {
            guard rename(temporary, target) == 0 else { throw FileIO.error(target, "place a copy at") }
            return made
        }
        guard link(temporary, target) == 0 else {
            if errno == EEXIST { return nil }
            throw FileIO.error(target, "place a copy at")
        }
        return made
    }

    /// A regular file of one name only: not a symlink, not hard-linked elsewhere.
    public static func isLoneFile(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && st.st_nlink == 1
    }

    /// One file under two names (or one name twice): nothing to place.
    public static func isSameFile(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    private static func makeCopy(of source: String, at temporary: String, mode: ReuseMode, limit: Int64,
                                 cancelled: () -> Bool) throws -> Made {
        // A hard link is only to another filesystem's refusal away from a copy.
        if mode == .link, link(source, temporary) == 0 { return .link }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileIO.error(source, "read") }
        defer { close(input) }
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw FileIO.error(temporary, "write") }
        defer { close(output) }
        if mode == .reflink, btx_clone_file(input, output) == 0 { return .reflink }
        var st = stat()
        if fstat(input, &st) == 0, Int64(st.st_size) > limit { throw CopyTooLarge() }
        try copyAll(from: input, to: output, source: source, target: temporary, cancelled: cancelled)
        return .copy
    }

    private static func copyAll(from input: Int32, to output: Int32, source: String, target: String, cancelled: () -> Bool) throws {
        let stopped = BTXError.failure("the copy to \(target) was stopped")
        // copy_file_range stays in the kernel (and clones on filesystems that can).
        while true {
            if cancelled() { throw stopped }
            let n = Syscall.retrying { btx_copy_file_range(input, output, 64 << 20) }
            if n == 0 { return }
            if n > 0 { continue }
            guard errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP else {
                throw FileIO.error(target, "write")
            }
            break
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            if cancelled() { throw stopped }
            let n = Syscall.retrying { buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) } }
            if n < 0 { throw FileIO.error(source, "read") }
            if n == 0 { return }
            if buffer.withUnsafeBytes({ Syscall.writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) != nil {
                throw FileIO.error(target, "write")
            }
        }
    }
}
