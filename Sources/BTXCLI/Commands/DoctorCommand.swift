import BTXSession
import Glibc
import TorrentKit

let doctorCommand = Command(
    name: "doctor",
    usage: "doctor",
    summary: "show the directories, session and versions btx uses, and check them",
    details: """
        Prints the state, data, config and runtime directories in use, whether a session runs (its pid, uptime, \
        torrents, listen port and DHT nodes, asked over the control socket), and btx's and libtorrent's versions. \
        Then it checks what btx relies on: the state directory is writable and the resume data private (0700) and \
        readable, the config files parse and their values are valid, the control socket is 0600 in a 0700 folder, \
        the DHT key is 0600 and holds a key, daemon.log is a plain file, and no daemon runs without answering. \
        Exits 1 when a check fails; it changes nothing.
        """,
    run: runDoctor
)

/// One thing `doctor` looked at.
private struct Check {
    let name: String
    let path: String
    let ok: Bool
    let message: String

    static func ok(_ name: String, _ path: String, _ message: String) -> Check { Check(name: name, path: path, ok: true, message: message) }
    static func wrong(_ name: String, _ path: String, _ message: String) -> Check { Check(name: name, path: path, ok: false, message: message) }

    var document: JSON {
        .object([("name", .string(name)), ("path", .string(path)), ("ok", .bool(ok)), ("message", .string(message))])
    }
}

private func runDoctor(_ invocation: Invocation) throws {
    try invocation.expectArguments(0, 0)
    let environment = Environment.current()
    let directory = StateDirectory(invocation: invocation, environment: environment)
    let (session, socket) = checkSession(directory)
    let checks = [checkState(directory), checkResumeData(directory), checkConfig(invocation, directory, environment), socket,
                  checkKey(DHTKeyFile.path(invocation)), checkLog(directory)]
    let ok = checks.allSatisfy(\.ok)
    let out = invocation.output
    if out.json {
        out.document(.object([
            ("version", .string(btxVersion)), ("libtorrent", .string(libtorrentVersion)),
            ("directories", .object([("state", .string(directory.state)), ("data", .string(directory.data)),
                                     ("config", .array(directory.configPaths.map(JSON.string))),
                                     ("runtime", .string(directory.runtime))])),
            ("session", session ?? .null), ("checks", .array(checks.map(\.document))), ("ok", .bool(ok)),
        ]))
    } else {
        out.fields([
            ("btx", "\(btxVersion) (libtorrent \(libtorrentVersion))"),
            ("state", directory.state), ("data", directory.data),
            ("config", directory.configPaths.map { $0 + (FileIO.exists($0) ? "" : " (none)") }.joined(separator: ", ")),
            ("runtime", directory.runtime),
            ("session", session.map(sessionText) ?? "none running"),
        ])
        out.line("")
        let width = checks.map(\.name.displayWidth).max() ?? 0
        for check in checks {
            let mark = check.ok ? "✓" : "✗"
            let shown = out.color ? (check.ok ? Paint.green : Paint.red).apply(mark) : mark
            out.line("\(shown) \(check.name)\(String(repeating: " ", count: width - check.name.displayWidth))  \(check.message)")
        }
    }
    let failed = checks.filter { !$0.ok }.count
    if failed > 0 {
        throw BTXError(exitCode: .failure, message: "\(failed) check\(failed == 1 ? "" : "s") failed", reported: true)
    }
}

private func sessionText(_ ping: JSON) -> String {
    var parts = ["\(ping["daemon"]?.boolValue == true ? "btx daemon" : "btx add"), pid \(ping["pid"]?.intValue ?? 0)"]
    if let uptime = ping["uptime"]?.doubleValue { parts.append("up " + Units.duration(seconds: Int64(uptime))) }
    if let torrents = ping["torrents"]?.intValue { parts.append("\(torrents) torrent\(torrents == 1 ? "" : "s")") }
    if let port = ping["listen_port"]?.intValue { parts.append("listening on port \(port)") }
    parts.append(ping["dht_nodes"]?.intValue.map { "\($0) DHT node\($0 == 1 ? "" : "s")" } ?? "no DHT")
    return parts.joined(separator: ", ")
}

/// The file at `path`, not followed: nil when there is nothing there.
private func status(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}

private func mode(_ st: stat) -> String { String(st.st_mode & 0o777, radix: 8) }

/// Others may read or enter it: not for resume data, sockets or keys.
private func isShared(_ st: stat) -> Bool { st.st_mode & 0o077 != 0 }

private func checkState(_ directory: StateDirectory) -> Check {
    let path = directory.state
    guard let st = status(path) else { return .ok("state", path, "not made yet; the first session makes it") }
    guard (st.st_mode & S_IFMT) == S_IFDIR else { return .wrong("state", path, "is not a directory") }
    guard st.st_uid == geteuid() else { return .wrong("state", path, "belongs to uid \(st.st_uid), not to you") }
    guard access(path, W_OK | X_OK) == 0 else { return .wrong("state", path, "is not writable") }
    let lock = path + "/lock"
    if let lockStatus = status(lock), (lockStatus.st_mode & S_IFMT) != S_IFREG {
        return .wrong("state", lock, "the lock is not a plain file; remove it")
    }
    return .ok("state", path, "writable")
}

