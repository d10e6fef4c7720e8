import BTXSession
import Glibc

/// serve --print-url: `mpv "$(btx serve X --print-url)"` waits until btx
/// exits and its stdout closes, so the server must go on in another
/// process. This one forks: the child (in a session of its own, out of the
/// shell's job control) runs the server and prints the URL into a pipe once
/// it listens; the parent passes that on and exits 0, or, when the child
/// failed before (it said why on the shared stderr), exits with its code.
func continueInBackground() throws {
    guard let (readEnd, writeEnd) = Syscall.pipe() else {
        throw BTXError.failure("cannot make a pipe: \(String(cString: strerror(errno)))")
    }
    fflush(stdout)
    let pid = fork()
    guard pid >= 0 else { throw BTXError.failure("cannot start the server: \(String(cString: strerror(errno)))") }
    if pid == 0 {
        close(readEnd)
        setsid()
        dup2(writeEnd, STDOUT_FILENO)
        close(writeEnd)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if null >= 0 { dup2(null, STDIN_FILENO); close(null) }
        return
    }
    close(writeEnd)
    var printed: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = Syscall.retrying { chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) } }
        guard n > 0 else { break }
        printed += chunk[..<n]
    }
    if !printed.isEmpty {
        _ = printed.withUnsafeBytes { Syscall.writeAll(STDOUT_FILENO, $0) }
        exit(0)
    }
    var status: Int32 = 0
    _ = Syscall.retrying { waitpid(pid, &status, 0) }
    let signalled = status & 0x7f
    exit(signalled != 0 ? 128 + signalled : (status >> 8) & 0xff)
}

/// The child, once the URL is out: the caller's stdout (the pipe) closes
/// so its $(...) ends, and the terminal is let go.
func detachFromCaller() {
    let null = open("/dev/null", O_RDWR | O_CLOEXEC)
    guard null >= 0 else { return }
    dup2(null, STDOUT_FILENO)
    dup2(null, STDERR_FILENO)
    close(null)
}
