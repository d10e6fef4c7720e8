import Glibc

public enum FileIO {
    /// Reads a whole file ("-" = stdin); errors name the path.
    public static func read(_ path: String, limit: Int = .max) throws -> [UInt8] {
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(path) }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw BTXError.failure("\(path) is a directory, not a file")
        }
        return try readAll(fd, st, path: path, limit: limit)
    }

    private static func readAll(_ fd: Int32, _ st: stat, path: String, limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        if (st.st_mode & S_IFMT) == S_IFREG { bytes.reserveCapacity(Int(st.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = Syscall.retrying { chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            if n < 0 { throw error(path) }
            if n == 0 { break }
            bytes += chunk[0..<min(n, limit - bytes.count)]
            if bytes.count >= limit { break }
        }
        return bytes
    }

    /// A file btx keeps for itself (resume data, config, key, routing
    /// table): nil when there is none, its bytes when it is a regular file
    /// of at most `limit` bytes, else an error naming it. Someone else's
    /// FIFO, device or directory in its place is never read: that could
    /// block forever or read without end.
    public static func readStateFile(_ path: String, limit: Int = .max) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        if fd < 0 && errno == ENOENT { return nil }
        guard fd >= 0 else { throw error(path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw error(path) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw BTXError.failure("\(path) is a directory, not a file")
        default: throw BTXError.failure("\(path) is not a regular file")
        }
        if Int(st.st_size) > limit { throw BTXError.failure("\(path) is too large (\(st.st_size) bytes)") }
        return try readAll(fd, st, path: path, limit: limit)
    }

    /// A file's permission bits; nil when it cannot be read.
    public static func mode(_ path: String) -> mode_t? {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
    }

    /// The path with symlinks followed; the path itself when that fails.
    public static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Writes `bytes` so that `path` either keeps its old content or has all
    /// of the new: a temporary file in the same directory, fsync, then a
    /// rename (or a link, which fails instead of replacing, when `replace` is false).
    /// `durable`: fsync'd before and after the rename; without, a crash may
    /// leave the old file or an empty one, never a torn one.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, replace: Bool, mode: mode_t = 0o644,
                                       durable: Bool = true) throws {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        // mkstemp fails on the folder, but the user named the file: blame that.
        guard let (fd, temporary) = temporaryFile(in: directory.isEmpty ? "/" : directory) else { throw error(path, "write") }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            if bytes.withUnsafeBytes({ Syscall.writeAll(fd, $0) }) != nil { throw error(path, "write") }
            fchmod(fd, mode & ~currentUmask())
            guard !durable || fsync(fd) == 0 else { throw error(path, "write") }
        }
        if replace {
            guard rename(temporary, path) == 0 else { throw error(path, "write") }
        } else {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST { throw BTXError.failure("\(path) already exists (use --force to replace it)") }
                throw error(path, "write")
            }
            unlink(temporary)
        }
        committed = true
        if durable { syncFolder(directory.isEmpty ? "/" : directory) }
    }

    /// A new file in `directory` for writeAtomically's kind (".btx-" and six
    /// random characters), open for writing; nil with errno set.
    static func temporaryFile(in directory: String) -> (fd: Int32, path: String)? {
        var template = Array(directory.utf8CString.dropLast()) + Array("/.btx-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        return fd >= 0 ? (fd, String(cString: template)) : nil
    }

    /// Makes the renames into `directory` survive a crash of the machine.
    static func syncFolder(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// The current errno as an error naming `path`, and what was being done
    /// to it when that says more than the path alone ("cannot write PATH").
    public static func error(_ path: String, _ action: String? = nil) -> BTXError {
        let code = errno
        let message = (action.map { "cannot \($0) \(path)" } ?? path) + ": \(String(cString: strerror(code)))"
        return code == ENOENT ? .notFound(message) : .failure(message)
    }

    static func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}

/// `path` under `directory`, with one slash between them.
public func joinPath(_ directory: String, _ path: String) -> String {
    directory.hasSuffix("/") ? directory + path : directory + "/" + path
}
