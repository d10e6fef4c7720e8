import Foundation

/// Polls `probe` until it returns a value or the deadline passes: every
/// test waits this way, never by a fixed sleep.
@discardableResult
public func waitFor<T>(_ what: String, timeout: Double = 30, _ probe: () throws -> T?) throws -> T {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if let value = try probe() { return value }
        guard Date() < deadline else { throw TimeoutError(what: what) }
        usleep(20_000)
    }
}

/// Polls `condition` until it holds or the deadline passes.
public func waitUntil(_ what: String, timeout: Double = 30, _ condition: () throws -> Bool) throws {
    _ = try waitFor(what, timeout: timeout) { try condition() ? true : nil }
}

public struct TimeoutError: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "timed out waiting for \(what)" }
}
