import Foundation
import TestSupport
import TorrentKit
import XCTest

/// A helper process (a tracker, a web server): its output goes nowhere, and
/// it is killed and reaped when the object goes, whatever the test did.
final class Helper {
    let pid: pid_t

    init(_ executable: String, _ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw XCTSkip("\(executable) is not installed (make deps installs it)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw TorrentKitError(.io, "cannot start \(executable): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    private var exitStatus: Int32?

    deinit {
        if exitStatus == nil { kill(pid, SIGKILL) }
        _ = wait()
    }

    /// Waits for the process to end; its exit code (or 128 + the signal).
    func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return exitStatus!
    }

    /// Runs a tool to its end; its exit status.
    static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        try Helper(executable, arguments).wait()
    }
}

/// Debian's opentracker on 127.0.0.1, serving the whitelisted info-hashes.
func startOpentracker(_ dir: TemporaryDirectory, hashes: [String]) throws -> (Helper, url: String) {
    let port = freePort()
    // The whitelist is read after opentracker chroots into -d, hence the relative -w.
    try dir.write("tracker/whitelist", bytes: Array(hashes.map { $0 + "\n" }.joined().utf8))
    let tracker = try Helper("/usr/bin/opentracker", ["-i", "127.0.0.1", "-p", "\(port)", "-P", "\(port)",
                                                      "-d", dir.path + "/tracker", "-w", "whitelist"])
    try waitFor("opentracker to listen") { canConnect(port: port) ? true : nil }
    return (tracker, "http://127.0.0.1:\(port)/announce")
}

/// A tmpfs mounted at `path` for the test's length; skips the test where
/// mounting is not allowed.
func mountTmpfs(_ test: XCTestCase, at path: String, options: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    guard getuid() == 0 else { throw XCTSkip("a tmpfs mount needs root") }
    guard try Helper.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]) == 0 else {
        throw XCTSkip("cannot mount a tmpfs here")
    }
    test.addTeardownBlock { _ = try? Helper.run("/bin/umount", ["-l", path]) }
}
