import Glibc
import TorrentKit

/// Optional defaults: `key = value` lines, `#` comments. Read from
/// `$XDG_CONFIG_HOME/btx/config`, then from `STATE/config` when the state
/// directory is overridden, whose keys win; command-line options win over
/// both. An unknown key or a line without `=` is warned about and skipped
/// (a config written for a newer btx still works); a bad value for a known
/// key is an error that names the file and line.
public struct UserConfig {
    public static let keys: [String: String] = [
        "listen": "PORT or ADDRESS:PORT to listen on",
        "output": "download directory",
        "max-down": "session download cap, e.g. 5M",
        "alt-max-down": "daemon: the download cap while alternate speeds (turtle mode) are on, e.g. 500k",
        "alt-max-up": "daemon: the upload cap while alternate speeds are on",
        "alt-schedule": "daemon: when alternate speeds are on, local time: Mon-Fri 08:00-18:00[, Sat,Sun 10:00-12:00 ...]",
        "max-up": "session upload cap",
        "bootstrap": "comma-separated DHT bootstrap nodes, HOST:PORT",
        "dht": "on/off",
        "lsd": "local peer discovery, on/off",
        "upnp": "on/off",
        "natpmp": "on/off",
        "utp": "on/off",
        "blocklist": "IP blocklist file, like --blocklist",
        "proxy": "socks5://[USER:PASSWORD@]HOST:PORT, socks4://HOST:PORT or http://[USER:PASSWORD@]HOST:PORT",
        "proxy-only": "on/off: nothing around the proxy",
        "interface": "network interface or local address to bind to",
        "encryption": "require, prefer (default), allow or disable",
        "save-interval": "seconds between resume-data saves while a torrent changes, default 5; a crash costs at most that",
        "max-active-downloads": "daemon: download at most N torrents at once; the rest wait, queued",
        "max-active-seeds": "daemon: seed at most N torrents at once",
        "on-complete": "command (sh -c) run when a torrent finishes, like --on-complete",
        "on-complete-timeout": "seconds before a running on-complete hook is killed, default 600",
        "disk-io": "mmap (default: libtorrent maps the files) or posix (pread/pwrite)",
        "seed-ratio": "seeding goal of an add that gives none: seed until uploaded/size reaches it",
        "seed-time": "seeding goal of an add that gives none: seed this long after completion (90s, 30m, 2h)",
        "seed-idle": "seeding goal of an add that gives none: stop once nothing was uploaded for this long (30m, 2h)",
        "rpc": "daemon: [ADDRESS:]PORT for Transmission RPC, like --rpc",
        "metrics": "daemon: [ADDRESS:]PORT for Prometheus's /metrics, like --metrics",
        "rpc-user": "the RPC's user name (HTTP basic auth)",
        "rpc-password": "the RPC's password; the daemon replaces it here with a salted hash",
"category": "a qBittorrent category for the RPC: NAME [SAVE-PATH]; one line each, repeatable",
        "incomplete-dir": "download new torrents here; each moves to its save path once complete, like --incomplete-dir",
        "watch": "daemon: a folder to add .torrent and .magnet files from: DIR [label=L] [output=PATH]; repeatable",
        "on-event": "daemon: TYPES COMMAND: run COMMAND for those events (all, or added,finished,...); repeatable",
        "reuse": "how a new torrent gets files btx already holds: reflink (default; else a copy), link (else a copy), copy or off",
        "follow-interval": "daemon: how often a torrent added from a btpk link looks for a newer version (30m, 1h, 1d), default 1h",
        "rpc-host-allow": "comma-separated host names the RPC answers besides addresses and localhost (*.example.com, or *)",
    ]
    private static let switches: Set<String> = ["dht", "lsd", "upnp", "natpmp", "utp", "proxy-only"]
    private static let rates: Set<String> = ["max-down", "max-up", "alt-max-down", "alt-max-up"]

    private(set) var values: [String: String] = [:]
    /// The file and line each value came from.
    private(set) var origins: [String: (path: String, line: Int)] = [:]
    /// `category` lines, every one (a key that repeats): name and save path.
    public private(set) var categories: [(name: String, savePath: String?)] = []
    /// `watch` lines, every one (another key that repeats).
    public private(set) var watchFolders: [WatchFolder] = []
    /// `on-event` lines, every one.
    public private(set) var eventHooks: [EventHook] = []

    public subscript(key: String) -> String? { values[key] }

    /// Missing files are skipped; later files win key by key. One that is
    /// there but unreadable, or not text (a damaged file), is an error: run
    /// without it, btx could do what the user turned off (the DHT, UPnP).
    public static func load(_ paths: [String], warn: (String) -> Void) throws -> UserConfig {
        var config = UserConfig()
        for path in paths {
            guard let bytes = try FileIO.readStateFile(path, limit: 1 << 20) else { continue }
            // Tabs and line ends only: other control bytes would reach the terminal in warnings.
            let allowed: Set<Unicode.Scalar> = ["\t", "\n", "\r"]
            guard let text = String(validatingUTF8: bytes),
                  !text.unicodeScalars.contains(where: { ($0.value < 0x20 || $0.value == 0x7F) && !allowed.contains($0) })
            else {
                throw BTXError.failure("\(path) is not a text file; fix or remove it")
            }
            try config.read(text, path: path, warn: warn)
        }
        return config
    }

