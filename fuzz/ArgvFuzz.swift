// Command lines: the arguments (NUL-separated, as argv can hold no NUL)
// parsed against every command's options, then the values that commands read
// as sizes, rates and durations, and add's whole plan. Linked with BTXCLI
// built for testing.
@testable import BTXCLI
@testable import BTXSession

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArgv(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let args = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    let environment = Environment(variables: [:])
    for command in commands {
        guard let invocation = try? Invocation.parse(args, command: command, environment: environment) else { continue }
        _ = try? invocation.expectArguments(1, 1)
        for option in command.options + globalOptions {
            _ = invocation.flag(option.long)
            for value in invocation.all(option.long) {
                _ = Units.parseSize(value)
                _ = Units.parseDuration(value)
            }
        }
        if command.name == "add" { _ = try? AddPlan(invocation, config: UserConfig()) }
    }
    return 0
}
