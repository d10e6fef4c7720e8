import CSyscall
import Glibc

/// The system calls btx repeats until done, written once: a call a signal
/// interrupted is made again (btx's handlers only set a flag), a short write
/// goes on from where it stopped, and a new descriptor is closed on exec
/// from the start, with no window in which libtorrent's threads or a hook
/// could inherit it.
public enum Syscall {
    /// `call`'s result, made again while it fails with EINTR.
    @inline(__always)
    public static func retrying<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// Grows the pipe `fd` to `size` bytes, as far as the system allows.
    public static func growPipe(_ fd: Int32, to size: Int) { _ = btx_grow_pipe(fd, Int32(size)) }

    /// Bytes a write to the pipe `fd` takes now without waiting; nil when it is no pipe.
    public static func pipeRoom(_ fd: Int32) -> Int? {
        let room = btx_pipe_room(fd)
        return room < 0 ? nil : room
    }

    /// Writes every byte to a file or pipe; the errno it failed with, or nil.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        transferAll(bytes) { Glibc.write(fd, $0, $1) }
    }

    /// Sends every byte on a socket, with no SIGPIPE when the other end is
    /// gone; the errno it failed with, or nil.
    public static func sendAll(_ socket: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        transferAll(bytes) { Glibc.send(socket, $0, $1, Int32(MSG_NOSIGNAL)) }
    }

    private static func transferAll(_ bytes: UnsafeRawBufferPointer, _ call: (UnsafeRawPointer, Int) -> Int) -> Int32? {
        guard var next = bytes.baseAddress else { return nil }
        let end = next + bytes.count
        while next < end {
            let n = retrying { call(next, end - next) }
            // 0 from a socket or pipe whose reader is gone: as EPIPE.
            guard n > 0 else {
                if n == 0 { errno = EPIPE }
                return errno
            }
            next += n
        }
        return nil
    }

    /// The next connection on a listening socket, closed on exec; -1 with errno set.
    public static func accept(_ listener: Int32, nonblocking: Bool) -> Int32 {
        retrying { btx_accept_cloexec(listener, nonblocking ? 1 : 0) }
    }

    /// A pipe whose ends are closed on exec: (read, write); nil with errno set.
    public static func pipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [0, 0]
        guard btx_pipe_cloexec(&ends) == 0 else { return nil }
        return (ends[0], ends[1])
    }
}
