import CSyscall
import Glibc

/// Watch folders, served on a thread of their own: a .torrent or .magnet
/// file finished in one (closed after writing, or renamed in: a half-written
/// file is never read) goes to the session over its control socket, as any
/// btx command's add does, and is renamed NAME.added, or NAME.invalid with
/// the reason in the daemon's log. inotify wakes it; nothing polls the
/// folders. A folder that goes away is reported and watched again once it
/// is back. The session's loop never waits for it.
public final class FolderWatcher {
    public typealias Report = (_ message: String) -> Void

    private let folders: [WatchFolder]
    private let defaultOutput: String
    private let plan: AddPlan
    private let connect: () throws -> ControlClient?
    private let report: Report
    private var inotify: Int32 = -1
    private var watches: [Int32: WatchFolder] = [:]
    private var missing: [WatchFolder] = []
    /// Files the session did not answer for (it was stopping, or still
    /// loading 100,000 saved torrents): not theirs to be marked invalid for.
    private var retries: [(folder: WatchFolder, name: String)] = []
    private var toldRetrying = Set<String>()
    private var client: ControlClient?

    /// `plan`: what every add gets (the config's seeding goal); `defaultOutput`: an absolute folder.
    public init(folders: [WatchFolder], defaultOutput: String, plan: AddPlan, report: @escaping Report,
                connect: @escaping () throws -> ControlClient?) {
        self.folders = folders
        self.defaultOutput = defaultOutput
        self.plan = plan
        self.report = report
        self.connect = connect
    }

    /// Every folder must be there at the start: a typo fails the start with one line.
    public static func check(_ folders: [WatchFolder]) throws {
        for folder in folders where !FileIO.isDirectory(folder.path) {
            throw BTXError.notFound("watch folder \(folder.path): No such directory")
        }
    }

    public func start() throws {
        inotify = btx_inotify_init()
        guard inotify >= 0 else { throw FileIO.error("inotify") }
        // The watches and the first look are the thread's too: what is there
        // already goes to the session, whose loop may not be running yet.
        try startThread { [self] in
            for folder in folders { watch(folder) }
            run()
        }
    }

    private func watch(_ folder: WatchFolder) {
        let descriptor = btx_inotify_watch_folder(inotify, folder.path)
        guard descriptor >= 0 else {
            if !missing.contains(folder) {
                missing.append(folder)
                report("watch folder \(folder.path): \(String(cString: strerror(errno))); watching for it to come back")
            }
            return
        }
        missing.removeAll { $0 == folder }
        watches[descriptor] = folder
        // What was there before the watch began.
        for name in directoryEntries(folder.path).sorted() where WatchFolder.isPickedUp(name) { take(name, in: folder) }
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            var descriptor = pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)
            // Folders that went away, and files the session did not take,
            // are looked at again every 2 s; otherwise inotify wakes this.
            _ = poll(&descriptor, 1, missing.isEmpty && retries.isEmpty ? -1 : 2000)
            for folder in missing { watch(folder) }
            let again = retries
            retries = []
            for (folder, name) in again { take(name, in: folder) }
            let count = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
            guard count > 0 else { continue }
            var offset = 0
            while offset + 16 <= count {
                let (descriptor, mask, length) = buffer.withUnsafeBytes { raw in
                    (raw.load(fromByteOffset: offset, as: Int32.self), raw.load(fromByteOffset: offset + 4, as: UInt32.self),
                     Int(raw.load(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + length)].prefix { $0 != 0 }
                offset += 16 + length
                guard let folder = watches[descriptor] else { continue }
                if mask & (0x400 | 0x800 | 0x8000) != 0 {  // IN_DELETE_SELF, IN_MOVE_SELF, IN_IGNORED
                    watches[descriptor] = nil
                    if !missing.contains(folder) {
                        missing.append(folder)
                        report("watch folder \(folder.path) is gone; watching for it to come back")
                    }
                    continue
                }
                let name = String(decoding: nameBytes, as: UTF8.self)
                if mask & (0x8 | 0x80) != 0, WatchFolder.isPickedUp(name) { take(name, in: folder) }  // IN_CLOSE_WRITE, IN_MOVED_TO
            }
        }
    }

    /// Adds what the file names, then renames it for what came of it.
    private func take(_ name: String, in folder: WatchFolder) {
        let path = joinPath(folder.path, name)
        guard FileIO.isRegularFile(path) else { return }
        do {
            let sources = try self.sources(path, name: name)
            var plan = self.plan
            if let label = folder.label { plan.settings.labels = [label] }
            let output = folder.output.map(absolutePath) ?? defaultOutput
            for source in sources {
                try call(.add, [("sources", .array([source.json]))] + plan.json(savePath: output, explicitSavePath: folder.output != nil))
            }
            settle(path, as: ".added")
        } catch let error as BTXError where error.exitCode == .noSession {
            // Said once; the file stays as it is until the session takes it.
            if toldRetrying.insert(path).inserted { report("watch folder: \(name): \(error.message); trying again") }
            retries.append((folder, name))
        } catch {
            let reason = (error as? BTXError)?.message ?? "\(error)"
            report("watch folder: \(name): \(reason); renamed \(name).invalid")
            settle(path, as: ".invalid")
        }
    }

    private func sources(_ path: String, name: String) throws -> [AddSource] {
        let bytes = try FileIO.read(path, limit: 64 << 20)
        if name.hasSuffix(".torrent") { return [try AddSource.resolveMetainfo(bytes, shown: name)] }
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw BTXError.failure("no magnet link in it") }
        return try lines.map { line in
            let hex = line.lowercased()
            if (hex.count == 40 || hex.count == 64) && hex.allSatisfy(\.isHexDigit) {
                return try AddSource.resolveMagnet(hex.count == 40 ? "magnet:?xt=urn:btih:\(hex)" : "magnet:?xt=urn:btmh:1220\(hex)")
            }
            guard line.hasPrefix("magnet:") else { throw BTXError.failure("'\(line.prefix(60))' is not a magnet link or info-hash") }
            return try AddSource.resolveMagnet(line)
        }
    }

    /// The session over its socket, connected again after it went away.
    private func call(_ method: ControlMethod, _ params: [(String, JSON)]) throws {
        if client == nil { client = try connect() }
        guard let client else { throw BTXError(exitCode: .noSession, message: "the session is not running") }
        do {
            _ = try client.call(method, params)
        } catch let error as BTXError where error.exitCode == .noSession {
            self.client = nil
            throw error
        }
    }

    private func settle(_ path: String, as suffix: String) {
        toldRetrying.remove(path)
        if rename(path, path + suffix) != 0 { report("watch folder: cannot rename \(path): \(String(cString: strerror(errno)))") }
    }
}

/// The names in a folder; none when it cannot be read.
func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
