/// btx's documented exit codes.
public enum ExitCode: Int32 {
    case success = 0
    case failure = 1
    case usage = 2
    case notFound = 3
    case noSession = 4
    case interrupted = 130
    /// Stopped because the reader of stdout went away (128 + SIGPIPE's 13).
    case readerGone = 141
    /// Stopped by SIGTERM (128 + 15), as shells report it.
    case terminated = 143
}

/// A failure the CLI reports as `btx: <message>` and turns into an exit code.
public struct BTXError: Error, CustomStringConvertible {
    public let exitCode: ExitCode
    public let message: String
    /// Usage errors also point at the command's help.
    public var hint: String?
    /// The --json stream already carries it (error events, then exit):
    /// only the stderr line is left to print.
    public var reported = false

    public init(exitCode: ExitCode, message: String, hint: String? = nil, reported: Bool = false) {
        self.exitCode = exitCode
        self.message = message
        self.hint = hint
        self.reported = reported
    }

    public static func usage(_ message: String, command: String? = nil) -> BTXError {
        BTXError(exitCode: .usage, message: message,
                 hint: "see 'btx help\(command.map { " " + $0 } ?? "")'")
    }

    public var description: String { message }

    public static func failure(_ message: String) -> BTXError { BTXError(exitCode: .failure, message: message) }
    public static func notFound(_ message: String) -> BTXError { BTXError(exitCode: .notFound, message: message) }

    /// JSON's error code: a stable word for scripts.
    public var code: String {
        switch exitCode {
        case .success: "ok"
        case .failure: "failed"
        case .usage: "usage"
        case .notFound: "not_found"
        case .noSession: "no_session"
        case .interrupted, .terminated, .readerGone: "interrupted"
        }
    }
}
