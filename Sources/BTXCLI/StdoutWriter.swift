import BTXSession
import Glibc

/// stdout for a command that must stay stoppable. A reader that stopped
/// reading (a full pipe) held btx in write(2), deaf to SIGINT and SIGTERM
/// with its resume data unsaved; one that went away killed it with SIGPIPE.
/// Here a write waits for room a slice at a time and gives up once a stop
/// is asked for (the rest of the output is dropped; the session still
/// saves), and a reader gone (EPIPE, where SIGPIPE is ignored) asks for
/// that stop itself.
enum StdoutWriter {
    /// Nothing more is written: the reader is gone, or stopped reading and
    /// a stop was asked for.
    private static var abandoned = false
    /// The pipe was grown for output of megabytes.
    private static var grown = false

    static func write(_ bytes: UnsafeRawBufferPointer) {
        // Lines printed through stdio come first, in order.
        fflush(stdout)
        guard var next = bytes.baseAddress, !abandoned else { return }
        let end = next + bytes.count
        let pipe = isPipe
        // A listing of 100,000 (85 MB) went through the default 64 KiB
        // pipe in 1,300 writes, each a wakeup of the reader: 1 MiB, the
        // most a user may ask for, takes a sixteenth of them.
        if pipe && !grown && bytes.count >= 1 << 16 {
            Syscall.growPipe(STDOUT_FILENO, to: 1 << 20)
            grown = true
        }
        while next < end {
            if pipe && !waitForRoom() { return }
            // POLLOUT on a pipe promises room for PIPE_BUF bytes; as much as the
            // pipe has free is written at once (4 KiB writes made a status of
            // 100,000 take 21,000 writes and as many wakeups of its reader).
            let room = pipe ? max(Int(PIPE_BUF), Syscall.pipeRoom(STDOUT_FILENO) ?? 0) : end - next
            let n = Syscall.retrying { Glibc.write(STDOUT_FILENO, next, min(end - next, room)) }
            if n < 0 {
                if errno == EAGAIN { continue }
                abandoned = true
                if errno == EPIPE { requestStopForClosedOutput() }
                return
            }
            next += n
        }
    }

    private static let isPipe: Bool = {
        var info = stat()
        guard fstat(STDOUT_FILENO, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFSOCK
    }()

    /// Polls in slices so that a stop asked for meanwhile is seen.
    private static func waitForRoom() -> Bool {
        while true {
            var descriptor = pollfd(fd: STDOUT_FILENO, events: Int16(POLLOUT), revents: 0)
            if poll(&descriptor, 1, 100) > 0 { return true }
            if interruptRequested() {
                abandoned = true
                return false
            }
        }
    }
}
