import BTXSession

/// An option a command accepts. `argument` names its value; nil for a flag.
struct OptionSpec {
    let long: String
    var short: Character? = nil
    var argument: String? = nil
    let summary: String
    var repeatable = false
    /// For completions: what the value is.
    var completion: Completion = .none

    /// The value is optional and only given inline (`--watch=5`).
    var valueIsOptional = false

    /// What the shells offer for a value or argument.
    enum Completion: Equatable {
        case none, file, directory
        /// One of btx's command names (for `help COMMAND`).
        case command
        /// A saved torrent's name or info-hash (`btx _complete torrents`).
        case torrent
        /// A saved torrent, or a .torrent file.
        case torrentOrFile
        /// A .torrent file.
        case torrentFile
        case words([String])
        /// Examples that show the value's form, `hint` saying it in words.
        case format([String], hint: String)
    }

    var display: String {
        let names = (short.map { "-\($0), " } ?? "    ") + "--" + long
        guard let argument else { return names }
        return valueIsOptional ? names + "[=" + argument + "]" : names + " " + argument
    }
}

/// A subcommand as data, like Go's cmd/go: help, the man page and the
/// completions are all generated from this table.
struct Command {
    let name: String
    let usage: String
    let summary: String
    /// Paragraphs for `btx help NAME` and the man page.
    var details: String = ""
    var options: [OptionSpec] = []
    /// Completion hint for positional arguments.
    var positional: OptionSpec.Completion = .none
    /// With --json it prints newline-delimited events, errors among them.
    var streamsEvents = false
    let run: (Invocation) throws -> Void
}

/// Options every command takes.
let globalOptions: [OptionSpec] = [
    OptionSpec(long: "json", summary: "print machine-readable JSON on stdout"),
    OptionSpec(long: "state-dir", argument: "DIR", summary: "keep state in DIR instead of the XDG directories (also BTX_STATE_DIR)", completion: .directory),
    OptionSpec(long: "quiet", short: "q", summary: "print no progress or warnings on stderr"),
    OptionSpec(long: "remote", argument: "URL", summary: "manage the daemon at URL over Transmission RPC (also BTX_REMOTE)",
               completion: .format(["http://nas.lan:9091"], hint: "http://[USER:PASSWORD@]HOST[:PORT][/PATH]")),
    OptionSpec(long: "color", argument: "WHEN", summary: "colour states and errors: auto (on a terminal, unless NO_COLOR or TERM=dumb; the default), always or never",
               completion: .words(ColorChoice.allCases.map(\.rawValue))),
    OptionSpec(long: "help", short: "h", summary: "show help for the command"),
]

/// The subcommands, in the order `btx help` lists them.
let commands: [Command] = [
    addCommand,
    catCommand,
    serveCommand,
    statusCommand,
    peersCommand,
    filesCommand,
    pauseCommand,
    resumeCommand,
    verifyCommand,
    removeCommand,
    trackersCommand,
    setCommand,
    moveCommand,
    queueCommand,
    eventsCommand,
    daemonCommand,
    blocklistCommand,
    createCommand,
    publishCommand,
    editCommand,
    exportCommand,
    dhtGetCommand,
    dhtPutCommand,
    dhtKeygenCommand,
    infoCommand,
    doctorCommand,
    helpCommand,
    versionCommand,
]

func command(named name: String) -> Command? { commands.first { $0.name == name } }
