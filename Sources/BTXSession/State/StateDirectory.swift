import Glibc

/// Where btx keeps its files, per the XDG Base Directory spec; `--state-dir`
/// (or BTX_STATE_DIR) puts all of them in one directory instead, but for
/// the user's config file, which is still read.
public struct StateDirectory {
    /// Resume data, the DHT routing table, the lock.
    public let state: String
    /// The DHT signing key.
    public let data: String
    /// Config files, read in this order, later ones winning key by key: the
    /// XDG one always (it holds the user's defaults, wherever the state is
    /// kept), then `STATE/config` when the state directory is overridden.
    public let configPaths: [String]
    /// Where the control socket lives: $XDG_RUNTIME_DIR/btx, else under the state.
    public let runtime: String

    /// `override`: --state-dir or BTX_STATE_DIR, when given.
    public init(override: String?, environment: Environment = .current()) {
        let home = environment["HOME"] ?? "/"
        func base(_ variable: String, _ fallback: String) -> String {
            // The spec says relative values are invalid and to be ignored.
            if let value = environment[variable], value.hasPrefix("/") { return value + "/btx" }
            return home + "/" + fallback + "/btx"
        }
        let userConfig = base("XDG_CONFIG_HOME", ".config") + "/config"
        if let override {
            state = absolutePath(override)
            data = state
            configPaths = [userConfig, state + "/config"]
            runtime = state + "/run"
            return
        }
        state = base("XDG_STATE_HOME", ".local/state")
        data = base("XDG_DATA_HOME", ".local/share")
        configPaths = [userConfig]
        if let value = environment["XDG_RUNTIME_DIR"], value.hasPrefix("/") {
            runtime = value + "/btx"
        } else {
            runtime = state + "/run"
        }
    }

    public var controlSocketPath: String { runtime + "/control.sock" }
    public var pidPath: String { state + "/daemon.pid" }
    public var logPath: String { state + "/daemon.log" }

    public var resumeDirectory: String { state + "/resume" }
    public var dhtStatePath: String { state + "/dht.state" }

    public func resumePath(_ infoHash: String) -> String { resumeDirectory + "/" + infoHash + ".resume" }

    /// Creates the state directories (0700: resume data names what you download).
    public func prepare() throws {
        try makeDirectories(resumeDirectory, mode: 0o700)
        try requireOwnFolder(state, holding: "its state")
    }

    /// Info-hashes with saved resume data, in no particular order; none
    /// before the first save, an error naming the folder when it cannot be read.
    public func savedHashes() throws -> [String] {
        let listing = try SavedHashListing(self)
        var hashes: [String] = []
        while !listing.isDone { hashes += listing.next(4096) }
        return hashes
    }

    /// nil when nothing is saved for the torrent; an error naming the file
    /// when something is there that cannot be read (a directory, no permission).
    public func loadResumeData(_ infoHash: String) throws -> [UInt8]? {
        try FileIO.readStateFile(resumePath(infoHash))
    }

    public func saveResumeData(_ bytes: [UInt8], for infoHash: String) throws {
        try FileIO.writeAtomically(bytes, to: resumePath(infoHash), replace: true, mode: 0o600)
    }

    /// Many torrents' resume data at once, in order (the last of one
    /// torrent's wins); each one's error, nil where it was written.
    public func saveResumeData(_ saves: [(infoHash: String, bytes: [UInt8])]) -> [BTXError?] {
        FileIO.replaceAtomically(saves.map { (resumePath($0.infoHash), $0.bytes) }, in: resumeDirectory, mode: 0o600)
    }

    /// Forgets a torrent's saved state: its resume data and seeding goal.
    public func removeResumeData(_ infoHash: String) {
        unlink(resumePath(infoHash))
        unlink(seedGoalPath(infoHash))
        unlink(chosenSettingsPath(infoHash))
        clearError(for: infoHash)
    }

    /// The seeding goal an add gave (--seed-ratio, --seed-time), which
    /// libtorrent's resume data has no room for: a daemon that resumes the
    /// torrent later still stops at it.
    public func seedGoalPath(_ infoHash: String) -> String { resumeDirectory + "/" + infoHash + ".goal" }

    public func saveSeedGoal(_ goal: JSON, for infoHash: String) throws {
        try FileIO.writeAtomically(Array(goal.text.utf8), to: seedGoalPath(infoHash), replace: true, mode: 0o600)
    }

    /// nil when the torrent has no goal; an error naming the file when it
    /// cannot be read or holds no goal, so a damaged goal is reported
    /// rather than taken for "seed forever" without a word.
    public func loadSeedGoal(_ infoHash: String) throws -> JSON? {
        let path = seedGoalPath(infoHash)
        guard let bytes = try FileIO.readStateFile(path, limit: 64 << 10) else { return nil }
        guard let text = String(validatingUTF8: bytes),
              let goal = try? JSON(parsing: text), goal["seed"] != nil else {
            throw BTXError.failure("\(path) does not hold a seeding goal")
        }
        return goal
    }

    /// The DHT routing table saved by the last session, or nothing. It only
    /// speeds up bootstrapping: what cannot be read is warned about and
    /// skipped (damaged contents are libtorrent's to ignore, and the next
    /// save replaces them).
    public func loadDHTState(warn: (String) -> Void) -> [UInt8] {
        do {
            return try FileIO.readStateFile(dhtStatePath, limit: 4 << 20) ?? []
        } catch let error as BTXError {
            warn("ignoring the DHT routing table: \(error.message)")
            return []
        } catch {
            return []
        }
    }
}

public func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let cwd = String(cString: buffer)
    return path == "." ? cwd : cwd + "/" + path
}

/// A folder btx keeps private things in must be the user's own: another
/// user who made it beforehand (a shared /tmp, a runtime folder of the
/// wrong account) could read them, or put a control socket of their own
/// there and receive the user's requests, metainfo included.
/// A symlink to a folder of the user's own is followed.
public func requireOwnFolder(_ path: String, holding what: String) throws {
    var st = stat()
    guard stat(path, &st) == 0 else { throw FileIO.error(path) }
    guard (st.st_mode & S_IFMT) == S_IFDIR else { throw BTXError.failure("\(path) is not a directory") }
    guard st.st_uid == geteuid() else {
        throw BTXError.failure("\(path) belongs to uid \(st.st_uid), not to you (uid \(geteuid())); btx keeps \(what) "
                               + "only in a folder of your own: remove it or choose another")
    }
}

/// mkdir -p, with `mode` for the directories it creates.
public func makeDirectories(_ path: String, mode: mode_t) throws {
    var current = ""
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        current += "/" + component
        if mkdir(current, mode) != 0 && errno != EEXIST { throw FileIO.error(current) }
    }
    var st = stat()
    guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
        throw BTXError.failure("\(path) exists and is not a directory")
    }
}
