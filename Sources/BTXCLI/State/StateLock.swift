import Glibc

/// The one-session-per-state-directory rule: an flock on `state/lock`,
/// released by the kernel however the process ends, so a killed session
/// never leaves a lock behind. The file holds the owner's pid for messages.
final class StateLock {
    private let fd: Int32

    init(directory: StateDirectory) throws {
        try directory.prepare()
        let path = directory.state + "/lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileIO.error(path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? FileIO.read(path)).map { String(decoding: $0, as: UTF8.self) }?
                .split(separator: "\n").first.map(String.init)
            close(fd)
            throw CLIError.failure("another btx session\(owner.map { " (pid \($0))" } ?? "") is using \(directory.state); "
                                   + "wait for it to finish or stop it first")
        }
        let pid = "\(getpid())\n"
        ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(fd, 0)
        close(fd)
    }
}
