import BTXRPC
import BTXSession
import Glibc
import TorrentKit

let daemonCommand = Command(
    name: "daemon",
    usage: "daemon [--foreground | --stop] [--rpc [ADDRESS:]PORT]",
    summary: "run the session in the background; other commands talk to it",
    details: """
        Resumes every saved torrent and serves the control socket until stopped. It detaches into its own \
        session (setsid) with its output, newline-delimited JSON events, appended to daemon.log and its pid \
        in daemon.pid, both in the state directory. --foreground stays attached, for service managers. \
        --stop asks the running session to save its resume data and exit, and waits for it. SIGHUP makes it \
        read its --blocklist again, like 'btx blocklist --reload'. With --max-active-downloads or \
        --max-active-seeds (or the config keys of those names) libtorrent's queue runs only that many at once \
        and the others wait in state queued, in the order 'btx queue' sets; a paused torrent stays out of the queue. --on-complete runs a command for every \
        torrent that finishes, as 'btx add' describes; an add's own --on-complete wins for its torrents.

        --rpc (config rpc) also answers Transmission's RPC over HTTP at /transmission/rpc and qBittorrent's \
        Web API v2 at /api/v2, so transmission-remote, Sonarr, Radarr, autobrr, cross-seed and other \
        front-ends drive the daemon (the README says what maps to what; categories are 'category = NAME \
        [SAVE-PATH]' lines in the config, and they and tags are btx labels). PORT alone listens on 127.0.0.1 \
        and ::1; another address needs rpc-user and rpc-password in the config, whose file must not be \
        readable by others. The daemon replaces a plain rpc-password there with a salted hash. Host names \
        other than addresses and localhost are refused unless listed in rpc-host-allow (DNS rebinding).
        """,
    options: [
        OptionSpec(long: "foreground", summary: "run in this process, for systemd and the like"),
        OptionSpec(long: "stop", summary: "stop the running session cleanly"),
        OptionSpec(long: "max-active-downloads", argument: "N", summary: "download at most N torrents at once; the rest wait, queued"),
        OptionSpec(long: "max-active-seeds", argument: "N", summary: "seed at most N torrents at once"),
        OptionSpec(long: "on-complete", argument: "CMD", summary: "run CMD (sh -c) when a torrent finishes (status JSON on stdin)"),
        OptionSpec(long: "rpc", argument: "[ADDRESS:]PORT", summary: "answer Transmission RPC and the qBittorrent API (PORT alone: loopback only)",
                   completion: .format(["9091", "127.0.0.1:9091", "0.0.0.0:9091"], hint: "[ADDRESS:]PORT")),
        OptionSpec(long: "metrics", argument: "[ADDRESS:]PORT", summary: "answer Prometheus at /metrics (PORT alone: loopback only)",
                   completion: .format(["9109", "127.0.0.1:9109"], hint: "[ADDRESS:]PORT")),
        OptionSpec(long: "incomplete-dir", argument: "DIR", summary: "download new torrents into DIR; each moves to its save path once complete",
                   completion: .directory),
        OptionSpec(long: "watch", argument: "DIR", summary: "add the .torrent and .magnet files finished in DIR", repeatable: true,
                   completion: .directory),
        OptionSpec(long: "on-event", argument: "\"TYPES CMD\"", summary: "run CMD (sh -c, the event on stdin) for TYPES: all, or added,finished,...",
                   repeatable: true, completion: .format(["\"finished notify-send done\""], hint: "TYPES COMMAND")),
    ] + sessionOptions,
    run: runDaemon
)

