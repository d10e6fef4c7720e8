import Glibc

/// The one-session-per-state-directory rule: an flock on `state/lock`,
/// released by the kernel however the process ends, so a killed session
/// never leaves a lock behind. The file holds the owner's pid for messages.
public final class StateLock {
    private var fd: Int32

    /// `patience`: seconds to wait for a holder to let go. Sessions wait a
    /// moment, since a client that found a dead session's socket holds the
    /// lock while it removes it (a daemon restarted after a crash, with a
    /// `btx status` polling, failed to start); probes do not wait.
    public init(directory: StateDirectory, patience: Double = 1) throws {
        try directory.prepare()
        let path = directory.state + "/lock"
        // Never through a symlink: the pid written here would truncate its
        // target, or create one, wherever it points. A FIFO would block.
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            if errno == ELOOP || errno == EISDIR || errno == ENXIO {
                throw BTXError.failure("\(path) is not a regular file; remove it (btx makes a new one)")
            }
            throw FileIO.error(path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw BTXError.failure("\(path) is not a regular file; remove it (btx makes a new one)")
        }
        let deadline = monotonicSeconds() + patience
        var locked = flock(fd, LOCK_EX | LOCK_NB) == 0
        while !locked && errno == EWOULDBLOCK && monotonicSeconds() < deadline {
            usleep(10_000)
            locked = flock(fd, LOCK_EX | LOCK_NB) == 0
        }
        guard locked else {
            var text = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &text, text.count, 0)
            let owner = n > 0 ? String(decoding: text[..<n], as: UTF8.self).split(separator: "\n").first
                .map(String.init).flatMap { Int32($0) } : nil
            close(fd)
            throw BTXError.failure("another btx session\(owner.map { " (pid \($0))" } ?? "") is using \(directory.state); "
                                   + "wait for it to finish or stop it first")
        }
        let pid = "\(getpid())\n"
        ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { release() }

    /// Lets the lock go now (also what deinit does).
    public func release() {
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        close(fd)
        fd = -1
    }
}