private func checkResumeData(_ directory: StateDirectory) -> Check {
    let path = directory.resumeDirectory
    guard let st = status(path) else { return .ok("resume data", path, "no saved torrents") }
    guard (st.st_mode & S_IFMT) == S_IFDIR else { return .wrong("resume data", path, "is not a directory") }
    if isShared(st) {
        return .wrong("resume data", path, "others can read it (mode \(mode(st))); run 'chmod 700 \(path)'")
    }
    let hashes: [String]
    do {
        hashes = try directory.savedHashes()
    } catch {
        return .wrong("resume data", path, "\(error)")
    }
    var damaged: [String] = []
    for hash in hashes {
        do {
            guard let bytes = try directory.loadResumeData(hash) else { continue }
            _ = try SavedTorrent(resumeData: bytes)
        } catch {
            damaged.append(directory.resumePath(hash))
        }
    }
    let saved = "\(hashes.count) saved torrent\(hashes.count == 1 ? "" : "s")"
    guard damaged.isEmpty else {
        return .wrong("resume data", path, "\(saved), \(damaged.count) unreadable and left out: \(damaged[0])")
    }
    return .ok("resume data", path, saved + ", private")
}

/// The config files parse, and a session could start with their values.
private func checkConfig(_ invocation: Invocation, _ directory: StateDirectory, _ environment: Environment) -> Check {
    let present = directory.configPaths.filter(FileIO.exists)
    let path = present.joined(separator: ", ")
    guard !present.isEmpty else { return .ok("config", directory.configPaths[0], "none (optional)") }
    var warnings: [String] = []
    do {
        let config = try UserConfig.load(directory.configPaths, warn: { warnings.append($0) })
        _ = try sessionConfiguration(invocation, config: config, environment: environment)
        if let list = blocklistPath(invocation, config: config) { _ = try Blocklist.load(list) }
    } catch let error as BTXError {
        return .wrong("config", path, error.message)
    } catch {
        return .wrong("config", path, "\(error)")
    }
    return .ok("config", path, warnings.isEmpty ? "valid" : "valid; \(warnings.count) ignored: \(warnings.joined(separator: "; "))")
}

/// The running session as it answers `ping`, and whether its socket is private.
private func checkSession(_ directory: StateDirectory) -> (JSON?, Check) {
    let path = directory.controlSocketPath
    let client: ControlClient?
    do {
        client = try ControlClient.connect(directory)
    } catch let error as BTXError {
        return (nil, .wrong("control socket", path, error.message))
    } catch {
        return (nil, .wrong("control socket", path, "\(error)"))
    }
    guard let client, let ping = try? client.call(.ping) else {
        if let pid = daemonPid(directory), kill(pid, 0) == 0 {
            return (nil, .wrong("control socket", path, "daemon.pid names pid \(pid), which runs, but nothing answers here"))
        }
        return (nil, .ok("control socket", path, "no session running"))
    }
    let session = JSON.object([("pid", ping["pid"] ?? .null), ("daemon", ping["daemon"] ?? .bool(false)),
                               ("uptime", ping["uptime"] ?? .null), ("torrents", ping["torrents"] ?? .null),
                               ("listen_port", ping["port"] ?? .null), ("dht_nodes", ping["dht_nodes"] ?? .null)])
    guard let socket = status(path), let folder = status(directory.runtime) else {
        return (session, .wrong("control socket", path, "the session answers, but the socket is gone"))
    }
    if isShared(socket) || socket.st_uid != geteuid() {
        return (session, .wrong("control socket", path, "mode \(mode(socket)), uid \(socket.st_uid): it should be 0600 and yours"))
    }
    if isShared(folder) {
        return (session, .wrong("control socket", directory.runtime, "others can enter it (mode \(mode(folder))); it should be 0700"))
    }
    return (session, .ok("control socket", path, "0600 in a 0700 folder"))
}

private func daemonPid(_ directory: StateDirectory) -> pid_t? {
    guard let bytes = try? FileIO.readStateFile(directory.pidPath, limit: 64) else { return nil }
    return pid_t(String(decoding: bytes, as: UTF8.self).trimmingSpaces).flatMap { $0 > 0 ? $0 : nil }
}

private func checkKey(_ path: String) -> Check {
    guard FileIO.exists(path) else { return .ok("DHT key", path, "none yet; dht-keygen or the first dht-put --mutable makes it") }
    do {
        let key = try DHTKeyFile.load(path)
        return .ok("DHT key", path, "0600, public key \(key.publicKey.prefix(16))…")
    } catch let error as BTXError {
        return .wrong("DHT key", path, error.message)
    } catch {
        return .wrong("DHT key", path, "\(error)")
    }
}

private func checkLog(_ directory: StateDirectory) -> Check {
    let path = directory.logPath
    guard let st = status(path) else { return .ok("daemon log", path, "none yet") }
    guard (st.st_mode & S_IFMT) == S_IFREG else { return .wrong("daemon log", path, "is not a plain file; remove it") }
    return .ok("daemon log", path, Units.bytes(Int64(st.st_size)))
}