private func runDaemon(_ invocation: Invocation) throws {
    try invocation.expectArguments(0, 0)
    let directory = StateDirectory(invocation: invocation)
    if invocation.flag("stop") { return try stopDaemon(directory, output: invocation.output) }
    if !invocation.flag("foreground") {
        if try ControlClient.connect(directory) != nil {
            throw BTXError.failure("a btx session is already running for \(directory.state)")
        }
        // Read here too: a config mistake shows on this terminal, not only in the log.
        _ = try UserConfig.load(directory, output: invocation.output)
        let client = try startDaemon(invocation)
        let ping = try client.call(.ping)
        let pid = ping["pid"]?.intValue ?? 0
        let rpc = ping["rpc"]?.stringValue
        if invocation.output.json {
            invocation.output.document(.object([("pid", .int(pid)), ("log", .string(directory.logPath)), ("rpc", .optional(rpc))]))
        } else {
            invocation.output.line("btx daemon running (pid \(pid)); log in \(directory.logPath)"
                                   + (rpc.map { "; Transmission RPC at \($0), qBittorrent API beside it" } ?? ""))
        }
        return
    }

    let environment = Environment.current()
    let systemd = SystemdNotify()
    let config = try UserConfig.load(directory, output: invocation.output)
    let configuration = try sessionConfiguration(invocation, config: config, environment: environment)
    let lock = try StateLock(directory: directory)
    // Before the session: a port in use or missing credentials stop the start with one line.
    let rpc = try RPCSetup(invocation, config: config)
    let metrics = try RPCSetup(invocation, config: config, option: "metrics")
    let folders = watchFolders(invocation, config: config)
    try FolderWatcher.check(folders)
    let altSpeeds = try config.altSpeeds()
    let incompleteDir = try incompleteFolder(invocation, config: config)
    let eventHooks = try invocation.all("on-event").map(EventHook.init) + config.eventHooks
    let outcome = try runSession(of: lock) {
        let host = try SessionHost(configuration: configuration, directory: directory,
                                   observer: AddReporter(output: invocation.output, showsProgress: false),
                                   mode: .daemon, saveInterval: config.saveInterval,
                                   blocklist: blocklistPath(invocation, config: config),
                                   onComplete: invocation.value("on-complete") ?? config["on-complete"],
                                   hookTimeout: config.hookTimeout, queue: try queueLimits(invocation, config: config))
        if rpc != nil || metrics != nil {
            var facts = SessionFacts(version: btxVersion, downloadDir: absolutePath(config["output"] ?? "."), configDir: directory.state,
                                     configuration: configuration, queue: try queueLimits(invocation, config: config),
                                     blocklist: blocklistPath(invocation, config: config),
                                     onComplete: invocation.value("on-complete") ?? config["on-complete"])
            facts.seedGoal = config.seedGoal
            facts.categories = config.categories
            facts.incompleteDir = incompleteDir
            facts.altSchedule = altSpeeds?.schedule
            for listener in [rpc, metrics].compactMap({ $0 }) {
                try listener.start(facts: facts, directory: directory) { try ControlClient.connect(directory) }
            }
            host.rpcURL = rpc?.url
        }
        host.altSpeeds = altSpeeds
        host.incompleteDir = incompleteDir
        host.followInterval = config.followInterval
        host.reuseMode = config.reuse
        host.eventHooks = eventHooks
        host.resumeSavedTorrents()
        if !folders.isEmpty {
            let output = invocation.output
            var plan = AddPlan()
            plan.settings.seeding = config.seedGoal
            try FolderWatcher(folders: folders, defaultOutput: absolutePath(config["output"] ?? "."), plan: plan, report: { message in
                // One whole line per write: the watcher's thread shares the log with the session's.
                if output.json {
                    output.document(streamEvent("warning", .object([("info_hash", .null), ("message", .string(message))])))
                } else {
                    output.warning(message)
                }
            }) { try ControlClient.connect(directory) }.start()
        }
        try FileIO.writeAtomically(Array("\(getpid())\n".utf8), to: directory.pidPath, replace: true, mode: 0o644)
        defer { unlink(directory.pidPath) }
        // Its control socket answers (and the RPC's): a unit's dependants may start.
        systemd.send("READY=1\nMAINPID=\(getpid())")
        host.onShutdown = { systemd.send("STOPPING=1\nSTATUS=saving resume data") }
        return try host.run()
    }
    if let failure = outcome.failure { throw failure }
}

