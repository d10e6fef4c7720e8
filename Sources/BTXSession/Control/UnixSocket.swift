import Glibc

/// The few Unix-domain socket calls the control channel needs.
public enum UnixSocket {
    /// sun_path's size: longer paths cannot be bound or connected.
    public static let maxPath = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    private static func address(_ path: String) throws -> sockaddr_un {
        guard path.utf8.count <= maxPath else {
            throw BTXError.failure("control socket path is too long (\(path.utf8.count) > \(maxPath) bytes): \(path)")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        return address
    }

    private static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws -> R {
        var address = try address(path)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// A non-blocking listening socket at `path`, mode 0600.
    public static func listen(at path: String) throws -> Int32 {
        var address = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw FileIO.error(path) }
        // Only the owner may connect; the directory is 0700 as well.
        let mask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(mask)
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            // The caller removed any stale socket first: what is left there is not one.
            var st = stat()
            if code == EADDRINUSE, lstat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFSOCK {
                throw BTXError.failure("\(path) is in the way of the control socket (it is not a socket); remove it")
            }
            errno = code
            throw FileIO.error(path)
        }
        return fd
    }

    /// A connected socket, or nil when nothing listens at `path` (no file,
    /// or a stale one left by a killed process).
    public static func connect(to path: String) throws -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FileIO.error(path) }
        let result = try withAddress(path) { Glibc.connect(fd, $0, $1) }
        if result == 0 { return fd }
        let code = errno
        close(fd)
        if code == ENOENT || code == ECONNREFUSED { return nil }
        errno = code
        throw FileIO.error(path)
    }

    /// The uid of the process at the other end.
    public static func peerUID(_ fd: Int32) -> uid_t? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, which Glibc's
        // module only exports under _GNU_SOURCE.
        var credentials: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 ? credentials.1 : nil
    }
}
