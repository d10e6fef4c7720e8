import Foundation
import XCTest

/// A child that keeps running while the test talks to it: its stdout is read
/// line by line (btx's --json events), and it is killed and reaped when the
/// object goes away, whatever the test did.
final class RunningProcess {
    let process = Process()
    private let condition = NSCondition()
    private var lines: [String] = []
    private var partial = Data()
    private var closed = false
    private let errors = Pipe()
    private let name: String

    init(_ executable: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws {
        name = ([executable] + arguments).joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = out.fileHandleForReading
        Thread.detachNewThread { [condition] in
            while true {
                let chunk = reader.availableData
                condition.lock()
                if chunk.isEmpty {
                    self.closed = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                self.partial.append(chunk)
                while let newline = self.partial.firstIndex(of: 0x0A) {
                    self.lines.append(String(decoding: self.partial[self.partial.startIndex..<newline], as: UTF8.self))
                    self.partial = Data(self.partial[(newline + 1)...])
                }
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    var pid: Int32 { process.processIdentifier }

    /// Every stdout line so far.
    var output: [String] {
        condition.lock()
        defer { condition.unlock() }
        return lines
    }

    /// Waits for the first stdout line (from the start) that satisfies `match`.
    @discardableResult
    func waitForLine(timeout: TimeInterval = 60, _ what: String, where match: (String) -> Bool) throws -> String {
        let deadline = Date() + timeout
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let line = lines.first(where: match) { return line }
            if closed { throw TestFailure("\(name) ended before \(what); stderr: \(stderrText())") }
            if !condition.wait(until: deadline) { throw TestFailure("no \(what) from \(name) within \(timeout)s") }
        }
    }

    /// Waits for a btx --json event of `type` whose data satisfies `match`.
    @discardableResult
    func waitForEvent(_ type: String, timeout: TimeInterval = 60,
                      where match: @escaping ([String: Any]) -> Bool = { _ in true }) throws -> [String: Any] {
        let line = try waitForLine(timeout: timeout, "a '\(type)' event") { line in
            guard let event = parseEvent(line), event.type == type else { return false }
            return match(event.data)
        }
        return parseEvent(line)!.data
    }

    var events: [(type: String, data: [String: Any])] { output.compactMap(parseEvent) }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and returns its status.
    func wait(timeout: TimeInterval = 60) throws -> Int32 {
        let deadline = Date() + timeout
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw TestFailure("\(name) did not exit within \(timeout)s")
            }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    func stderrText() -> String {
        guard !process.isRunning else { return "(still running)" }
        return String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}

func parseEvent(_ line: String) -> (type: String, data: [String: Any])? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let type = object["type"] as? String, let data = object["data"] as? [String: Any] else { return nil }
    return (type, data)
}

/// Polls `condition` until it holds or the deadline passes.
func waitUntil(_ what: String, timeout: TimeInterval = 30, _ condition: () throws -> Bool) throws {
    let deadline = Date() + timeout
    while try !condition() {
        if Date() > deadline { throw TestFailure("timed out waiting for \(what)") }
        usleep(20_000)
    }
}

/// A TCP port nothing listens on right now (the kernel's pick).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            _ = bind(fd, pointer, length)
            return getsockname(fd, pointer, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
