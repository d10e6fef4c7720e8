import Foundation
import XCTest
import TestSupport

/// A child that keeps running while the test talks to it: its stdout is read
/// line by line (btx's --json events), and it is killed and reaped when the
/// object goes away, whatever the test did.
final class RunningProcess {
    private let child: Child
    private let lines = LineCollector()
    /// btx's arguments, for the JSON schemas its output is held to.
    private let btxArguments: [String]?

    init(_ executable: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws {
        child = try Child(executable, arguments, cwd: cwd, environment: environment)
        btxArguments = executable == btxPath ? arguments : nil
        try? child.input.close()
        // The reader holds the collector, not this object, so deinit still
        // runs (and kills the child) when the test lets go of it.
        let reader = child.output, collector = lines
        Thread.detachNewThread {
            while true {
                let chunk = reader.availableData
                collector.append(chunk)
                if chunk.isEmpty { return }
            }
        }
    }

    deinit {
        if let btxArguments {
            SchemaValidator.shared.check(arguments: btxArguments, stdout: lines.snapshot.map { $0 + "\n" }.joined())
        }
    }

    var pid: Int32 { child.pid }

    /// Every stdout line so far.
    var output: [String] { lines.snapshot }

    /// Waits for the first stdout line (from the start) that satisfies `match`.
    @discardableResult
    func waitForLine(timeout: TimeInterval = 60, _ what: String, where match: (String) -> Bool) throws -> String {
        let deadline = Date() + timeout
        while true {
            let (current, closed) = lines.wait(until: deadline)
            if let line = current.first(where: match) { return line }
            if closed { throw TestFailure("\(child.commandLine) ended before \(what); stderr: \(stderrText())") }
            if Date() > deadline { throw TestFailure("no \(what) from \(child.commandLine) within \(timeout)s") }
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

    func signal(_ number: Int32) { child.signal(number) }

    /// Waits for the process to exit and returns its status.
    func wait(timeout: TimeInterval = 60) throws -> Int32 { try child.wait(timeout: timeout) }

    func stderrText() -> String {
        guard !child.isRunning else { return "(still running)" }
        return String(decoding: child.errors.readDataToEndOfFile(), as: UTF8.self)
    }
}

/// Lines arriving from a reader thread.
private final class LineCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var partial = Data()
    private var closed = false

    func append(_ chunk: Data) {
        condition.lock()
        defer { condition.broadcast(); condition.unlock() }
        if chunk.isEmpty { closed = true; return }
        partial.append(chunk)
        while let newline = partial.firstIndex(of: 0x0A) {
            lines.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
            partial = Data(partial[(newline + 1)...])
        }
    }

    var snapshot: [String] {
        condition.lock()
        defer { condition.unlock() }
        return lines
    }

    /// The lines and whether the stream ended, after new input or the deadline.
    func wait(until deadline: Date) -> ([String], Bool) {
        condition.lock()
        defer { condition.unlock() }
        let count = lines.count
        if !closed && lines.count == count { _ = condition.wait(until: min(deadline, Date() + 0.2)) }
        return (lines, closed)
    }
}

func parseEvent(_ line: String) -> (type: String, data: [String: Any])? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let type = object["type"] as? String, let data = object["data"] as? [String: Any] else { return nil }
    return (type, data)
}
