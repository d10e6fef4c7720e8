import BTXSession

/// The add options cat and serve take for a torrent they add.
let streamAddOptions: [OptionSpec] = [
        OptionSpec(long: "output", short: "o", argument: "DIR", summary: "download into DIR (default: the current directory)", completion: .directory),
        OptionSpec(long: "max-down", argument: "RATE", summary: "cap the torrent's download rate, e.g. 5M or 500k (bytes/s)"),
        OptionSpec(long: "max-up", argument: "RATE", summary: "cap the torrent's upload rate"),
        OptionSpec(long: "tracker", short: "t", argument: "URL", summary: "also announce to URL", repeatable: true),
        OptionSpec(long: "peer", argument: "HOST:PORT", summary: "connect to this peer directly", repeatable: true),
]

/// What cat and serve share: the torrent they read, handed to the running
/// session, or added to a session of this process's own; add's options either way.
struct StreamSetup {
    let invocation: Invocation
    let argument: String
    let directory: StateDirectory
    let config: UserConfig
    let plan: AddPlan
    let savePath: String
    let explicitSavePath: Bool
    /// nil: the argument names a torrent the session has or saved.
    let source: AddSource?

    init(_ invocation: Invocation) throws {
        self.invocation = invocation
        argument = invocation.arguments[0]
        directory = StateDirectory(invocation: invocation)
        config = try UserConfig.load(directory, output: invocation.output)
        plan = try AddPlan(invocation, config: config)
        savePath = absolutePath(invocation.value("output") ?? config["output"] ?? ".")
        explicitSavePath = invocation.value("output") != nil
        source = try streamSource(argument)
    }

    /// The torrent in the running session (added there when the argument is
    /// a source): what to ask the session for it by.
    func handOver(to client: ControlClient) throws -> String {
        let command = invocation.command.name
        if invocation.value("blocklist") != nil {
            throw BTXError.usage("--blocklist: a session is already running with its own list", command: command)
        }
        try refuseNetworkOptionsForRunningSession(invocation, directory: directory)
        guard let source else { return argument }
        let added = try client.call(.add, [("sources", .array([source.json]))]
                                        + plan.json(savePath: savePath, explicitSavePath: explicitSavePath))
        return added["torrents"]?.arrayValue?.first?["info_hash"]?.stringValue ?? source.info.infoHash
    }

    /// Runs `body` with a session of this process that has the torrent (and
    /// the torrent's info-hash), under the state lock. `body` shuts the host
    /// down when it is done (its tick already has, after an interrupt or a
    /// stop); a failure shuts it down on the way out.
    func runOwnSession(_ body: (SessionHost, String) throws -> SessionHost.Outcome) throws {
        let configuration = try sessionConfiguration(invocation, config: config, environment: Environment.current())
        let lock = try StateLock(directory: directory)
        let outcome = try runSession(of: lock) {
            let host = try SessionHost(configuration: configuration, directory: directory,
                                       observer: StreamReporter(output: invocation.output), mode: .foreground,
                                       saveInterval: config.saveInterval, blocklist: blocklistPath(invocation, config: config))
            let query: String
            if let source {
                try host.add(source, plan: plan, savePath: savePath, explicitSavePath: explicitSavePath)
                query = source.info.infoHash
            } else {
                let saved = try select(argument, from: loadSavedTorrents(directory, output: invocation.output), key: \.key)
                query = saved.status.infoHash
                host.resumeSavedTorrents([query])
            }
            do {
                return try body(host, query)
            } catch let error as BTXError where interruptRequested() {
                // The host saved everything on its way out (its tick did).
                return SessionHost.Outcome(failure: error)
            } catch {
                try? host.shutdown()
                throw error
            }
        }
        if let failure = outcome.failure { throw failure }
    }
}
