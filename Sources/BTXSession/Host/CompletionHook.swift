import Glibc

/// `--on-complete CMD`: run through /bin/sh once per torrent that finishes,
/// with its status document on stdin and BTX_INFO_HASH, BTX_NAME and
/// BTX_SAVE_PATH in its environment. Hooks run beside the session, never in
/// its way: pipes are non-blocking, exits are reaped as they come, and a
/// hook still running at its deadline is killed with its process group.
public final class CompletionHooks {
    typealias Result = HookResult

    private final class Running {
        let pid: pid_t
        let command: String
        let infoHash: String
        let name: String
        let started = monotonicSeconds()
        let deadline: Double
        var stdin: Int32
        var pendingInput: [UInt8]
        let stderr: Int32
        var errorOutput: [UInt8] = []
        var killed = false
        var reaped = false

        init(pid: pid_t, command: String, infoHash: String, name: String, deadline: Double,
             stdin: Int32, input: [UInt8], stderr: Int32) {
            self.pid = pid
            self.command = command
            self.infoHash = infoHash
            self.name = name
            self.deadline = deadline
            self.stdin = stdin
            pendingInput = input
            self.stderr = stderr
        }
    }

    /// Kept of a hook's stderr: its end, where the reason usually is.
    static let stderrLimit = 64 * 1024
    /// Long enough to move a download elsewhere; a hook is not a service.
    public static let defaultTimeout = 600.0
    let timeout: Double
    private var running: [Running] = []

    init(timeout: Double) {
        self.timeout = timeout
        // A hook that exits without reading its stdin must not end the session.
        signal(SIGPIPE, SIG_IGN)
    }

    var isEmpty: Bool { running.isEmpty }

    func start(_ command: String, document: JSON, infoHash: String, name: String, savePath: String) throws {
        // Only the hook's ends reach the hook (dup2 clears close-on-exec on them).
        guard let input = Syscall.pipe() else { throw FileIO.error("on-complete: pipe") }
        guard let errors = Syscall.pipe() else {
            close(input.read); close(input.write)
            throw FileIO.error("on-complete: pipe")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so that a timeout kills what it started too.
        // and SIGPIPE as a shell expects it: the session ignores it.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let environment = Environment.current().variables.filter { !$0.key.hasPrefix("BTX_") }
            .map { "\($0.key)=\($0.value)" }
            + ["BTX_INFO_HASH=\(infoHash)", "BTX_NAME=\(name)", "BTX_SAVE_PATH=\(savePath)"]
        let shell: [String] = ["/bin/sh", "-c", command]
        let argv = shell.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        close(input.read)
        close(errors.write)
        guard result == 0 else {
            close(input.write); close(errors.read)
            throw BTXError.failure("on-complete: cannot run /bin/sh: \(String(cString: strerror(result)))")
        }
        _ = fcntl(input.write, F_SETFL, O_NONBLOCK)
        _ = fcntl(errors.read, F_SETFL, O_NONBLOCK)
        let hook = Running(pid: pid, command: command, infoHash: infoHash, name: name,
                           deadline: monotonicSeconds() + timeout, stdin: input.write,
                           input: Array((document.text + "\n").utf8), stderr: errors.read)
        running.append(hook)
        feed(hook)
    }

    /// Feeds, drains and reaps what is ready; returns the hooks that ended.
    func poll() -> [Result] {
        var ended: [Result] = []
        for hook in running {
            feed(hook)
            drain(hook)
            if !hook.killed && monotonicSeconds() >= hook.deadline {
                kill(-hook.pid, SIGKILL)
                hook.killed = true
            }
            var status: Int32 = 0
            guard waitpid(hook.pid, &status, WNOHANG) == hook.pid else { continue }
            hook.reaped = true
            drain(hook)
            if hook.stdin >= 0 { close(hook.stdin) }
            close(hook.stderr)
            let exited = status & 0x7f == 0
            ended.append(Result(command: hook.command, infoHash: hook.infoHash, name: hook.name,
                                exitCode: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : status & 0x7f,
                                timedOut: hook.killed, stderr: String(decoding: hook.errorOutput, as: UTF8.self),
                                seconds: monotonicSeconds() - hook.started))
        }
        running.removeAll { $0.reaped }
        return ended
    }

    /// Waits for every hook up to its own deadline, or `grace` seconds
    /// when the session is being stopped; then kills what is left.
    func finish(grace: Double, reporting report: (Result) -> Void) {
        let cutoff = monotonicSeconds() + grace
        while !running.isEmpty {
            poll().forEach(report)
            if interruptRequested() || monotonicSeconds() >= cutoff {
                for hook in running where !hook.killed {
                    kill(-hook.pid, SIGKILL)
                    hook.killed = true
                }
            }
            if !running.isEmpty { usleep(10_000) }
        }
    }

    private func feed(_ hook: Running) {
        guard hook.stdin >= 0 else { return }
        while !hook.pendingInput.isEmpty {
            let n = hook.pendingInput.withUnsafeBytes { write(hook.stdin, $0.baseAddress, $0.count) }
            if n > 0 { hook.pendingInput.removeFirst(n); continue }
            // A hook that does not read its stdin is not an error.
            if n < 0 && errno == EAGAIN { return }
            break
        }
        close(hook.stdin)
        hook.stdin = -1
    }

    private func drain(_ hook: Running) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(hook.stderr, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            hook.errorOutput += chunk[0..<n]
            if hook.errorOutput.count > Self.stderrLimit {
                hook.errorOutput.removeFirst(hook.errorOutput.count - Self.stderrLimit)
            }
        }
    }
}

/// How a completion hook ended.
public struct HookResult {
    public let command: String
    public let infoHash: String
    public let name: String
    /// nil when a signal ended it (or it was killed at its deadline).
    public let exitCode: Int32?
    public let signal: Int32?
    public let timedOut: Bool
    /// Its last 64 KiB.
    public let stderr: String
    public let seconds: Double

    public var succeeded: Bool { exitCode == 0 }
}
