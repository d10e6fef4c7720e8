/// btx's documented exit codes.
public enum ExitCode: Int32 {
    case success = 0
    case failure = 1
    case usage = 2
    case notFound = 3
    case noSession = 4
    case interrupted = 130
    /// Stopped by SIGTERM (128 + 15), as shells report it.
    case terminated = 143
}

/// A failure the CLI reports as `btx: <message>` and turns into an exit code.
struct CLIError: Error, CustomStringConvertible {
    let exitCode: ExitCode
    let message: String
    /// Usage errors also point at the command's help.
    var hint: String?
    /// The --json stream already carries it (error events, then exit):
    /// only the stderr line is left to print.
    var reported = false

    static func usage(_ message: String, command: String? = nil) -> CLIError {
        CLIError(exitCode: .usage, message: message,
                 hint: "see 'btx help\(command.map { " " + $0 } ?? "")'")
    }

    var description: String { message }

    static func failure(_ message: String) -> CLIError { CLIError(exitCode: .failure, message: message) }
    static func notFound(_ message: String) -> CLIError { CLIError(exitCode: .notFound, message: message) }

    /// JSON's error code: a stable word for scripts.
    var code: String {
        switch exitCode {
        case .success: "ok"
        case .failure: "failed"
        case .usage: "usage"
        case .notFound: "not_found"
        case .noSession: "no_session"
        case .interrupted, .terminated: "interrupted"
        }
    }
}
