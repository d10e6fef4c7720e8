import BTXSession
/// btx(1), generated from the command table, the JSON contract and the
/// examples, so it cannot disagree with `btx help` or with what btx prints.
extension Docs {
    static var manPage: String {
        var t = """
            .TH BTX 1 \(btxReleaseDate) "btx \(btxVersion)" "User Commands"
            .SH NAME
            btx \\- a command\\-line BitTorrent client
            .SH SYNOPSIS
            .B btx
            .I COMMAND
            [\\fIoptions\\fR] [\\fIarguments\\fR]
            .SH DESCRIPTION
            btx downloads, seeds and creates torrents on top of libtorrent\\-rasterbar.
            Results go to standard output as aligned tables, or as JSON with \\fB\\-\\-json\\fR
            (see JSON OUTPUT); progress and warnings go to standard error, only on a terminal.
            A table fits the terminal (\\fBCOLUMNS\\fR when set), dropping its least needed columns when narrow;
            off a terminal it is tab\\-separated raw values, one line a row, with no header.
            .PP
            One session runs per state directory: \\fBbtx add\\fR runs it in the foreground until its torrents
            are complete, \\fBbtx daemon\\fR in the background, and every other command talks to it over a
            control socket, or reads the saved state when none runs.
            A torrent is named by its info\\-hash, a unique prefix of at least 6 hex digits, its exact name or a
            unique start of its name (any case); an ambiguous name lists the candidates (exit 2).
            .SH COMMANDS

            """
        for c in commands {
            t += ".SS \"\(roff(c.usage))\"\n\(roff(c.summary)).\n"
            for paragraph in c.details.split(separator: "\n") { t += ".PP\n\(roff(String(paragraph)))\n" }
            for o in c.options { t += option(o) }
        }
        t += ".SH GLOBAL OPTIONS\n"
        for o in globalOptions { t += option(o) }
        t += ".SH PROXIES AND INTERFACES\n"
        t += networkPolicyManual.split(separator: "\n").map { roff(String($0)) }.joined(separator: "\n.PP\n") + "\n"
        t += jsonSection
        t += exitStatusSection
        t += environmentSection
        t += filesSection
        t += examplesSection
        t += ".SH SEE ALSO\n.BR jq (1)\n"
        return t
    }

    private static var exitStatusSection: String {
        var t = ".SH EXIT STATUS\n.TS\nr l.\n"
        for (code, meaning) in exitStatuses { t += "\(code)\t\(roff(meaning))\n" }
        t += ".TE\n"
        t += "With \\fB\\-\\-json\\fR the error object's code says the same: failed, usage, not_found, no_session, interrupted.\n"
        return t
    }

    /// The table of EXIT STATUS, each code with what gives it.
    static let exitStatuses: [(Int32, String)] = [
        (ExitCode.success.rawValue, "success"),
        (ExitCode.failure.rawValue, "failure: a download stopped by an error, wanted data verify found bad or missing, "
            + "a DHT put no node stored, something btx doctor found wrong"),
        (ExitCode.usage.rawValue, "usage error: an unknown option or command, a bad value, an ambiguous torrent name"),
        (ExitCode.notFound.rawValue, "not found: no such torrent, file, DHT item or network interface"),
        (ExitCode.noSession.rawValue, "no running session where one is needed (peers, pause, resume, blocklist --reload, daemon --stop)"),
        (ExitCode.interrupted.rawValue, "interrupted by SIGINT (Ctrl-C), resume data saved; status --watch ends this way"),
        (ExitCode.readerGone.rawValue, "add: the reader of its output went away (a closed pipe), resume data saved"),
        (ExitCode.terminated.rawValue, "terminated by SIGTERM, resume data saved"),
    ]

    private static var environmentSection: String {
        var t = ".SH ENVIRONMENT\n"
        for (name, text) in environmentVariables { t += ".TP\n.B \(name)\n\(roff(text))\n" }
        return t
    }