    private mutating func read(_ text: String, path: String, warn: (String) -> Void) throws {
        // Swift reads "\r\n" as one Character, which a split on "\n" would miss:
        // a config saved with Windows line ends was one long line.
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let place = "\(path):\(number + 1)"
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard parts.count == 2, !parts[0].isEmpty else {
                warn("\(place): expected KEY = VALUE; line ignored")
                continue
            }
            // on_complete and on-complete alike: both spellings are common in config files.
            let (key, value) = (parts[0].replacingUnderscores, parts[1])
            guard Self.keys[key] != nil else {
                warn("\(place): unknown key '\(key)' (known: \(Self.keys.keys.sorted().joined(separator: ", ")))")
                continue
            }
            try Self.check(key, value, place: place)
            if key == "category" {
                let parts = value.split(separator: " ", maxSplits: 1).map { $0.trimmingSpaces }
                if let path = parts.dropFirst().first, !path.hasPrefix("/") {
                    throw BTXError.failure("\(place): category \(parts[0])'s save path must be absolute, not '\(path)'")
                }
                categories.removeAll { $0.name == parts[0] }
                categories.append((parts[0], parts.dropFirst().first))
            }
            if key == "on-event" {
                do {
                    eventHooks.append(try EventHook(value))
                } catch let error as BTXError {
                    throw BTXError.failure("\(place): \(error.message)")
                }
            }
            if key == "watch" {
                do {
                    let folder = try WatchFolder(configValue: value)
                    watchFolders.removeAll { $0.path == folder.path }
                    watchFolders.append(folder)
                } catch let error as BTXError {
                    throw BTXError.failure("\(place): \(error.message)")
                }
            }
            values[key] = value
            origins[key] = (path, number + 1)
        }
    }

    /// Checks what can be checked without a session; `listen` and
    /// `bootstrap` are checked where they are used.
    private static func check(_ key: String, _ value: String, place: String) throws {
        if value.isEmpty { throw BTXError.failure("\(place): \(key) needs a value") }
        if switches.contains(key), parseSwitch(value) == nil {
            throw BTXError.failure("\(place): \(key) must be on or off, not '\(value)'")
        }
        if rates.contains(key), Units.parseSize(value) == nil {
            throw BTXError.failure("\(place): \(key) must be a rate like 500k or 5M, not '\(value)'")
        }
        if key == "proxy" {
            do { _ = try Proxy(url: value) } catch let error as TorrentKitError { throw BTXError.failure("\(place): proxy: \(error.message)") }
        }
        if key == "on-complete-timeout", parseInterval(value) == nil {
            throw BTXError.failure("\(place): \(key) must be a number of seconds from 0.1 to 3600, not '\(value)'")
        }
        if key == "disk-io", SessionConfiguration.DiskIO(rawValue: value) == nil {
            throw BTXError.failure("\(place): \(key) must be mmap or posix, not '\(value)'")
        }
        if key == "seed-ratio", Double(value).map({ $0 >= 0 && $0.isFinite }) != true {
            throw BTXError.failure("\(place): \(key) must be a number from 0, like 1.5, not '\(value)'")
        }
        if key == "alt-schedule" {
            do { _ = try AltSchedule(value) } catch let error as BTXError { throw BTXError.failure("\(place): \(error.message)") }
        }
        if key == "seed-idle", Units.parseDuration(value) == nil {
            throw BTXError.failure("\(place): \(key) must be a duration like 30m or 2h, not '\(value)'")
        }
        if key == "seed-time", Units.parseDuration(value) == nil {
            throw BTXError.failure("\(place): \(key) must be a duration like 90s, 30m or 2h, not '\(value)'")
        }
        if key == "reuse", ReuseMode(rawValue: value) == nil {
            throw BTXError.failure("\(place): \(key) must be reflink, link, copy or off, not '\(value)'")
        }
        if key == "follow-interval", (Units.parseDuration(value) ?? 0) < 1 {
            throw BTXError.failure("\(place): \(key) must be a duration of a second or more, like 30m or 1h, not '\(value)'")
        }
        if key == "save-interval", parseInterval(value) == nil {
            throw BTXError.failure("\(place): \(key) must be a number of seconds from 0.1 to 3600, not '\(value)'")
        }
    }

    private static func parseSwitch(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "on", "yes", "true", "1": true
        case "off", "no", "false", "0": false
        default: nil
        }
    }

    private static func parseInterval(_ value: String) -> Double? {
        Double(value).flatMap { (0.1...3600).contains($0) ? $0 : nil }
    }

    /// Puts `value` in place of `key`'s in the file it came from (through a
    /// symlink, the file it points to), keeping every other byte: other
    /// lines, line ends, the comment after it, the file's mode.
    /// nil takes the line out.
    public func rewrite(_ key: String, as value: String?) throws {
        guard let (shown, line) = origins[key] else { return }
        let path = realpath(shown, nil).map { resolved in
            defer { free(resolved) }
            return String(cString: resolved)
        } ?? shown
        guard let bytes = try FileIO.readStateFile(path, limit: 1 << 20) else { return }
        // Split on LF alone: a CR stays with its line.
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard line - 1 < lines.count else { throw BTXError.failure("\(shown) changed while it was read") }
        let old = lines[line - 1]
        let carriageReturn = old.hasSuffix("\r") ? "\r" : ""
        let body = carriageReturn.isEmpty ? old : String(old.dropLast())
        let parts = body.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let assignment = parts[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard assignment.count == 2, assignment[0].trimmingSpaces.replacingUnderscores == key else {
            throw BTXError.failure("\(shown):\(line) no longer holds \(key)")
        }
        let comment = parts.count > 1 ? " #" + parts[1] : ""
        if let value {
            lines[line - 1] = assignment[0].trimmingSpaces + " = " + value + comment + carriageReturn
        } else {
            lines.remove(at: line - 1)
        }
        var st = stat()
        let mode = stat(path, &st) == 0 ? mode_t(st.st_mode & 0o777) : 0o600
        try FileIO.writeAtomically(Array(lines.joined(separator: "\n").utf8), to: path, replace: true, mode: mode)
    }

    /// Keeps `key` as `value` for the next start too (a setting changed over
    /// the RPC, as transmission keeps its settings.json): in place in the
    /// file that sets it, else added to the state directory's own config;
    /// nil takes it out.
    public static func persist(_ key: String, as value: String?, directory: StateDirectory) throws {
        let config = try load(directory.configPaths, warn: { _ in })
        if config.origins[key] != nil { return try config.rewrite(key, as: value) }
        guard let value, let path = directory.configPaths.last else { return }
        var bytes = try FileIO.readStateFile(path, limit: 1 << 20) ?? []
        if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        bytes += Array("\(key) = \(value)\n".utf8)
        // The user's config folder may not be there yet (the state directory is).
        if let slash = path.lastIndex(of: "/") { mkdir(String(path[..<slash]), 0o700) }
        try FileIO.writeAtomically(bytes, to: path, replace: true, mode: FileIO.mode(path).map { $0 & 0o777 } ?? 0o600)
    }

    /// The files that hold `key`, readable by someone else.
    public func readableByOthers(_ key: String) -> String? {
        guard let path = origins[key]?.path else { return nil }
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & 0o077 != 0 ? path : nil
    }

    /// Turtle mode's caps and schedule; nil when neither cap is set.
    public func altSpeeds() throws -> AltSpeeds? {
        let down = values["alt-max-down"].flatMap(Units.parseSize), up = values["alt-max-up"].flatMap(Units.parseSize)
        let schedule = try values["alt-schedule"].map(AltSchedule.init)
        guard down != nil || up != nil else {
            if schedule != nil { throw BTXError.failure("alt-schedule needs alt-max-down or alt-max-up in the config") }
            return nil
        }
        return AltSpeeds(down: down ?? 0, up: up ?? 0, schedule: schedule)
    }

    /// The seeding goal of an add that gives none (seed-ratio, seed-time).
    public var seedGoal: SeedPolicy {
        SeedPolicy(ratio: values["seed-ratio"].flatMap(Double.init), seconds: values["seed-time"].flatMap(Units.parseDuration),
                   idleSeconds: values["seed-idle"].flatMap(Units.parseDuration))
    }

    /// How often a session saves the resume data of torrents that changed.
    public var saveInterval: Double { values["save-interval"].flatMap(Self.parseInterval) ?? 5 }

    /// How often a daemon looks up the btpk links its torrents follow.
    public var reuse: ReuseMode { values["reuse"].flatMap(ReuseMode.init(rawValue:)) ?? .default }
    public var followInterval: Double { values["follow-interval"].flatMap(Units.parseDuration).map(Double.init) ?? 3600 }

    /// How long an --on-complete hook may run.
    public var hookTimeout: Double { values["on-complete-timeout"].flatMap(Self.parseInterval) ?? CompletionHooks.defaultTimeout }

    /// nil when unset; an error naming the key for anything but on/off.
    public func switchValue(_ key: String) throws -> Bool? {
        guard let value = values[key] else { return nil }
        guard let on = Self.parseSwitch(value) else {
            throw BTXError.failure("config: \(key) must be on or off, not '\(value)'")
        }
        return on
    }
}

private extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
