import Foundation
import XCTest

/// A child process started with posix_spawn, its stdin, stdout and stderr
/// on pipes, and reaped with waitpid: Foundation's Process can miss the exit
/// of a child whose own child lives on (btx daemon's launcher), and a test
/// must never leave a process behind.
final class Child {
    let pid: pid_t
    let input: FileHandle
    let output: FileHandle
    let errors: FileHandle
    private(set) var exitStatus: Int32?
    let commandLine: String

    init(_ executable: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws {
        commandLine = ([executable] + arguments).joined(separator: " ")
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        // btx reads $XDG_CONFIG_HOME/btx/config even with --state-dir: the
        // developer's own config must not reach the tests (ConfigTests sets its own).
        env["XDG_CONFIG_HOME"] = "/nonexistent/btx-tests-config"
        env.merge(environment) { $1 }
        // coreutils' env changes directory for us (posix_spawn has no portable chdir).
        let argv = (cwd.map { ["/usr/bin/env", "-C", $0, executable] } ?? [executable]) + arguments
        let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.fileHandleForReading.fileDescriptor, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.fileHandleForWriting.fileDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.fileHandleForWriting.fileDescriptor, 2)
        for pipe in [stdinPipe, stdoutPipe, stderrPipe] {
            posix_spawn_file_actions_addclose(&actions, pipe.fileHandleForReading.fileDescriptor)
            posix_spawn_file_actions_addclose(&actions, pipe.fileHandleForWriting.fileDescriptor)
        }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        try stdinPipe.fileHandleForReading.close()
        try stdoutPipe.fileHandleForWriting.close()
        try stderrPipe.fileHandleForWriting.close()
        guard result == 0 else { throw TestFailure("cannot start \(argv[0]): \(String(cString: strerror(result)))") }
        self.pid = pid
        input = stdinPipe.fileHandleForWriting
        output = stdoutPipe.fileHandleForReading
        errors = stderrPipe.fileHandleForReading
    }

    deinit {
        if exitStatus == nil {
            Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    var isRunning: Bool { poll() == nil }

    func signal(_ number: Int32) { if exitStatus == nil { Glibc.kill(pid, number) } }

    /// The exit code, or the signal number for a child killed by one (as
    /// Foundation reports it); nil while it runs.
    @discardableResult
    func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : signal
        return exitStatus
    }

    /// Waits for the exit; kills the child and throws after `timeout`.
    func wait(timeout: TimeInterval) throws -> Int32 {
        let deadline = Date() + timeout
        while true {
            if let status = poll() { return status }
            if Date() > deadline {
                Glibc.kill(pid, SIGKILL)
                while poll() == nil { usleep(1000) }
                throw TestFailure("\(commandLine) did not exit within \(timeout)s")
            }
            usleep(5000)
        }
    }
}
