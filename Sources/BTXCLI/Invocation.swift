import BTXSession

/// A parsed command line: the global settings plus one command's options
/// and positional arguments.
struct Invocation {
    let command: Command
    let output: Output
    var stateDirectory: String?
    /// --remote or BTX_REMOTE: a daemon elsewhere, over Transmission RPC.
    var remote: String?
    /// BTX_REMOTE_AUTH, or the first line of BTX_REMOTE_AUTH_FILE: "user:password".
    var remoteCredentials: String?
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var arguments: [String] = []

    func flag(_ long: String) -> Bool { flags.contains(long) }
    func value(_ long: String) -> String? { values[long]?.last }
    func all(_ long: String) -> [String] { values[long] ?? [] }

    /// Parses `args` (everything after the command name) against the
    /// command's options and the global ones. GNU style: options may follow
    /// arguments, `--opt=value` and `-o value` both work, bundled short
    /// flags (`-qf`) too, and `--` ends the options.
    static func parse(_ args: [String], command: Command, environment: Environment) throws -> Invocation {
        let specs = command.options + globalOptions
        var values: [String: [String]] = [:]
        var flags: Set<String> = []
        var arguments: [String] = []
        var index = 0

        func take(_ spec: OptionSpec, inline: String?, shown: String) throws {
            if spec.valueIsOptional && inline == nil {
                // `--watch 1` as well as `--watch=1`: a number right after is its value.
                if index + 1 < args.count, Double(args[index + 1])?.isFinite == true {
                    index += 1
                    values[spec.long, default: []].append(args[index])
                    return
                }
                flags.insert(spec.long)
                return
            }
            guard spec.argument != nil else {
                if inline != nil { throw BTXError.usage("option \(shown) takes no value", command: command.name) }
                flags.insert(spec.long)
                return
            }
            let value: String
            if let inline {
                value = inline
            } else {
                index += 1
                guard index < args.count else {
                    throw BTXError.usage("option \(shown) needs a value (\(spec.argument!))", command: command.name)
                }
                value = args[index]
            }
            if !spec.repeatable, values[spec.long] != nil {
                throw BTXError.usage("option \(shown) given twice", command: command.name)
            }
            values[spec.long, default: []].append(value)
        }

        while index < args.count {
            let arg = args[index]
            if arg == "--" {
                arguments += args[(index + 1)...]
                break
            } else if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                let inline = body.contains("=") ? String(body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[1]) : nil
                guard let spec = specs.first(where: { $0.long == name }) else {
                    throw BTXError.usage("unknown option --\(name) for '\(command.name)'", command: command.name)
                }
                try take(spec, inline: inline, shown: "--\(name)")
            } else if arg.hasPrefix("-") && arg.count > 1 {
                var letters = Substring(arg.dropFirst())
                while let letter = letters.first {
                    letters = letters.dropFirst()
                    guard let spec = specs.first(where: { $0.short == letter }) else {
                        throw BTXError.usage("unknown option -\(letter) for '\(command.name)'", command: command.name)
                    }
                    if spec.argument != nil && (!spec.valueIsOptional || !letters.isEmpty) {
                        try take(spec, inline: letters.isEmpty ? nil : String(letters), shown: "-\(letter)")
                        break
                    }
                    try take(spec, inline: nil, shown: "-\(letter)")
                }
            } else {
                arguments.append(arg)
            }
            index += 1
        }

        let json = flags.contains("json")
        let colorText = values["color"]?.last ?? "auto"
        guard let color = ColorChoice(rawValue: colorText) else {
            throw BTXError.usage("--color: '\(colorText)' is not auto, always or never", command: command.name)
        }
        let output = Output(json: json, quiet: flags.contains("quiet"), color: color, environment: environment)
        var invocation = Invocation(command: command, output: output)
        for option in ["state-dir", "remote"] where values[option]?.last?.isEmpty == true {
            throw BTXError.usage("--\(option) needs a value, not an empty string", command: command.name)
        }
        invocation.stateDirectory = values["state-dir"]?.last ?? environment["BTX_STATE_DIR"]
        invocation.remote = values["remote"]?.last ?? environment["BTX_REMOTE"]
        invocation.remoteCredentials = invocation.remote == nil ? nil : try readRemoteCredentials(environment)
        if invocation.remote != nil, !remoteCommands.contains(command.name) {
            throw BTXError.usage("'\(command.name)' does not work with --remote (BTX_REMOTE); it works with "
                                 + remoteCommands.sorted().joined(separator: ", "), command: command.name)
        }
        invocation.values = values
        invocation.flags = flags
        invocation.arguments = arguments
        return invocation
    }

    /// Fails with a usage error unless there are between `min` and `max` arguments.
    func expectArguments(_ min: Int, _ max: Int? = nil) throws {
        if arguments.count < min {
            throw BTXError.usage("'\(command.name)' needs an argument: btx \(command.usage)", command: command.name)
        }
        if let max, arguments.count > max {
            throw BTXError.usage("'\(command.name)' takes \(max == 1 ? "one argument" : "at most \(max) arguments"), got \(arguments.count)",
                                 command: command.name)
        }
    }
}
