import Foundation
import XCTest

/// The one place that spawns processes for the end-to-end tests: a
/// deadline, captured output, and a reaped child even when a test fails.
struct ProcessResult {
    let status: Int32
    let stdout: Data
    let stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: stdout) as? [String: Any] else {
            throw TestFailure("stdout is not a JSON object: \(text)")
        }
        return object
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The btx binary SwiftPM built next to this test bundle.
let btxPath: String = {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundle, bundle.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("btx").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return Bundle.main.bundleURL.appendingPathComponent("btx").path
}()

@discardableResult
func spawn(_ executable: String, _ arguments: [String], cwd: String? = nil, stdin: Data? = nil,
         environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> ProcessResult {
    let child = try Child(executable, arguments, cwd: cwd, environment: environment)
    // Read both pipes concurrently so a chatty child never blocks on a full pipe.
    final class Sink: @unchecked Sendable { var data = Data() }
    let outSink = Sink(), errSink = Sink()
    let group = DispatchGroup()
    for (sink, handle) in [(outSink, child.output), (errSink, child.errors)] {
        group.enter()
        DispatchQueue.global().async { sink.data = handle.readDataToEndOfFile(); group.leave() }
    }
    if let stdin { try? child.input.write(contentsOf: stdin) }
    try? child.input.close()
    let status = try child.wait(timeout: timeout)
    // A grandchild that kept the pipes open (a daemon) must not hold us up.
    _ = group.wait(timeout: .now() + 5)
    let result = ProcessResult(status: status, stdout: outSink.data, stderr: String(decoding: errSink.data, as: UTF8.self))
    if executable == btxPath { SchemaValidator.shared.check(arguments: arguments, stdout: result.text) }
    return result
}

func btx(_ arguments: String..., cwd: String? = nil, stdin: Data? = nil) throws -> ProcessResult {
    try spawn(btxPath, arguments, cwd: cwd, stdin: stdin)
}

/// Debian's python3 (the one that sees python3-libtorrent), not the PATH one.
func python(_ script: String, _ arguments: [String]) throws -> ProcessResult {
    try spawn("/usr/bin/python3", ["-c", script] + arguments)
}

final class Scratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "btx-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        _ = try? spawn("/bin/chmod", ["-R", "u+rwx", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    @discardableResult
    func write(_ relative: String, _ data: Data) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
        return full
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + relative) }

    func contents(_ relative: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path + "/" + relative)) }

    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}

func randomData(_ count: Int) -> Data {
    // The kernel's generator: a per-byte Swift loop takes seconds per MiB in debug builds.
    let handle = FileHandle(forReadingAtPath: "/dev/urandom")!
    defer { try? handle.close() }
    var data = Data()
    while data.count < count { data.append(handle.readData(ofLength: count - data.count)) }
    return data
}

/// btx with stdout on a terminal `columns` wide (util-linux's script makes
/// the pty), as a person sees it: tables with headers, fitted to the width.
func btxOnTerminal(_ arguments: [String], columns: Int = 200) throws -> ProcessResult {
    let quoted = ([btxPath] + arguments + ["--color", "never"]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let result = try spawn("/usr/bin/script", ["-qec", quoted.joined(separator: " "), "/dev/null"], environment: ["COLUMNS": String(columns)])
    // The pty turns each newline into CR LF.
    return ProcessResult(status: result.status, stdout: Data(result.text.replacingOccurrences(of: "\r\n", with: "\n").utf8),
                         stderr: result.stderr)
}
