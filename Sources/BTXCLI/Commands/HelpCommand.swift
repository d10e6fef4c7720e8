import BTXSession

let helpCommand = Command(
    name: "help",
    usage: "help [COMMAND]",
    summary: "show the commands, or one command's options",
    positional: .command,
    run: { invocation in
        try invocation.expectArguments(0, 1)
        let named = try invocation.arguments.first.map { name in
            guard let command = command(named: name) else { throw BTXError.usage("unknown command '\(name)'") }
            return command
        }
        if invocation.output.json {
            invocation.output.document(.object([("commands", .array((named.map { [$0] } ?? commands).map(\.document))),
                                                ("global_options", .array(globalOptions.map(\.document)))]))
        } else {
            invocation.output.text(named.map(commandHelp) ?? overviewHelp())
        }
    }
)

extension Command {
    /// `help --json`: what completions and wrappers need to know about a command.
    var document: JSON {
        .object([("name", .string(name)), ("usage", .string(usage)), ("summary", .string(summary)),
                 ("details", .array(details.split(separator: "\n").map { .string(String($0)) })),
                 ("options", .array(options.map(\.document))), ("streams_events", .bool(streamsEvents))])
    }
}

extension OptionSpec {
    var document: JSON {
        .object([("long", .string(long)), ("short", short.map { .string(String($0)) } ?? .null),
                 ("argument", .optional(argument)), ("summary", .string(summary)), ("repeatable", .bool(repeatable))])
    }
}

func overviewHelp() -> String {
    let width = commands.map(\.name.count).max() ?? 0
    var text = "btx \(btxVersion): a command-line BitTorrent client\n\nusage: btx COMMAND [options] [arguments]\n\ncommands:\n"
    for c in commands {
        text += "  " + c.name + String(repeating: " ", count: width - c.name.count) + "  " + c.summary + "\n"
    }
    text += "\n" + optionList("global options", globalOptions)
    text += "\nRun 'btx help COMMAND' for a command's options. Exit codes: 0 ok, 1 failure, 2 usage,\n3 not found, 4 no running session, 130 interrupted, 143 terminated."
    return text
}

func commandHelp(_ c: Command) -> String {
    var text = "usage: btx \(c.usage)\n\n\(c.summary)\n"
    if !c.details.isEmpty {
        text += "\n" + c.details.split(separator: "\n").map { wrap(String($0), width: 78) }.joined(separator: "\n\n") + "\n"
    }
    if !c.options.isEmpty { text += "\n" + optionList("options", c.options) }
    text += "\n" + optionList("global options", globalOptions)
    return text.hasSuffix("\n") ? String(text.dropLast()) : text
}

private func optionList(_ title: String, _ options: [OptionSpec]) -> String {
    let width = options.map(\.display.count).max() ?? 0
    var text = "\(title):\n"
    for o in options {
        text += "  " + o.display + String(repeating: " ", count: width - o.display.count) + "  " + o.summary
        text += o.repeatable ? " (repeatable)\n" : "\n"
    }
    return text
}

func wrap(_ paragraph: String, width: Int) -> String {
    var lines: [String] = []
    var line = ""
    for word in paragraph.split(separator: " ") {
        if !line.isEmpty && line.count + 1 + word.count > width {
            lines.append(line)
            line = ""
        }
        line += (line.isEmpty ? "" : " ") + word
    }
    if !line.isEmpty { lines.append(line) }
    return lines.joined(separator: "\n")
}