/// Runs a session host under `lock` and lets the lock go only once the host
/// is gone: its socket closed and libtorrent stopped (which may wait for
/// trackers). `daemon --stop` and the next session wait for the lock, so
/// they never meet a session still on its way out.
func runSession(of lock: StateLock, _ body: () throws -> SessionHost.Outcome) rethrows -> SessionHost.Outcome {
    let outcome = try body()
    // The host closed its socket and stopped libtorrent at the end of its
    // run; when the optimizer frees it does not matter.
    lock.release()
    return outcome
}

/// Starts `btx daemon --foreground` detached (setsid, output to the log)
/// with this command's session options, and waits until it answers.
func startDaemon(_ invocation: Invocation) throws -> ControlClient {
    let directory = StateDirectory(invocation: invocation)
    // A bad option (a missing interface, a malformed proxy URL) is told
    // here with its own exit code, not as a daemon that exited at once.
    let config = try UserConfig.load(directory.configPaths, warn: { _ in })
    _ = try sessionConfiguration(invocation, config: config, environment: Environment.current())
    if invocation.command.name == "daemon" {
        _ = try queueLimits(invocation, config: config)
        // Credentials a non-loopback RPC needs are checked here, told on this terminal.
        _ = try RPCSetup.check(invocation, config: config)
        _ = try RPCSetup.check(invocation, config: config, option: "metrics")
        try FolderWatcher.check(watchFolders(invocation, config: config))
        _ = try config.altSpeeds()
        _ = try incompleteFolder(invocation, config: config)
        _ = try invocation.all("on-event").map(EventHook.init)
    }
    // So is a blocklist that cannot be read, and its bad lines show on this terminal too.
    if let path = blocklistPath(invocation, config: config), let bad = try Blocklist.load(path).badLinesText {
        invocation.output.warning("blocklist \(path): \(bad)")
    }
    try directory.prepare()
    var arguments = ["btx", "daemon", "--foreground", "--json"]
    if let state = invocation.stateDirectory { arguments += ["--state-dir", absolutePath(state)] }
    if let listen = invocation.value("listen") { arguments += ["--listen", listen] }
    if invocation.flag("no-dht") { arguments.append("--no-dht") }
    if let list = invocation.value("blocklist") { arguments += ["--blocklist", absolutePath(list)] }
    for node in invocation.all("bootstrap") { arguments += ["--bootstrap", node] }
    arguments += daemonNetworkArguments(invocation)
    if let policy = invocation.value("encryption") { arguments += ["--encryption", policy] }
    for option in ["max-active-downloads", "max-active-seeds", "rpc", "metrics"] {
        if invocation.command.name == "daemon", let n = invocation.value(option) { arguments += ["--" + option, n] }
    }
    if invocation.command.name == "daemon" {
        for folder in invocation.all("watch") { arguments += ["--watch", absolutePath(folder)] }
        for hook in invocation.all("on-event") { arguments += ["--on-event", hook] }
        if let folder = invocation.value("incomplete-dir") { arguments += ["--incomplete-dir", absolutePath(folder)] }
    }
    // add --detach's hook travels with its torrents, not to the daemon.
    if invocation.command.name == "daemon", let hook = invocation.value("on-complete") { arguments += ["--on-complete", hook] }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    // Never appended through a symlink left in its place, nor blocked on a FIFO.
    posix_spawn_file_actions_addopen(&actions, 1, directory.logPath, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // Its own session: no controlling terminal, untouched by the shell's job control.
    posix_spawnattr_setflags(&attributes, posixSpawnSetsid)

    var logStatus = stat()
    let logStart = stat(directory.logPath, &logStatus) == 0 ? logStatus.st_size : 0
    var pid = pid_t()
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = daemonEnvironment(invocation).map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    let result = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, argv, envp)
    guard result == 0 else {
        if result == ELOOP || result == ENXIO || result == EISDIR {
            throw BTXError.failure("\(directory.logPath) is not a regular file; remove it")
        }
        throw BTXError.failure("could not start the daemon: \(String(cString: strerror(result)))")
    }

    let deadline = monotonicSeconds() + 15
    while monotonicSeconds() < deadline {
        if let client = try ControlClient.connect(directory), (try? client.call(.ping)) != nil { return client }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            let reason = lastError(inLog: directory.logPath, after: logStart).map { ": " + $0 } ?? ""
            throw BTXError.failure("the daemon exited at once\(reason) (see \(directory.logPath))")
        }
        usleep(20_000)
    }
    throw BTXError.failure("the daemon did not answer within 15 s; see \(directory.logPath)")
}