    /// Every variable btx reads.
    static let environmentVariables: [(String, String)] = [
        ("BTX_STATE_DIR", "Keep all state, the DHT key and the control socket in this directory, like --state-dir, "
            + "which wins over it. The config file in $XDG_CONFIG_HOME is still read, then DIR/config."),
        ("BTX_DHT_BOOTSTRAP", "Comma-separated DHT bootstrap nodes, HOST:PORT, instead of the public routers. "
            + "--bootstrap wins over it, and it wins over the config file."),
        ("BTX_PROXY", "The proxy URL, like --proxy, which wins over it; it wins over the config file. "
            + "Unlike an option, it is not shown to other users by ps."),
        ("BTX_REMOTE", "A daemon elsewhere to manage over Transmission RPC, like --remote, which wins over it: "
            + "http://[USER:PASSWORD@]HOST[:PORT][/PATH], port 9091 and /transmission/rpc by default."),
        ("BTX_REMOTE_AUTH", "USER:PASSWORD for --remote when its URL has none; not shown by ps, unlike the URL."),
        ("BTX_REMOTE_AUTH_FILE", "A file (0600) whose first line is USER:PASSWORD, when neither the URL nor "
            + "BTX_REMOTE_AUTH gives them."),
        ("XDG_CONFIG_HOME", "Where the config file is: $XDG_CONFIG_HOME/btx/config (default ~/.config)."),
        ("XDG_STATE_HOME", "Where the state directory is: $XDG_STATE_HOME/btx (default ~/.local/state)."),
        ("XDG_DATA_HOME", "Where the DHT key is: $XDG_DATA_HOME/btx/dht.key (default ~/.local/share)."),
        ("XDG_RUNTIME_DIR", "Where the control socket is: $XDG_RUNTIME_DIR/btx/control.sock; without it, or with a "
            + "state directory given, STATE/run/control.sock. Relative values of the XDG variables are ignored, as the "
            + "XDG Base Directory specification says."),
        ("HOME", "The base of the default directories above."),
        ("NO_COLOR", "Present and not empty: no colour, unless --color always."),
        ("TERM", "dumb: no colour, unless --color always."),
        ("COLUMNS", "The width tables fit on a terminal, over the terminal's own. Off a terminal tables are "
            + "tab-separated raw values whatever it says."),
    ]

    private static var filesSection: String {
        var t = ".SH FILES\nSTATE is $XDG_STATE_HOME/btx, or the directory that \\fB\\-\\-state\\-dir\\fR or BTX_STATE_DIR names.\n"
        t += """
            .TP
            .I $XDG_CONFIG_HOME/btx/config
            Optional defaults, one \\fIkey\\fR = \\fIvalue\\fR a line; # starts a comment. Command\\-line options win over it.
            An unknown key or a line without = is warned about and skipped; a bad value for a known key is an error.

            """
        t += "Keys: " + UserConfig.keys.sorted { $0.key < $1.key }.map { roff("\($0.key) (\($0.value))") }.joined(separator: ", ") + ".\n"
        for (path, text) in stateFiles { t += ".TP\n.I \(roff(path))\n\(roff(text))\n" }
        return t
    }

    /// Every file btx reads or writes besides the user's own.
    static let stateFiles: [(String, String)] = [
        ("STATE/config", "Read after the file above when the state directory is given; its keys win over the same keys there."),
        ("STATE/resume/HASH.resume", "A torrent's resume data: libtorrent's bencoded format with the metadata in it, "
            + "mode 0600 in a 0700 folder, written atomically when it is added, every save-interval seconds while it "
            + "changes, on completion, pause, resume, verify and exit."),
        ("STATE/resume/HASH.goal", "A torrent's seeding goal (--seed-ratio, --seed-time), as JSON."),
        ("STATE/resume/HASH.error", "Why a session stopped the torrent (a full disk), shown by status until a resume or add."),
        ("STATE/dht.state", "The DHT routing table and node id, so the next command starts warm."),
        ("STATE/lock", "Held (flock) by the session that runs for this state directory; a killed one leaves no stale lock."),
        ("STATE/daemon.log", "The background session's output (newline-delimited JSON events), appended to."),
        ("STATE/daemon.pid", "The background session's process id, while it runs."),
        ("$XDG_RUNTIME_DIR/btx/control.sock", "The running session's control socket, mode 0600 in a 0700 folder "
            + "(STATE/run/control.sock without XDG_RUNTIME_DIR or with a state directory)."),
        ("$XDG_DATA_HOME/btx/dht.key", "The ed25519 seed that signs mutable DHT items, mode 0600; refused when group- "
            + "or world-readable (STATE/dht.key with a state directory)."),
    ]
}
