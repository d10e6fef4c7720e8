import BTXSession
import Glibc
import TorrentKit

public let btxVersion = "0.1.0"
/// The man page's date: the release's, fixed here so generated docs stay the same from day to day.
let btxReleaseDate = "2026-11-29"

/// Runs btx with `arguments` (argv without the program name) and returns the exit code.
public func runCLI(_ arguments: [String]) -> Int32 {
    let environment = Environment.current()
    // Until the command line parses, a guess: the flag before any "--"; once
    // it does, what it says (a --comment --json gives a comment, not JSON).
    var json = arguments.prefix { $0 != "--" }.contains("--json")
    let color = ColorChoice.given(in: arguments).colors(STDERR_FILENO, environment: environment)
    var streaming = false
    do {
        try dispatch(arguments, environment: environment, streaming: &streaming, json: &json)
        fflush(stdout)
        return ExitCode.success.rawValue
    } catch let error as BTXError {
        fflush(stdout)
        report(error, json: json, streaming: streaming, color: color)
        return error.exitCode.rawValue
    } catch let error as TorrentKitError {
        fflush(stdout)
        let cli = BTXError(exitCode: error.code == .cancelled ? .interrupted : .failure, message: error.message)
        report(cli, json: json, streaming: streaming, color: color)
        return cli.exitCode.rawValue
    } catch {
        fflush(stdout)
        report(.failure("\(error)"), json: json, streaming: streaming, color: color)
        return ExitCode.failure.rawValue
    }
}

private func dispatch(_ arguments: [String], environment: Environment, streaming: inout Bool, json: inout Bool) throws {
    // Global options may come before the command name.
    var index = 0
    while index < arguments.count, arguments[index].hasPrefix("-") {
        switch arguments[index] {
        case "--version": return try versionCommand.run(Invocation.parse([], command: versionCommand, environment: environment))
        case "-h", "--help": return try helpCommand.run(Invocation.parse([], command: helpCommand, environment: environment))
        case "--json", "-q", "--quiet": index += 1
        case "--state-dir", "--color", "--remote": index += 2
        default:
            if ["--state-dir=", "--color=", "--remote="].contains(where: arguments[index].hasPrefix) { index += 1; continue }
            throw BTXError.usage("unknown option \(arguments[index]); options go after the command name")
        }
    }
    guard index < arguments.count else {
        try helpCommand.run(Invocation.parse([], command: helpCommand, environment: environment))
        throw BTXError(exitCode: .usage, message: "no command given")
    }
    let name = arguments[index]
    if name == "_generate-docs", index + 1 < arguments.count {
        return try writeDocs(to: arguments[index + 1])
    }
    guard let command = command(named: name) ?? hiddenCommands.first(where: { $0.name == name }) else {
        throw BTXError.usage("unknown command '\(name)'")
    }
    streaming = command.streamsEvents
    let rest = Array(arguments[..<index]) + Array(arguments[(index + 1)...])
    do {
        let invocation = try Invocation.parse(rest, command: command, environment: environment)
        json = invocation.output.json
        if invocation.flag("help") {
            return try helpCommand.run(Invocation.parse([name], command: helpCommand, environment: environment))
        }
        try command.run(invocation)
    } catch let error as BTXError where error.exitCode == .usage && error.hint == BTXError.usage("").hint {
        // A shared parser (a rate, a duration) knows no command: the help to see is this one's.
        throw BTXError.usage(error.message, command: command.name)
    }
}