/// The daemon's own "btx: ..." line from what it appended to its log after
/// `start`, so that what stopped it (a damaged state file, a port in use)
/// shows on this terminal.
private func lastError(inLog path: String, after start: off_t) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    let size = lseek(fd, 0, SEEK_END)
    var tail = [UInt8](repeating: 0, count: 4096)
    let from = max(start, size - off_t(tail.count))
    let n = pread(fd, &tail, min(tail.count, Int(max(0, size - from))), from)
    guard n > 0 else { return nil }
    let lines = String(decoding: tail[..<n], as: UTF8.self).split(separator: "\n")
    return lines.last { $0.hasPrefix("btx: ") }.map { String($0.dropFirst(5)) }
}

private func stopDaemon(_ directory: StateDirectory, output: Output) throws {
    guard let client = try ControlClient.connect(directory) else {
        throw BTXError(exitCode: .noSession, message: "no btx session is running for \(directory.state)")
    }
    _ = try client.call(.stop)
    // Gone once its lock is free: resume data is saved by then.
    let deadline = monotonicSeconds() + 30
    while monotonicSeconds() < deadline {
        if (try? StateLock(directory: directory, patience: 0)) != nil {
            if !output.json { output.line("stopped") } else { output.document(.object([("stopped", .bool(true))])) }
            return
        }
        usleep(20_000)
    }
    throw BTXError.failure("the session did not stop within 30 s")
}

/// glibc's POSIX_SPAWN_SETSID (2.26+), which its Swift module leaves out.
private let posixSpawnSetsid: Int16 = 0x80

/// --max-active-downloads / --max-active-seeds (or the config's); nil when
/// neither is set: every torrent runs.
private func queueLimits(_ invocation: Invocation, config: UserConfig) throws -> QueueLimits? {
    func limit(_ key: String) throws -> Int? {
        guard let text = invocation.value(key) ?? config[key] else { return nil }
        guard let n = Int(text), (0...100_000).contains(n) else {
            throw BTXError.usage("--\(key): '\(text)' is not a count of torrents", command: "daemon")
        }
        return n
    }
    let limits = QueueLimits(downloads: try limit("max-active-downloads"), seeds: try limit("max-active-seeds"))
    return limits.downloads == nil && limits.seeds == nil ? nil : limits
}

/// --watch folders, then the config's `watch` lines; relative paths from here.
private func watchFolders(_ invocation: Invocation, config: UserConfig) -> [WatchFolder] {
    var folders = invocation.all("watch").map { WatchFolder(path: absolutePath($0)) }
    for folder in config.watchFolders where !folders.contains(where: { $0.path == absolutePath(folder.path) }) {
        // A labelled folder without an output of its own downloads where its label's category says.
        let labelPath = folder.label.flatMap { label in config.categories.first { $0.name == label }?.savePath }
        folders.append(WatchFolder(path: absolutePath(folder.path), label: folder.label, output: folder.output ?? labelPath))
    }
    return folders
}
